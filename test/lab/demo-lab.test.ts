// `sansang demo --lab`: sites in network namespaces joined by veth links. First the topology on
// its own (bound probes leave over their own link; a cut primary is a real cut; nftables loss;
// stale labs of killed runs are cleaned; nothing is left behind), then the whole lab demo: every
// unit GO, a cut primary link turns the unit's wan-primary NO-GO while wan-backup stays GO, and
// the unit is GO again once the link is back. Needs root, iproute2 and nftables (as CI has).
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventoryFile } from '../../inventory/index.ts';
import { sendFault } from '../../demo/control.ts';
import { Lab, LAB_RANGES, labInventory, labUnavailable, makePlan, probeHosts, startLabDemo, type LabDemo } from '../../demo/lab/index.ts';
import { allUnitsGo, itemState, unitItems, waitUntil } from '../../demo/lab/board-watch.ts';
import { freePort } from '../../dashboards/board/testing.ts';
import { launchChromium } from '../support/chromium.ts';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../..');
const example = join(repo, 'inventory/examples/demo.yaml');

async function ok(cmd: string, args: string[]): Promise<boolean> {
  try {
    await run(cmd, args, { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** One ping from the site's namespace to a services address, bound to a link's address. */
const pingFrom = (ns: string, source: string, to: string) =>
  ok('ip', ['netns', 'exec', ns, 'ping', '-n', '-c', '1', '-W', '1', '-I', source, to]);

/** True once `check` holds (tried every 300 ms for `ms`): link state changes settle asynchronously. */
async function eventually(check: () => Promise<boolean>, ms = 8000): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function ours(): Promise<{ netns: string[]; links: string[]; guards: string[] }> {
  const netns = (JSON.parse((await run('ip', ['-j', 'netns', 'list'])).stdout || '[]') as { name: string }[])
    .map((n) => n.name)
    .filter((n) => n.startsWith('ss-'));
  const links = (JSON.parse((await run('ip', ['-j', 'link', 'show'])).stdout) as { ifname: string; ifalias?: string }[])
    .filter((l) => l.ifalias?.startsWith('sansang-lab'))
    .map((l) => l.ifname);
  const routes = JSON.parse((await run('ip', ['-j', 'route', 'show'])).stdout) as { dst: string; type?: string }[];
  const guards = routes.filter((r) => r.type === 'unreachable' && (LAB_RANGES as readonly string[]).includes(r.dst)).map((r) => r.dst);
  return { netns, links, guards };
}

/** Running (a zombie waiting for its reaper is not). */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !/^\d+ \(.*\) Z/.test(stat);
}

/** A pid that no process has now: a child that has already exited. */
async function deadPid(): Promise<number> {
  const c = spawn('true');
  await new Promise((r) => c.once('exit', r));
  return c.pid!;
}

/** On failure, the end of every process log of the demo goes into the error. */
async function withLogs<T>(dir: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    const logs = join(dir, 'logs');
    const tails = await Promise.all(
      (await readdir(logs).catch(() => [])).map(
        async (n) => `--- ${n}\n${(await readFile(join(logs, n), 'utf8')).split('\n').slice(-8).join('\n')}`,
      ),
    );
    throw new Error(`${(e as Error).message}\n${tails.join('\n')}`);
  }
}

beforeAll(async () => {
  const why = await labUnavailable();
  if (why) throw new Error(`the lab tests need root, ip netns (Debian: iproute2) and nft (Debian: nftables): ${why}`);
});

describe('the lab topology', () => {
  let lab: Lab | undefined;
  afterAll(async () => {
    await lab?.destroy();
  });

  it('cleans a killed run’s leftovers, then carries bound probes over their own link only', async () => {
    // What a killed run leaves: a site namespace and an interface carrying a dead pid.
    const dead = await deadPid();
    const staleNs = `ss-${dead}-0-0`;
    await run('ip', ['netns', 'add', staleNs]);
    await run('ip', ['link', 'add', 'sdeadp0', 'type', 'veth', 'peer', 'name', 'sdeadx0']);
    await run('ip', ['link', 'set', 'sdeadp0', 'alias', `sansang-lab pid=${dead}`]);

    const inv = await loadInventoryFile(example);
    const plan = makePlan(inv, { pid: process.pid, seq: 900, tag: 't0p0' });
    lab = await Lab.create(plan);
    const after = await ours();
    expect(after.netns).not.toContain(staleNs);
    expect(after.links).not.toContain('sdeadp0');
    expect(after.netns.sort()).toEqual(plan.sites.map((s) => s.ns).sort());

    const site = plan.sites.find((s) => s.siteId === 'thanh-vinh-hq')!;
    const [primary, backup] = site.links;
    const services = plan.services.get('127.0.0.1')!;
    expect(services).toBe('10.200.0.1');
    expect(await eventually(() => pingFrom(site.ns, primary!.address, services))).toBe(true);
    expect(await eventually(() => pingFrom(site.ns, backup!.address, services))).toBe(true);

    // A real cut: the gateway side of the primary veth goes down.
    await lab.setLink(site.siteId, 'primary', false);
    expect(await pingFrom(site.ns, primary!.address, services)).toBe(false);
    expect(await pingFrom(site.ns, primary!.address, primary!.gateway)).toBe(false);
    expect(await pingFrom(site.ns, backup!.address, services)).toBe(true);
    // Another site's primary is untouched.
    const other = plan.sites.find((s) => s.siteId === 'truong-vinh-hq')!;
    expect(await pingFrom(other.ns, other.links[0]!.address, services)).toBe(true);

    await lab.setLink(site.siteId, 'primary', true);
    expect(await eventually(() => pingFrom(site.ns, primary!.address, services))).toBe(true);

    // Loss from nftables inside the namespace: 100 % drops everything the site sends over primary.
    await lab.setLoss(site.siteId, 'primary', 100);
    expect(await pingFrom(site.ns, primary!.address, services)).toBe(false);
    expect(await pingFrom(site.ns, backup!.address, services)).toBe(true);
    await lab.setLoss(site.siteId, 'primary', 0);
    expect(await eventually(() => pingFrom(site.ns, primary!.address, services))).toBe(true);
  });

  it('refuses a second lab in the same network namespace while one runs', async () => {
    const inv = await loadInventoryFile(example);
    await expect(Lab.create(makePlan(inv, { pid: process.pid, seq: 901, tag: 't1p1' }))).rejects.toThrow(/another sansang lab is running/);
  });

  it('leaves nothing behind when it stops', async () => {
    await lab!.destroy();
    lab = undefined;
    expect(await ours()).toEqual({ netns: [], links: [], guards: [] });
  });

  it('cleans up after a run that was killed (SIGKILL): its namespaces, interfaces and the processes left in them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sansang-lab-killed-'));
    const script = join(dir, 'killed.mts');
    // A run that builds its lab, leaves a process in a site namespace, then is killed.
    await writeFile(
      script,
      `import { spawn } from 'node:child_process';
import { loadInventoryFile } from ${JSON.stringify(join(repo, 'inventory/index.ts'))};
import { Lab, makePlan } from ${JSON.stringify(join(repo, 'demo/lab/index.ts'))};
const plan = makePlan(await loadInventoryFile(${JSON.stringify(example)}), { pid: process.pid, seq: 0, tag: 'k1ll' });
const lab = await Lab.create(plan);
const left = spawn('ip', ['netns', 'exec', plan.sites[0].ns, 'sleep', '600'], { stdio: 'ignore', detached: true });
left.unref();
void lab;
process.stdout.write('up ' + left.pid + ' ' + plan.sites.map((s) => s.ns).join(' ') + '\\n');
setInterval(() => undefined, 1000);
`,
    );
    let leftPid = 0;
    try {
      const killed = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'], cwd: repo });
      const line = await new Promise<string>((resolveLine, reject) => {
        let out = '';
        killed.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolveLine(out.trim());
        });
        killed.once('exit', (code) => reject(new Error(`the run to kill exited early (${code})`)));
      });
      const [, pid, ...namespaces] = line.split(' ');
      leftPid = Number(pid);
      killed.kill('SIGKILL');
      await new Promise((r) => killed.once('exit', r));
      // What the killed run left: its namespaces and its interfaces.
      const before = await ours();
      expect(before.netns).toEqual(expect.arrayContaining(namespaces));
      expect(before.links.some((l) => l.startsWith('sk1ll'))).toBe(true);

      const inv = await loadInventoryFile(example);
      const next = await Lab.create(makePlan(inv, { pid: process.pid, seq: 902, tag: 'n3xt' }));
      try {
        const after = await ours();
        for (const ns of namespaces) expect(after.netns).not.toContain(ns);
        expect(after.links.some((l) => l.startsWith('sk1ll'))).toBe(false);
      } finally {
        await next.destroy();
      }
      expect(await alive(leftPid)).toBe(false);
      expect(await ours()).toEqual({ netns: [], links: [], guards: [] });
    } finally {
      if (leftPid && (await alive(leftPid))) process.kill(leftPid, 'SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('removes what it built when the start fails halfway, and only that', async () => {
    const inv = await loadInventoryFile(example);
    const plan = makePlan(inv, { pid: process.pid, seq: 903, tag: 'h4lf' });
    // Someone else's interface already has the name of the third site's veth: building fails
    // after two sites are up.
    const taken = plan.sites[2]!.links[0]!.hostIf;
    await run('ip', ['link', 'add', taken, 'type', 'veth', 'peer', 'name', 'h4lfpeer']);
    await run('ip', ['link', 'set', taken, 'alias', 'not the lab']);
    try {
      await expect(Lab.create(plan)).rejects.toThrow(/File exists/);
      expect(await ours()).toEqual({ netns: [], links: [], guards: [] });
      expect(await ok('ip', ['link', 'show', taken])).toBe(true);
    } finally {
      await run('ip', ['link', 'del', taken]).catch(() => undefined);
    }
  });

  it('says why it cannot run without root', async () => {
    const { stdout } = await run(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { labUnavailable } from ${JSON.stringify(join(repo, 'demo/lab/topology.ts'))}; console.log(await labUnavailable())`,
      ],
      { cwd: repo },
    );
    expect(stdout).toMatch(/needs root/);
  });

  it('derives a lab inventory the normal loader accepts, with every address inside the lab ranges', async () => {
    const inv = await loadInventoryFile(example);
    const plan = makePlan(inv, { pid: 1, seq: 0, tag: 'abcd' });
    const lab = labInventory(inv, plan, { interval: '5s', maxFor: '5s' });
    const dir = await mkdtemp(join(tmpdir(), 'sansang-lab-inv-'));
    try {
      const { stringify } = await import('yaml');
      const file = join(dir, 'lab.yaml');
      await writeFile(file, stringify(lab));
      const back = await loadInventoryFile(file);
      const probed = back.services.flatMap((s) => s.probes.flatMap(probeHosts));
      expect(new Set(probed)).toEqual(new Set(['10.200.0.1']));
      for (const u of back.units)
        for (const s of u.sites) for (const l of Object.values(s.links)) expect(l!.address).toMatch(/^10\.20[12]\./);
      expect(back.agent.interval).toBe('5s');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the lab demo', () => {
  let demo: LabDemo | undefined;
  let dir = '';
  afterAll(async () => {
    await demo?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    expect(await ours()).toEqual({ netns: [], links: [], guards: [] });
  });

  it('a cut primary link turns wan-primary NO-GO, wan-backup stays GO, and the unit is GO again after the link is back', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sansang-demo-lab-'));
    const lines: string[] = [];
    demo = await startLabDemo({
      inventory: example,
      dir,
      board: `127.0.0.1:${await freePort()}`,
      control: `127.0.0.1:${await freePort()}`,
      synth: false,
      say: (l) => lines.push(l),
      labInventory: { interval: '5s', maxFor: '5s' },
    });
    const board = demo.boardUrl;
    await withLogs(dir, () => allUnitsGo(board, 60_000));

    expect(await sendFault(demo.controlUrl, { action: 'cut-link', target: 'thanh-vinh-hq', link: 'primary' })).toMatch(/cut/);
    await withLogs(dir, () =>
      waitUntil(
        'wan-primary NO-GO for 16681',
        async () => ((await itemState(board, '16681', 'wan-primary')) === 'nogo' ? true : undefined),
        40_000,
        500,
      ),
    );
    const cut = await unitItems(board, '16681');
    const state = (check: string) => cut.items.find((i) => i.check === check)?.state;
    expect(cut.state).toBe('nogo');
    expect(state('wan-primary')).toBe('nogo');
    expect(cut.items.find((i) => i.check === 'wan-primary')!.sites).toEqual(['thanh-vinh-hq']);
    expect(state('wan-backup')).toBe('go');
    // The services are still reached over the backup link.
    expect(state('reach-lgsp')).toBe('go');
    // The other units do not notice.
    expect(await itemState(board, '16690', 'wan-primary')).toBe('go');
    // The agent is up (it answers over the backup): the unit page says the primary link is down.
    expect(state('agent-up')).toBe('go');
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${board}/#/unit/16681`);
      const primary = 'section.site[data-site="thanh-vinh-hq"] li.link[data-link="primary"]';
      await page.waitForSelector(`${primary}[data-lost="true"]`, { timeout: 15_000 });
      expect(await page.textContent(primary)).toMatch(
        /^Đường truyền chính 10\.201\.\d+\.\d+: mất — tác tử trả lời qua đường truyền dự phòng/,
      );
      expect(await page.getAttribute('section.site[data-site="thanh-vinh-hq"] li.link[data-link="backup"]', 'class')).toBe('link ok');
      const row = (check: string) => `#unit > table.items tr[data-check="${check}"]`;
      expect(await page.getAttribute(row('wan-primary'), 'data-state')).toBe('nogo');
      expect(await page.textContent(`${row('wan-primary')} td.detail`)).toMatch(
        /Đường truyền chính mất: tác tử trả lời qua đường truyền dự phòng/,
      );
      expect(await page.getAttribute(row('agent-up'), 'data-state')).toBe('go');
      expect(await page.textContent('#unit')).not.toMatch(/Tác tử không trả lời/);
    } finally {
      await browser.close();
    }

    expect(await sendFault(demo.controlUrl, { action: 'restore-link', target: 'thanh-vinh-hq', link: 'primary' })).toMatch(/restored/);
    await withLogs(dir, () => allUnitsGo(board, 45_000));
  }, 150_000);
});
