// "Both modes implement one rule and give the same answer": the board reading the agents
// directly (embedded) and the board reading a real Prometheus that runs the real generated rules
// (dashboards/rules), over the same stand-in agents, must agree on every unit and every item.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultChecklist, loadInventoryFile, writeGeneratedFiles, type Inventory } from '../../inventory/index.ts';
import { rulesFiles, startBoard, TokenBook, type RunningBoard } from '../../dashboards/index.ts';
import { allFor, freePort, polledOnly, relocate, startStandIn, type StandInAgent } from '../../dashboards/board/testing.ts';

const TOKEN = 'ttdl-token-0123456789';
let PROM_PORT = 0;
let dir: string;
let inv: Inventory;
let prom: ChildProcess;
let embedded: RunningBoard;
let viaProm: RunningBoard;
const agents = new Map<string, StandInAgent>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'board-modes-'));
  const demo = polledOnly(relocate(await loadInventoryFile(new URL('../../inventory/examples/demo.yaml', import.meta.url).pathname), 49));
  // A one-second probe interval and no `for` to wait for, so the two can be compared in seconds.
  inv = allFor(
    { ...demo, agent: { ...demo.agent, interval: '1s' }, maintenance: [] },
    '0s',
    defaultChecklist.map((i) => i.id),
  );
  for (const u of inv.units) for (const s of u.sites) agents.set(s.id, await startStandIn(inv, s.id));
  const tokens = TokenBook.parse(`ttdl: ${TOKEN}\n`);
  embedded = await startBoard({ inventory: inv, dataDir: join(dir, 'e'), listen: '127.0.0.1:0', tokens, refreshMs: 1000, warn: () => {} });

  PROM_PORT = await freePort();
  await writeGeneratedFiles(join(dir, 'prom'), rulesFiles(inv));
  const agentTargets = inv.units.flatMap((u) =>
    u.sites.flatMap((s) => [
      { targets: [`${s.links.primary.address}:${s.agentPort}`], labels: { unit: u.code, site: s.id, scrape_link: 'primary' } },
      ...(s.links.backup
        ? [{ targets: [`${s.links.backup.address}:${s.agentPort}`], labels: { unit: u.code, site: s.id, scrape_link: 'backup' } }]
        : []),
    ]),
  );
  const board = new URL(embedded.url).host;
  await writeFile(
    join(dir, 'prom', 'prometheus.yml'),
    JSON.stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: ['rules/sansang.rules.yml'],
      scrape_configs: [
        { job_name: 'sansang-agent', static_configs: agentTargets },
        { job_name: 'sansang-board', static_configs: [{ targets: [board] }] },
      ],
    }),
  );
  prom = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prom', 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'prom', 'data')}`,
      `--web.listen-address=127.0.0.1:${PROM_PORT}`,
    ],
    { stdio: 'ignore' },
  );
  viaProm = await startBoard({
    inventory: inv,
    dataDir: join(dir, 'p'),
    listen: '127.0.0.1:0',
    tokens,
    prometheus: `http://127.0.0.1:${PROM_PORT}/`,
    refreshMs: 1000,
    warn: () => {},
  });
}, 60_000);

afterAll(async () => {
  await embedded?.close();
  await viaProm?.close();
  prom?.kill('SIGKILL');
  for (const a of agents.values()) await a.close();
  await rm(dir, { recursive: true, force: true });
});

type Answer = Record<string, string>;
const answer = (b: RunningBoard): Answer => {
  const out: Answer = {};
  for (const u of b.board.current.units) {
    out[u.code] = u.state;
    for (const i of u.items) out[`${u.code}/${i.check}`] = i.state;
  }
  return out;
};

/** Waits until both boards agree (Prometheus lags a scrape and an evaluation), then returns the answer. */
async function agreed(expectUnits: Record<string, string>): Promise<Answer> {
  let last: { e: Answer; p: Answer } | undefined;
  for (let i = 0; i < 60; i++) {
    const e = answer(embedded);
    const p = answer(viaProm);
    last = { e, p };
    if (JSON.stringify(e) === JSON.stringify(p) && Object.entries(expectUnits).every(([u, s]) => e[u] === s)) return e;
    await new Promise((r) => setTimeout(r, 500));
  }
  const diff = Object.keys({ ...last!.e, ...last!.p })
    .filter((k) => last!.e[k] !== last!.p[k])
    .map((k) => `${k}: embedded ${last!.e[k]}, prometheus ${last!.p[k]}`);
  throw new Error(
    `the two modes do not agree:\n${diff.join('\n') || '(they agree, but not on the expected unit states)'}\nembedded units: ${JSON.stringify(Object.fromEntries(Object.entries(last!.e).filter(([k]) => !k.includes('/'))))}`,
  );
}

async function signAll(code: string) {
  for (const check of embedded.board.catalog.byCode.get(code)!.manualIds) {
    const r = await fetch(new URL('api/signoffs', embedded.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ unit: code, check, who: 'test' }),
    });
    expect(r.status).toBe(201);
  }
}

describe('embedded mode and Prometheus mode give the same answer', () => {
  it('healthy agents, some units signed off, an advisory item failing', async () => {
    await signAll('16681');
    await signAll('16690');
    agents.get('thanh-vinh-hq')!.behaviour.failing = ['latency'];
    const a = await agreed({ '16681': 'go', '16690': 'go', '17827': 'nogo' });
    expect(a['16681/latency']).toBe('nogo');
    expect(a['17827/staff-trained']).toBe('nogo');
    expect(a['17827/wan-primary']).toBe('go');
    expect(viaProm.board.current.problems).toEqual([]);
  }, 120_000);

  it('a blocking item failing at one site', async () => {
    agents.get('truong-vinh-hq')!.behaviour.failing = ['dns'];
    const a = await agreed({ '16690': 'nogo' });
    expect(a['16690/dns']).toBe('nogo');
    agents.get('truong-vinh-hq')!.behaviour.failing = [];
    await agreed({ '16690': 'go' });
  });

  it('an agent answering over the backup, not over the primary: the primary link NO-GO, not the agent', async () => {
    const a = agents.get('thanh-vinh-hq')!;
    a.behaviour.silentOn = ['primary'];
    const seen = await agreed({ '16681': 'nogo' });
    expect(seen['16681/wan-primary']).toBe('nogo');
    expect(seen['16681/agent-up']).toBe('go');
    expect(seen['16681/wan-backup']).toBe('go');
    a.behaviour.silentOn = [];
    await agreed({ '16681': 'go' });
  });

  it('an agent that stops answering', async () => {
    await agents.get('truong-vinh-motcua')!.close();
    const a = await agreed({ '16690': 'nogo' });
    expect(a['16690/agent-up']).toBe('nogo');
    expect(a['16690/wan-primary']).toBe('unknown');
  });

  it('a maintenance window set on the board', async () => {
    const r = await fetch(new URL('api/maintenance', embedded.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        unit: '17827',
        from: new Date(Date.now() - 1000).toISOString(),
        to: new Date(Date.now() + 3600_000).toISOString(),
        reason: 'test',
        who: 'test',
      }),
    });
    expect(r.status).toBe(201);
    const a = await agreed({ '17827': 'maintenance' });
    expect(a['17827/staff-trained']).toBe('maintenance');
  });
});
