// The technician's commands, run for real: `sansang agent check` (exit code and table), the kit
// (its bundle runs with plain `node` from a folder with no node_modules), `install --dry-run`
// and `install --root` into a temporary prefix.
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import bcrypt from 'bcryptjs';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SiteSliceDocument } from '../inventory/index.ts';
import { NODE_FLAGS } from './install/layout.ts';
import { PIECE } from './install/write-in-pieces.ts';
import { fileFolios } from './test-support/folios.ts';

/**
 * The two forms the kit offers, each tested alike: the bundle run by the machine's Node, and the
 * single executable (Node inside) that the executable's unit starts. `argv(file, args)` is the
 * command line that runs the agent file with `args`.
 */
const FORMS = [
  {
    name: 'the bundle',
    file: 'sansang-agent.cjs',
    unit: 'sansang-agent.service',
    execStart: /^ExecStart=\/usr\/bin\/env node (.*?) \/opt\/sansang-agent\/sansang-agent\.cjs --config \/etc\/sansang-agent\/site\.json$/m,
    argv: (file: string, args: string[], flags: string[] = []): [string, string[]] => [process.execPath, [...flags, file, ...args]],
  },
  {
    name: 'the single executable',
    file: 'sansang-agent',
    unit: 'sansang-agent.executable.service',
    execStart: /^ExecStart=\/opt\/sansang-agent\/sansang-agent (.*?) --config \/etc\/sansang-agent\/site\.json$/m,
    argv: (file: string, args: string[], flags: string[] = []): [string, string[]] => [file, [...flags, ...args]],
  },
] as const;

const root = join(import.meta.dirname, '..');
const demo = join(root, 'inventory/examples/demo.yaml');
const work = mkdtempSync(join(tmpdir(), 'sansang-kit-test-'));
const kit = join(work, 'kit');
const sansang = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin/sansang.js'), ...args], { encoding: 'utf8', cwd: root, timeout: 60_000 });
/**
 * The same in a network namespace of its own holding only `lo`: the demo's services are down there
 * by construction, whatever another test file running beside this one has listening on their
 * loopback ports (test/integration/demo.test.ts's stand-ins).
 */
function sansangAlone(...args: string[]) {
  const r = spawnSync(
    'unshare',
    ['--net', '--', 'bash', '-c', 'ip link set lo up && exec "$@"', 'bash', process.execPath, join(root, 'bin/sansang.js'), ...args],
    { encoding: 'utf8', cwd: root, timeout: 60_000 },
  );
  if (r.error) throw new Error(`unshare: ${r.error.message} (Debian package: util-linux; run as root: bash test/run.sh)`);
  return r;
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('sansang agent check', () => {
  it('prints a Vietnamese table and exits 1 when the demo services are down', () => {
    const r = sansangAlone('agent', 'check', '--inventory', demo, '--site', 'thanh-vinh-hq');
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toContain('Đường truyền chính');
    expect(r.stdout).toContain('CHƯA SẴN SÀNG');
    expect(r.stdout).toMatch(/Cổng mặc định 127\.0\.1\.1 · icmp \(đường chính\)\s+ĐẠT/);
    // The same word for "not passing" as the board's; no errno code, no English.
    expect(r.stdout).toMatch(/từ chối kết nối tới cổng 18081 — Gọi Trung tâm dữ liệu tỉnh \(chính\)/);
    expect(r.stdout).not.toMatch(/\bE[A-Z]{4,}\b|refused|timeout|primary/);
  });
  it('speaks English with --lang en, and refuses an unknown site in one line', () => {
    const r = sansangAlone('agent', 'check', '--inventory', demo, '--site', 'thanh-vinh-hq', '--lang', 'en');
    expect(r.stdout).toContain('NOT READY');
    const bad = sansang('agent', 'check', '--inventory', demo, '--site', 'nowhere');
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/no site "nowhere"/);
  });
});

