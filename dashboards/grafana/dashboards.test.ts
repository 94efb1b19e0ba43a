// The dashboards validated against Grafana's dashboard JSON schema (kept in ../shared/schemas/,
// the npm package does not ship it), with stable uids, and never green where data is missing.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { loadInventoryFile } from '../../inventory/index.ts';
import { SERIES } from '../../inventory/index.ts';
import { DASHBOARDS_DIR, dashboardFiles, DASHBOARD_UIDS } from './index.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const demo = join(root, 'inventory/examples/demo.yaml');
const schemaPath = join(root, '../shared/schemas/grafana-dashboard.jsonschema.json');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

type Json = Record<string, unknown>;
interface Panel extends Json {
  type: string;
  title?: string;
  targets?: { expr?: string }[];
  fieldConfig?: {
    defaults?: {
      noValue?: string;
      mappings?: { type: string; options: Json }[];
      thresholds?: { steps: { value: number | null; color: string }[] };
    };
  };
}

async function written(): Promise<Map<string, Json>> {
  const dir = await mkdtemp(join(tmpdir(), 'sansang-grafana-'));
  dirs.push(dir);
  await run(process.execPath, [join(root, 'bin/sansang.js'), 'config', 'dashboards', '--inventory', demo, '--out', dir], { cwd: root });
  const out = new Map<string, Json>();
  for (const f of await readdir(join(dir, DASHBOARDS_DIR)))
    out.set(f, JSON.parse(await readFile(join(dir, DASHBOARDS_DIR, f), 'utf8')) as Json);
  return out;
}

describe('Grafana dashboards', () => {
  it('`sansang config dashboards` writes four dashboards valid against the dashboard JSON schema', async () => {
    const schema = JSON.parse(await readFile(schemaPath, 'utf8')) as Json;
    const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
    const files = await written();
    expect([...files.keys()].sort()).toEqual(
      Object.values(DASHBOARD_UIDS)
        .map((u) => `${u}.json`)
        .sort(),
    );
    for (const [name, d] of files) {
      const ok = validate(d);
      expect(ok ? [] : validate.errors, name).toEqual([]);
      expect(d.schemaVersion).toBe(42);
      expect(`${d.uid as string}.json`).toBe(name);
    }
    // The schema is strict enough to catch a broken dashboard.
    const broken = { ...files.get('sansang-overview.json')!, panels: [{ title: 'no type' }] };
    expect(validate(broken)).toBe(false);
  });

  it('keeps uids stable and shows missing data as NO DATA in red, never green', async () => {
    const inv = await loadInventoryFile(demo);
    const again = dashboardFiles(inv);
    const renamed = dashboardFiles({ ...inv, province: { ...inv.province, name: 'Another name' } });
    expect(again.map((f) => f.path)).toEqual(renamed.map((f) => f.path));
    for (const f of again) {
      const d = JSON.parse(f.content) as { panels: Panel[] };
      for (const p of d.panels.filter((x) => x.type !== 'row')) {
        const dflt = p.fieldConfig?.defaults ?? {};
        expect(dflt.noValue, `${f.path} ${p.title}`).toBe('NO DATA');
        const steps = dflt.thresholds?.steps;
        if (steps) expect(steps[0]!.color, `${f.path} ${p.title}: base threshold`).toBe('red');
        for (const m of dflt.mappings ?? []) {
          if (m.type === 'special')
            expect(m.options, `${f.path} ${p.title}`).toMatchObject({ match: 'null+nan', result: { text: 'NO DATA', color: 'red' } });
        }
      }
    }
  });

  it('the overview lists hot spots first and every unit; the drill-down is templated by unit', async () => {
    const files = await written();
    const overview = files.get('sansang-overview.json') as { panels: Panel[] };
    const exprs = overview.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ title: p.title, expr: t.expr ?? '' })));
    const hot = exprs.findIndex((e) => e.expr.includes('unit=~"16681"'));
    const every = exprs.findIndex((e) => e.expr === `max by (unit) (${SERIES.unitCode})`);
    expect(hot).toBeGreaterThan(-1);
    expect(every).toBeGreaterThan(hot);
    const unit = files.get('sansang-unit.json') as { templating: { list: { name: string; query: string }[] }; panels: Panel[] };
    const v = unit.templating.list.find((x) => x.name === 'unit')!;
    for (const code of ['16681', '16690', '17827']) expect(v.query).toContain(`(${code}) : ${code}`);
    expect(unit.panels.every((p) => p.type === 'row' || (p.targets ?? []).every((t) => t.expr?.includes('unit="$unit"')))).toBe(true);
  });
});
