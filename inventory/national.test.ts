// The national inventory: the example is valid; each mistake is reported at its line and column,
// all at once, as a province's inventory's are; the derived values the stacks and the board use.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  dedupSeconds,
  nationalFreshnessSeconds,
  nationalQueryUrl,
  nationalWriteUrls,
  parseNational,
  readNationalFile,
  REMOTE_WRITE_DEADLINE_SECONDS,
  STORE_LATENCY_OFFSET_SECONDS,
} from './national.ts';
import { formatProblem } from './problems.ts';

const EXAMPLE_PATH = new URL('./examples/national.yaml', import.meta.url).pathname;
const example = readFileSync(EXAMPLE_PATH, 'utf8');

function mutate(from: string, to: string): string {
  const at = example.indexOf(from);
  if (at < 0) throw new Error(`not in the example: ${from}`);
  return example.slice(0, at) + to + example.slice(at + from.length);
}
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

describe('the national inventory', () => {
  it('the example is valid, with its defaults and what is derived from it', () => {
    const r = parseNational(example, 'national.yaml');
    expect(r.problems).toEqual([]);
    const n = r.model!;
    expect(n.provinces.map((p) => p.code)).toEqual(['01', '40', '79']);
    expect(n.store).toEqual({ retention: '90d' });
    expect(dedupSeconds(n)).toBe(30);
    expect(nationalFreshnessSeconds(n.provinces[0]!)).toBe(90 + REMOTE_WRITE_DEADLINE_SECONDS + STORE_LATENCY_OFFSET_SECONDS);
    expect(nationalWriteUrls(n)).toEqual([
      'http://10.250.0.11:8480/insert/0/prometheus/api/v1/write',
      'http://10.250.1.11:8480/insert/0/prometheus/api/v1/write',
    ]);
    expect(nationalQueryUrl(n.dataCenters[1]!)).toBe('http://10.250.1.12:8481/select/0/prometheus/');
  });

  const cases: { name: string; from: string; to: string; line: string; message: RegExp }[] = [
    { name: 'a province code as a number', from: 'code: "40"', to: 'code: 40', line: 'code: 40', message: /quote it \("40"\)/ },
    {
      name: 'a misspelt key',
      from: '    interval: 30s\n    prometheus: [http://10.40',
      to: '    intervall: 30s\n    prometheus: [http://10.40',
      line: 'intervall',
      message: /unknown key "intervall" \(did you mean "interval"\?\)/,
    },
    {
      name: 'a province listed twice',
      from: 'code: "79"',
      to: 'code: "40"',
      line: 'code: "40"\n    name: Thành phố Hồ',
      message: /duplicate province code "40"/,
    },
    {
      name: 'a store address outside its segment',
      from: 'vmselect: 10.250.1.12',
      to: 'vmselect: 10.251.1.12',
      line: 'vmselect: 10.251.1.12',
      message: /10\.251\.1\.12 is outside the WAN segment 10\.250\.1\.0\/24/,
    },
    {
      name: 'one address for two parts',
      from: 'vmstorage: [10.250.0.20, 10.250.0.21]',
      to: 'vmstorage: [10.250.0.20, 10.250.0.11]',
      line: 'vmstorage: [10.250.0.20, 10.250.0.11]',
      message: /duplicate address "10\.250\.0\.11"/,
    },
    {
      name: 'a loopback endpoint outside a demo',
      from: 'http://10.40.250.10:9090',
      to: 'http://127.0.0.1:9090',
      line: 'http://127.0.0.1:9090',
      message: /loopback/,
    },
    {
      name: 'a retention VictoriaMetrics would not read',
      from: 'retention: 90d',
      to: 'retention: 3 months',
      line: 'retention: 3 months',
      message: /retention such as 90d/,
    },
    {
      name: 'a value still TODO',
      from: 'parent: eth1',
      to: 'parent: TODO',
      line: 'parent: TODO',
      message: /still to be filled in by hand/,
    },
  ];
  for (const c of cases)
    it(`reports ${c.name} at its line`, () => {
      const text = mutate(c.from, c.to);
      const problems = parseNational(text, 'n.yaml').problems;
      const hit = problems.find((p) => c.message.test(p.message));
      expect(hit, problems.map(formatProblem).join('\n')).toBeDefined();
      expect(hit!.line).toBe(lineOf(text, c.line));
      expect(formatProblem(hit!)).toMatch(/^n\.yaml:\d+:\d+ /);
    });

  it('`sansang national check` prints FILE:LINE:COL problems and exits 1; a device is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'national-check-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, mutate('code: "40"', 'code: 40'));
    const r = spawnSync(process.execPath, ['bin/sansang.js', 'national', 'check', bad], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${bad}:\\d+:\\d+ provinces\\[1\\]\\.code: expected text`, 'm'));
    const ok = spawnSync(process.execPath, ['bin/sansang.js', 'national', 'check', EXAMPLE_PATH], { encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('3 provinces');
    expect((await readNationalFile('/dev/zero')).problems[0]!.message).toContain('not a file');
  });
});
