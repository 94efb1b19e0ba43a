// The national overview dashboard: valid against Grafana's dashboard schema, provinces first then
// the worst units, every province of the inventory present even with no data, never green where
// data is missing. (Its province-state expression is run by VictoriaMetrics itself in
// test/integration/national.test.ts, against the national board's answer.)
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { loadNationalFile, nationalFreshnessSeconds, SERIES, STORE_LATENCY_OFFSET_SECONDS } from '../../inventory/index.ts';
import { effectiveUnitCode, nationalDashboard, nationalDashboardFiles, NATIONAL_DASHBOARD_UID, provinceStateExpr } from './national.ts';

const root = new URL('../../', import.meta.url).pathname;
type Panel = {
  type: string;
  title?: string;
  targets?: { expr?: string }[];
  fieldConfig?: { defaults?: { noValue?: string; thresholds?: { steps: { value: number | null; color: string }[] } } };
};

describe('the national overview dashboard', () => {
  it('is valid against the dashboard JSON schema, with a stable uid', async () => {
    const nat = await loadNationalFile(join(root, 'inventory/examples/national.yaml'));
    const schema = JSON.parse(await readFile(join(root, '../shared/schemas/grafana-dashboard.jsonschema.json'), 'utf8')) as object;
    const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
    const files = nationalDashboardFiles(nat);
    expect(files.map((f) => f.path)).toEqual([`grafana/dashboards/${NATIONAL_DASHBOARD_UID}.json`]);
    const d = JSON.parse(files[0]!.content) as object;
    expect(validate(d) ? [] : validate.errors).toEqual([]);
  });

  it('provinces first, then the worst units; every province anchored at UNKNOWN; NO DATA never green', async () => {
    const nat = await loadNationalFile(join(root, 'inventory/examples/national.yaml'));
    const d = nationalDashboard(nat) as unknown as { panels: Panel[] };
    const panels = d.panels.filter((p) => p.type !== 'row');
    const provincesAt = panels.findIndex((p) => p.title?.startsWith('Các tỉnh'));
    const worstAt = panels.findIndex((p) => p.title?.startsWith('Đơn vị NO-GO'));
    expect(provincesAt).toBeGreaterThan(-1);
    expect(worstAt).toBeGreaterThan(provincesAt);
    for (const p of nat.provinces) expect(provinceStateExpr(nat)).toContain(`"province", "${p.code}"`);
    // Each province's conclusions count only while fresher than its window.
    expect(effectiveUnitCode(nat)).toContain(`<= ${nationalFreshnessSeconds(nat.provinces[0]!) - STORE_LATENCY_OFFSET_SECONDS}`);
    expect(panels[worstAt]!.targets![0]!.expr).toContain(SERIES.unitCode);
    for (const p of panels) {
      expect(p.fieldConfig?.defaults?.noValue, p.title).toBe('NO DATA');
      const steps = p.fieldConfig?.defaults?.thresholds?.steps;
      if (steps) expect(steps[0]!.color, p.title).toBe('red');
    }
  });
});
