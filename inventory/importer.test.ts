// The importer on the real conversion table: a skeleton that validates but for what a person
// must fill, a complete inventory with --base, and an address plan that never moves a unit.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildImport, allocateSubnets } from './importer.ts';
import { loadInventoryText, parseInventory } from './load.ts';
import { findProvince, parseNsoCsv, type NsoTable } from './nso.ts';
import { cidrsOverlap, parseCidr4 } from './net.ts';
import type { Inventory } from './schema.ts';

const repo = resolve(import.meta.dirname, '..');
const csvFile = resolve(repo, '../shared/data/nso-dvhc-2025-07.csv');
let table: NsoTable;
let demo: Inventory;

beforeAll(() => {
  table = parseNsoCsv(readFileSync(csvFile, 'utf8'), csvFile);
  demo = loadInventoryText(readFileSync(resolve(repo, 'inventory/examples/demo.yaml'), 'utf8'), 'demo.yaml');
});

describe('import without a base inventory', () => {
  it('writes all 130 units of Nghệ An, and the check names only the fields a person must fill', () => {
    const r = buildImport(findProvince(table, '40'), { siteCidr: '10.40.0.0/16' });
    const doc = parse(r.yaml) as { units: { code: string; subnet: string; sites: unknown[] }[] };
    expect(doc.units).toHaveLength(130);
    expect(doc.units.every((u) => u.sites.length === 1)).toBe(true);
    expect(r.yaml).toMatch(/^# Inventory of Tỉnh Nghệ An \(40\)/);
    expect(r.yaml).toContain('TODO');
    const problems = parseInventory(r.yaml, 'na.yaml').problems;
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) {
      expect(p.message).toMatch(/^dataCenters\[\d\]\.[a-zA-Z.]+: still to be filled in by hand \(TODO/);
    }
  });

  it('keeps each old unit with its district, share and the note as published', () => {
    const r = buildImport(findProvince(table, '40'), { siteCidr: '10.40.0.0/16' });
    const u = (
      parse(r.yaml) as {
        units: { code: string; mergedFrom: { code: string; name: string; share: string; note: string; district: { code: string } }[] }[];
      }
    ).units.find((x) => x.code === '16681')!;
    expect(u.mergedFrom.map((m) => m.name)).toContain('Phường Đông Vĩnh');
    const dv = u.mergedFrom.find((m) => m.code === '16663')!;
    expect(dv).toMatchObject({ share: 'whole', note: 'Nhập toàn bộ', district: { code: '412' } });
  });

  it('marks site addresses TODO when no site CIDR is given', () => {
    const r = buildImport(findProvince(table, '40'), {});
    const problems = parseInventory(r.yaml, 'na.yaml').problems;
    expect(problems.some((p) => /units\[0\]\.sites\[0\]\.links\.primary\.address: still to be filled in by hand/.test(p.message))).toBe(
      true,
    );
    expect(r.summary).toMatch(/130 units still need a subnet/);
  });

  it('treats --province 1 and 01 alike', () => {
    expect(findProvince(table, '1')).toBe(findProvince(table, '01'));
    expect(findProvince(table, '1').units).toHaveLength(126);
  });
});

describe('import onto a base inventory', () => {
  it('gives a complete inventory that validates as it is', () => {
    const r = buildImport(findProvince(table, '40'), { siteCidr: '10.40.0.0/16', base: demo });
    const inv = loadInventoryText(r.yaml, 'na.yaml');
    expect(inv.units).toHaveLength(130);
    expect(inv.dataCenters.map((d) => d.id)).toEqual(['dc1', 'dc2']);
    expect(inv.services.length).toBe(demo.services.length);
    // The units the base already described keep what the engineer wrote (portal, sites).
    const kept = inv.units.find((u) => u.code === '16681')!;
    expect(kept.portal?.hostname).toBe('thanhvinh.nghean.gov.vn');
    expect(kept.sites.map((s) => s.id)).toEqual(['thanh-vinh-hq', 'thanh-vinh-motcua']);
    expect(kept.subnet).toBe('127.0.1.0/26');
    // … but names and origins come from the table.
    expect(kept.name).toBe('Phường Thành Vinh');
    expect(kept.mergedFrom.length).toBeGreaterThan(3);
  });

  it('drops base units that are not in the province, and says so', () => {
    const r = buildImport(findProvince(table, '01'), { siteCidr: '10.1.0.0/16', base: demo });
    expect(r.summary).toMatch(/dropped base units not in this province: 16681, 16690, 17827/);
    expect(loadInventoryText(r.yaml, 'hn.yaml').units).toHaveLength(126);
  });
});

describe('the address plan', () => {
  it('allocates disjoint subnets of the chosen size, in code order', () => {
    const p = findProvince(table, '40');
    const plan = allocateSubnets(p.units, 26, '10.40.0.0/16');
    expect(plan.size).toBe(130);
    const codes = [...p.units.map((u) => u.code)].sort();
    expect(plan.get(codes[0]!)).toBe('10.40.0.0/26');
    expect(plan.get(codes[1]!)).toBe('10.40.0.64/26');
    const nets = [...plan.values()].map((s) => parseCidr4(s)!);
    for (let i = 0; i < nets.length; i++) for (let j = i + 1; j < nets.length; j++) expect(cidrsOverlap(nets[i]!, nets[j]!)).toBe(false);
  });

  it('keeps every unit in its subnet across a re-import, and gives a new unit the lowest free one', () => {
    const p = findProvince(table, '40');
    const first = loadInventoryText(buildImport(p, { siteCidr: '10.40.0.0/16', base: demo }).yaml, 'a.yaml');
    // A unit disappears and comes back (as when an engineer deletes it by mistake and re-imports).
    const gone = first.units.find((u) => u.code !== '16681' && u.code !== '16690' && u.code !== '17827')!;
    const without = { ...first, units: first.units.filter((u) => u !== gone) };
    const second = loadInventoryText(buildImport(p, { siteCidr: '10.40.0.0/16', base: without }).yaml, 'b.yaml');
    for (const u of first.units) if (u !== gone) expect(second.units.find((x) => x.code === u.code)?.subnet).toBe(u.subnet);
    expect(second.units.find((x) => x.code === gone.code)?.subnet).toBe(gone.subnet);
  });

  it('takes a different unit prefix', () => {
    const plan = allocateSubnets(findProvince(table, '40').units, 28, '10.40.0.0/16');
    expect([...plan.values()][0]).toMatch(/\/28$/);
  });

  it('says how large the CIDR must be when it is too small', () => {
    expect(() => allocateSubnets(findProvince(table, '40').units, 26, '10.40.0.0/24')).toThrow(
      '--site-cidr 10.40.0.0/24 holds 4 subnets of /26, but the province has 130 units: it must be a /18 or larger',
    );
    expect(() => allocateSubnets(findProvince(table, '40').units, 26, 'ten-forty')).toThrow(/must be an IPv4 subnet/);
  });
});
