// The four-state case table (../state-cases.ts) through the recording rules under the real
// promtool: an inventory made of the table (one unit per case), its rules, and one test group per
// case with the table's answers. dashboards/states.test.ts holds the board to the same table.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { Document } from 'yaml';
import { durationSeconds } from '../../inventory/index.ts';
import { STATE_CASES } from '../state-cases.ts';
import { caseInventory } from '../testing-cases.ts';
import { caseGroups } from './case-scenarios.ts';
import { rulesYaml } from './index.ts';
import { TestContext } from './scenario.ts';

const run = promisify(execFile);
let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the case table, through the recording rules', () => {
  it('promtool finds every case of the table where the table says, all-advisory unit included', async () => {
    const { inv, units } = caseInventory();
    const groups = units.flatMap(({ unit, case: c }) => {
      const laid = caseGroups(new TestContext(inv, unit), [c]);
      expect(laid.skipped.map((s) => s.name)).toEqual([]);
      return laid.groups;
    });
    expect(groups).toHaveLength(STATE_CASES.length);
    expect(groups.map((g) => g.scenario).join('\n')).toContain('all items advisory');
    dir = await mkdtemp(join(tmpdir(), 'sansang-cases-'));
    await writeFile(join(dir, 'rules.yml'), rulesYaml(inv));
    const doc = new Document({
      rule_files: ['rules.yml'],
      evaluation_interval: `${durationSeconds(inv.agent.interval)}s`,
      tests: groups.map(({ scenario: _s, ...g }) => g),
    });
    await writeFile(join(dir, 'cases.test.yml'), doc.toString({ lineWidth: 0 }));
    const out = await run('promtool', ['test', 'rules', 'cases.test.yml'], { cwd: dir, maxBuffer: 64 << 20 }).catch(
      (e: Error & { code?: string; stdout?: string; stderr?: string }) => {
        if (e.code === 'ENOENT')
          throw new Error('promtool not found: install the Debian package "prometheus" (apt-get install prometheus)');
        return { stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
      },
    );
    expect(out.stdout + out.stderr).toContain('SUCCESS');
    expect(out.stdout + out.stderr).not.toContain('FAILED');
  });
});
