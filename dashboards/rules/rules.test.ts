// The rules checked by the real promtool: lint, and the generated unit tests of every state and
// alert, on the files `sansang config rules` writes. promtool evaluates every scenario step by
// step (a minute or more for the demo): the bounds below are generous for a second test file
// running beside it.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadInventoryFile, writeGeneratedFiles, type Inventory } from '../../inventory/index.ts';
import { alertDefs } from './alerts.ts';
import { rulesFiles, RULES_FILE, RULES_TEST_FILE } from './index.ts';
import { recordingRules } from './recording.ts';
import { formatHcm, humanizeDuration, promtoolTests } from './tests.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const demo = join(root, 'inventory/examples/demo.yaml');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'sansang-rules-'));
  dirs.push(d);
  return d;
}

async function promtool(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  try {
    const r = await run('promtool', args, { cwd, maxBuffer: 64 << 20 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string };
    if (err.code === 'ENOENT') throw new Error('promtool not found: install the Debian package "prometheus" (apt-get install prometheus)');
    return { code: Number(err.code ?? 1), out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

async function checkAndTest(dir: string): Promise<{ check: { code: number; out: string }; test: { code: number; out: string } }> {
  const check = await promtool(['check', 'rules', '--lint=all', '--lint-fatal', RULES_FILE.split('/').pop()!], join(dir, 'rules'));
  const test = await promtool(['test', 'rules', RULES_TEST_FILE.split('/').pop()!], join(dir, 'rules'));
  return { check, test };
}

/** The demo with one unit given its own settings, so the tests run against a non-default class. */
function withOverrides(inv: Inventory): Inventory {
  const units = inv.units.map((u) =>
    u.code === '16681'
      ? {
          ...u,
          checklist: {
            drop: ['latency'],
            add: [],
            thresholds: { 'agent-up': { for: '3m' }, dns: { blocking: false }, clock: { maxOffsetSeconds: 5 } },
          },
        }
      : u,
  );
  return { ...inv, units };
}

/** The demo's units cloned into a province of `n` units. */
function national(inv: Inventory, n: number): Inventory {
  const base = inv.units[1]!;
  const units = Array.from({ length: n }, (_, i) => ({
    ...base,
    code: String(10000 + i).padStart(5, '0'),
    hotSpot: i % 50 === 0,
    sites: base.sites.map((s) => ({ ...s, id: `${s.id}-${i}` })),
  }));
  return { ...inv, units, maintenance: [] };
}

describe('rules', () => {
  it('`sansang config rules` writes rules that pass promtool lint and their own tests', async () => {
    const dir = await tempDir();
    await run(process.execPath, [join(root, 'bin/sansang.js'), 'config', 'rules', '--inventory', demo, '--out', dir], { cwd: root });
    const { check, test } = await checkAndTest(dir);
    expect(check.out).toContain('SUCCESS');
    expect(check.code).toBe(0);
    expect(test.out).toContain('SUCCESS');
    expect(test.code).toBe(0);
    // The generated tests cover every alert and every state.
    const tests = parse(await readFile(join(dir, RULES_TEST_FILE), 'utf8')) as {
      tests: {
        alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[];
        promql_expr_test?: { exp_samples: { labels: string; value: number }[] }[];
      }[];
    };
    const inv = await loadInventoryFile(demo);
    const fired = new Set(tests.tests.flatMap((t) => (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length).map((a) => a.alertname)));
    expect([...fired].sort()).toEqual([...new Set(alertDefs(inv).map((d) => d.alert))].sort());
    const unitStates = new Set(
      tests.tests.flatMap((t) =>
        (t.promql_expr_test ?? []).flatMap((p) =>
          p.exp_samples
            .filter((s) => s.labels.startsWith('sansang:unit:state{') && s.value === 1)
            .map((s) => /state="(\w+)"/.exec(s.labels)![1]),
        ),
      ),
    );
    expect([...unitStates].sort()).toEqual(['go', 'maintenance', 'nogo', 'unknown']);
  }, 300_000);

  it('the generated tests fail when missing data would count as GO', async () => {
    const dir = await tempDir();
    const inv = await loadInventoryFile(demo);
    await writeGeneratedFiles(dir, rulesFiles(inv));
    const file = join(dir, RULES_FILE);
    const rules = await readFile(file, 'utf8');
    expect(rules).toContain('* 0 + 0.5');
    await writeFile(file, rules.replaceAll('* 0 + 0.5', '* 0 + 1'));
    // Only the never-seen scenario, to keep the test short.
    const testFile = join(dir, RULES_TEST_FILE);
    const tests = parse(await readFile(testFile, 'utf8')) as { tests: unknown[] };
    const i = promtoolTests(inv).findIndex((g) => g.scenario.startsWith('never-seen'));
    expect(i).toBeGreaterThan(-1);
    await writeFile(testFile, stringify({ ...tests, tests: [tests.tests[i]] }));
    const { check, test } = await checkAndTest(dir);
    expect(check.code).toBe(0);
    expect(test.code).not.toBe(0);
    expect(test.out).toMatch(/FAILED/);
    expect(test.out).toContain('sansang:unit:state');
  }, 300_000);

  it('per-unit overrides (for, blocking, clock threshold, a dropped item) pass their own tests', async () => {
    const dir = await tempDir();
    const inv = withOverrides(await loadInventoryFile(demo));
    await writeGeneratedFiles(dir, rulesFiles(inv));
    const rules = await readFile(join(dir, RULES_FILE), 'utf8');
    expect(rules).toContain('unit=~"16681"');
    expect(rules).toContain('unit!~"16681"');
    const { check, test } = await checkAndTest(dir);
    expect(check.code).toBe(0);
    expect(test.out).toContain('SUCCESS');
    expect(test.code).toBe(0);
  }, 300_000);

  it('the number of rules does not grow with the number of units', async () => {
    const inv = await loadInventoryFile(demo);
    const small = national(inv, 3);
    const big = national(inv, 3321);
    expect(recordingRules(big).length).toBe(recordingRules(small).length);
    expect(alertDefs(big).length).toBe(alertDefs(small).length);
    const size = (i: Inventory) => rulesFiles(i).find((f) => f.path === RULES_FILE)!.content.length;
    expect(size(big)).toBe(size(small));
  });

  it('renders times in Vietnam time, as the tz database has it today', () => {
    const now = Math.floor(Date.parse('2025-07-01T01:02:00Z') / 1000);
    const intl = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Ho_Chi_Minh',
      hour: '2-digit',
      minute: '2-digit',
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hourCycle: 'h23',
    }).format(new Date(now * 1000));
    expect(intl).toBe('01/07/2025, 08:02');
    expect(formatHcm(now)).toBe('08:02 01/07/2025');
    expect(humanizeDuration(2 * 86400 + 3 * 3600 + 4 * 60 + 5)).toBe('2d 3h 4m 5s');
  });
});