describe('sansang agent kit', () => {
  beforeAll(() => {
    const r = sansang('agent', 'kit', '--inventory', demo, '--site', 'thanh-vinh-hq', '--out', kit);
    expect(r.status, r.stderr).toBe(0);
  }, 60_000);

  it('writes the bundle, the executable, the slice only, the systemd units and a README', () => {
    for (const f of [
      'sansang-agent.cjs',
      'sansang-agent',
      'site.json',
      'sansang-agent.service',
      'sansang-agent.executable.service',
      'README.md',
    ])
      expect(existsSync(join(kit, f)), f).toBe(true);
    const slice = SiteSliceDocument.parse(JSON.parse(readFileSync(join(kit, 'site.json'), 'utf8')));
    expect(slice.site.id).toBe('thanh-vinh-hq');
    // Only this site: no other site's address is in the configuration.
    const text = readFileSync(join(kit, 'site.json'), 'utf8');
    expect(text).not.toContain('127.0.1.11');
    expect(text).not.toContain('nghi-loc');
    expect(readFileSync(join(kit, 'README.md'), 'utf8')).toContain('Ba lệnh cần gõ');
    // The executable is an ELF file that needs no Node on the machine.
    expect(readFileSync(join(kit, 'sansang-agent')).subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(statSync(join(kit, 'sansang-agent')).mode & 0o111).not.toBe(0);
  });
});

describe.each(FORMS)('$name', (form) => {
  const agentFile = join(kit, form.file);
  const run = (args: string[], flags: string[] = []) => form.argv(agentFile, args, flags);

  it('its unit runs it with the V8 flags, as a service user with only CAP_NET_RAW', () => {
    const unit = readFileSync(join(kit, form.unit), 'utf8');
    expect(unit).toMatch(/^DynamicUser=yes$/m);
    expect(unit).toMatch(/^AmbientCapabilities=CAP_NET_RAW$/m);
    expect(form.execStart.exec(unit)?.[1]?.split(' ')).toEqual([...NODE_FLAGS]);
  });

  it('runs away from node_modules', () => {
    const [cmd, args] = run(['check', '--lang', 'en']);
    const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: work, timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Site Trụ sở UBND phường Thành Vinh');
    expect(r.status).toBe(1);
  });

  it('runs as the unit starts it, with its V8 flags, and serves /healthz', async () => {
    const unit = readFileSync(join(kit, form.unit), 'utf8');
    const flags = form.execStart.exec(unit)![1]!.split(' ');
    expect(flags).toEqual([...NODE_FLAGS]);
    const port = form.file.endsWith('.cjs') ? 19477 : 19487;
    const [cmd, args] = run(['--config', join(kit, 'site.json'), '--listen', `127.0.0.1:${port}`], flags);
    // The unit's environment too (the executable's NODE_OPTIONS).
    const env = Object.fromEntries(
      [...unit.matchAll(/^Environment=(.*)$/gm)].flatMap((m) =>
        m[1]!.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      ),
    );
    if (form.file === 'sansang-agent') expect(env.NODE_OPTIONS).toBe('--max-semi-space-size=1');
    const child = spawn(cmd, args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    try {
      let status = 0;
      for (let i = 0; i < 100 && status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.status,
          () => 0,
        );
      }
      expect(status, stderr).toBe(200);
      // The executable runs from page-cache folios no larger than the pieces it was written in:
      // written whole, its faults would map up to 2 MB of it at a time (install/write-in-pieces.ts).
      if (form.file === 'sansang-agent') expect(fileFolios(child.pid!, agentFile).largestFolio).toBeLessThanOrEqual(PIECE);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/bad option|unknown flag|Error/i);
  });

  it("with the unit's flags, a right password first seen during a flood of wrong ones from another address gets in within 5 s", async () => {
    // The site's configuration with basic auth (bcrypt cost 10: ~1.8 s a check under --no-opt).
    // Beside the kit's own site.json: the files its probes name (files/) resolve against it.
    const cfg = join(kit, `site-auth-${form.file}.json`);
    const slice = JSON.parse(readFileSync(join(kit, 'site.json'), 'utf8')) as { agent: Record<string, unknown> };
    slice.agent.basicAuth = { username: 'prometheus', passwordHash: bcrypt.hashSync('right-password', 10) };
    writeFileSync(cfg, JSON.stringify(slice));
    const port = form.file.endsWith('.cjs') ? 19478 : 19488;
    const [cmd, args] = run(['--config', cfg, '--listen', `127.0.0.1:${port}`], [...NODE_FLAGS]);
    const child = spawn(cmd, args, { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    const get = (password: string, localAddress: string) =>
      new Promise<number>((resolve) => {
        const req = http.get(
          { host: '127.0.0.1', port, path: '/metrics', localAddress, auth: `prometheus:${password}`, timeout: 20_000 },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', () => resolve(0));
        req.on('timeout', () => req.destroy());
      });
    try {
      for (let i = 0; i < 100 && (await get('x', '127.0.0.1')) === 0; i++) await new Promise((r) => setTimeout(r, 100));
      // The flood: eight clients on one address, a new wrong password each time, for 12 s.
      const until = Date.now() + 12_000;
      let sent = 0;
      const flood = Promise.all(
        Array.from({ length: 8 }, async () => {
          while (Date.now() < until) await get(`wrong-${sent++}`, '127.0.0.1');
        }),
      );
      await new Promise((r) => setTimeout(r, 3000));
      const t0 = Date.now();
      const status = await get('right-password', '127.0.0.2');
      const took = Date.now() - t0;
      await flood;
      expect(status).toBe(200);
      expect(took).toBeLessThan(5000);
      expect(sent).toBeGreaterThan(20);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);

  it('install --dry-run writes nothing; install --root installs it and its unit under the prefix', async () => {
    const prefix = join(work, `root-${form.file}`);
    const dry = sansang(
      'agent',
      'install',
      '--kit',
      kit,
      '--root',
      prefix,
      '--dry-run',
      ...(form.file.endsWith('.cjs') ? [] : ['--executable']),
    );
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`would write ${join(prefix, 'opt/sansang-agent', form.file)}`);
    expect(existsSync(prefix)).toBe(false);
    const [cmd, args] = run(['install', '--root', prefix]);
    const real = spawnSync(cmd, args, { encoding: 'utf8', cwd: work });
    expect(real.status, real.stderr).toBe(0);
    const installed = join(prefix, 'opt/sansang-agent', form.file);
    expect(statSync(installed).mode & 0o777).toBe(0o755);
    expect(readFileSync(installed).equals(readFileSync(agentFile))).toBe(true);
    expect(existsSync(join(prefix, 'etc/sansang-agent/site.json'))).toBe(true);
    // The unit installed is the one that starts this form.
    expect(readFileSync(join(prefix, 'etc/systemd/system/sansang-agent.service'), 'utf8')).toBe(readFileSync(join(kit, form.unit), 'utf8'));
    expect(real.stdout).toContain('systemctl enable --now sansang-agent');
    // The installed agent reads the installed configuration.
    const [c2, a2] = form.argv(installed, ['check', '--config', join(prefix, 'etc/sansang-agent/site.json')]);
    const chk = spawnSync(c2, a2, { encoding: 'utf8', timeout: 60_000 });
    expect(chk.stdout).toContain('CHƯA SẴN SÀNG');
    // The installer writes the executable in pieces too (what the site's unit runs).
    if (form.file === 'sansang-agent') {
      const child = spawn(installed, ['--config', join(prefix, 'etc/sansang-agent/site.json'), '--listen', '127.0.0.1:19489'], {
        stdio: 'ignore',
      });
      try {
        let up = false;
        for (let i = 0; i < 100 && !up; i++) {
          await new Promise((r) => setTimeout(r, 100));
          up = await fetch('http://127.0.0.1:19489/healthz').then(
            (r) => r.ok,
            () => false,
          );
        }
        expect(up).toBe(true);
        expect(fileFolios(child.pid!, installed).largestFolio).toBeLessThanOrEqual(PIECE);
      } finally {
        child.kill('SIGTERM');
      }
    }
  });
});

describe('sansang agent install', () => {
  it('install refuses a folder that is not a kit', () => {
    const r = sansang('agent', 'install', '--kit', work, '--root', join(work, 'x'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not a kit folder/);
  });
});
