// The importer on the real conversion table: a skeleton that validates but for what a person
// must fill, a complete inventory with --base, and an address plan that never moves a unit.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { diffInventories } from './diff.ts';
import { buildImport, allocateSubnets, importProvince, ImportError } from './importer.ts';
import { LegacyTableError, parseLegacyTable } from './legacy.ts';
import { loadInventoryText, parseInventory } from './load.ts';
import { findProvince, parseNsoCsv, type NsoTable } from './nso.ts';
import { cidrContains, cidrsOverlap, parseCidr4 } from './net.ts';
import type { Inventory } from './schema.ts';

const repo = resolve(import.meta.dirname, '..');
const csvFile = resolve(repo, '../shared/data/nso-dvhc-2025-07.csv');
let table: NsoTable;
let demo: Inventory;
let template: Inventory;

const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

beforeAll(() => {
  table = parseNsoCsv(readFileSync(csvFile, 'utf8'), csvFile);
  demo = loadInventoryText(readFileSync(resolve(repo, 'inventory/examples/demo.yaml'), 'utf8'), 'demo.yaml');
  template = loadInventoryText(readFileSync(resolve(repo, 'inventory/examples/province-template.yaml'), 'utf8'), 'template.yaml');
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

describe('import onto the province template', () => {
  it('gives a complete inventory that validates as it is: the province named by the table, a portal for every unit', () => {
    const r = buildImport(findProvince(table, '40'), { siteCidr: '10.40.0.0/16', base: template });
    const inv = loadInventoryText(r.yaml, 'na.yaml');
    expect(inv.province).toMatchObject({ code: '40', name: 'Tỉnh Nghệ An' });
    expect(inv.units).toHaveLength(130);
    expect(inv.dataCenters.map((d) => d.id)).toEqual(['dc1', 'dc2']);
    expect(inv.services).toEqual(template.services);
    expect(inv.demo).toBe(false);
    expect(r.yaml).not.toMatch(/^demo:/m);
    const u = inv.units.find((x) => x.code === '16681')!;
    expect(u.portal).toMatchObject({
      hostname: 'phuong-thanh-vinh.nghean.gov.vn',
      certificate: 'certs/phuong-thanh-vinh.nghean.gov.vn.pem',
      backends: template.portalPlan!.backends,
    });
    // Every unit a portal, hostnames and addresses unique, addresses in the plan's ranges and never .0 or .255.
    expect(inv.units.every((x) => x.portal)).toBe(true);
    expect(new Set(inv.units.map((x) => x.portal!.hostname)).size).toBe(130);
    for (const dc of ['dc1', 'dc2']) {
      const ips = inv.units.map((x) => x.portal!.addresses[dc]!);
      expect(new Set(ips).size).toBe(130);
      const range = parseCidr4(template.portalPlan!.addresses[dc]![0]!)!;
      for (const ip of ips) {
        expect(cidrContains(range, ip), ip).toBe(true);
        expect(ip).not.toMatch(/\.(0|255)$/);
      }
    }
    // In code order: the lowest code takes the first address.
    const first = [...inv.units].sort((a, b) => (a.code < b.code ? -1 : 1))[0]!;
    expect(first.portal!.addresses).toEqual({ dc1: '172.20.2.1', dc2: '172.21.2.1' });
    expect(r.summary).toMatch(/130 with a portal \(130 new from the portal plan\)/);
  });

  it('is deterministic: the same table and base give the same file', () => {
    const a = buildImport(findProvince(table, '79'), { siteCidr: '10.79.0.0/16', base: template }).yaml;
    const b = buildImport(findProvince(table, '79'), { siteCidr: '10.79.0.0/16', base: template }).yaml;
    expect(a).toBe(b);
    expect(loadInventoryText(a, 'hcm.yaml').units).toHaveLength(168);
  });

  it('refuses the demo inventory as a base, naming the template to use instead', () => {
    expect(() => buildImport(findProvince(table, '01'), { siteCidr: '10.1.0.0/16', base: demo, baseFile: 'demo.yaml' })).toThrow(
      /--base demo\.yaml is a demo inventory \(demo: true\).*copy inventory\/examples\/province-template\.yaml/,
    );
  });

  it('refuses a base with loopback or TODO values, at their lines, and says what to use instead', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sansang-import-'));
    const base = join(dir, 'base.yaml');
    const text = readFileSync(resolve(repo, 'inventory/examples/province-template.yaml'), 'utf8')
      .replace('host: 172.20.1.10', 'host: 127.0.0.1')
      .replace('parent: eth1, subnet: 172.21.0.0/22', 'parent: TODO, subnet: 172.21.0.0/22');
    writeFileSync(base, text);
    const csv = readFileSync(csvFile, 'utf8');
    const err = await importProvince({ csv, csvFile, province: '40', siteCidr: '10.40.0.0/16', baseFile: base }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ImportError);
    const message = (err as Error).message;
    expect(message).toContain(`${base}:${lineOf(text, 'host: 127.0.0.1')}:`);
    expect(message).toMatch(/127\.0\.0\.1 is on this machine \(loopback\)/);
    expect(message).toContain(`${base}:${lineOf(text, 'parent: TODO')}:`);
    expect(message).toMatch(/start from the province template: copy inventory\/examples\/province-template\.yaml/);
  });

  it('drops base units that are not in the province, and says so', () => {
    const nghean = loadInventoryText(buildImport(findProvince(table, '40'), { siteCidr: '10.40.0.0/16', base: template }).yaml, 'na.yaml');
    const r = buildImport(findProvince(table, '01'), { siteCidr: '10.1.0.0/16', base: nghean });
    expect(r.summary).toMatch(/dropped base units not in this province: 16681, /);
    const hanoi = loadInventoryText(r.yaml, 'hn.yaml');
    expect(hanoi.units).toHaveLength(126);
    expect(hanoi.province.name).toBe('Thành phố Hà Nội');
  });

  it('without a portal plan, says the units get no portal and so no unit stack', () => {
    const { portalPlan: _plan, ...planless } = template;
    const r = buildImport(findProvince(table, '40'), { siteCidr: '10.40.0.0/16', base: planless });
    expect(r.summary).toMatch(/130 units have no portal and so no unit stack: give the base a portalPlan/);
  });

  it('says which range to widen when the portal addresses run out', () => {
    const narrow = { ...template, portalPlan: { ...template.portalPlan!, addresses: { dc1: ['172.20.2.0/26'], dc2: ['172.21.2.0/23'] } } };
    expect(() => buildImport(findProvince(table, '40'), { siteCidr: '10.40.0.0/16', base: narrow })).toThrow(
      /portalPlan\.addresses\.dc1 \(172\.20\.2\.0\/26\) has no free address left for unit \d{5}: 130 units need one: widen the range/,
    );
  });
});

describe('legacy hostnames of the old units', () => {
  const nghean = () => findProvince(table, '40');
  const rows = (csv: string) => parseLegacyTable(csv, 'legacy.csv');
  const conflicts = (fn: () => unknown): string[] => {
    try {
      fn();
    } catch (e) {
      if (e instanceof LegacyTableError) return e.problems;
      throw e;
    }
    throw new Error('no conflict reported');
  };

  it('go to the new unit each old unit merged into, with the paths to keep', () => {
    // 16663 Phường Đông Vĩnh and 16669 Phường Lê Lợi went into 16681 Phường Thành Vinh; a spreadsheet dropped the zeros of neither.
    const legacy = rows(
      'old_code,hostname,keep_paths\n16663,dongvinh.vinhcity.gov.vn,/api/tracuu /api/v1\n16669,leloi.vinhcity.gov.vn,\n16669,LELOI.vinhcity.gov.vn.,/api/v1\n',
    );
    const inv = loadInventoryText(
      buildImport(nghean(), { siteCidr: '10.40.0.0/16', base: template, legacy: { rows: legacy, file: 'legacy.csv' } }).yaml,
      'na.yaml',
    );
    const u = inv.units.find((x) => x.code === '16681')!;
    expect(u.portal!.legacyHostnames).toEqual(['dongvinh.vinhcity.gov.vn', 'leloi.vinhcity.gov.vn']);
    expect(u.portal!.keepPaths).toEqual(['/api/tracuu', '/api/v1']);
    expect(inv.units.filter((x) => x.portal!.legacyHostnames.length)).toHaveLength(1);
  });

  it('reads Vietnamese column names and puts back the zeros a spreadsheet dropped', () => {
    expect(rows('Mã xã cũ,Tên miền\n4,a.hanoi.gov.vn\n')).toEqual([
      { oldCode: '00004', hostname: 'a.hanoi.gov.vn', keepPaths: [], line: 2 },
    ]);
  });

  it('report every conflict at its line, and import nothing', () => {
    const legacy = rows(
      [
        'old_code,hostname,keep_paths,new_code',
        '16663,shared.vinhcity.gov.vn,,',
        '16673,shared.vinhcity.gov.vn,,',
        '99999,nowhere.nghean.gov.vn,,',
        '16663,phuong-truong-vinh.nghean.gov.vn,,',
        '16663,wrong.nghean.gov.vn,,16690',
      ].join('\n'),
    );
    const problems = conflicts(() =>
      buildImport(nghean(), { siteCidr: '10.40.0.0/16', base: template, legacy: { rows: legacy, file: 'legacy.csv' } }),
    );
    expect(problems).toEqual([
      'legacy.csv:3: shared.vinhcity.gov.vn already goes to unit 16681 (line 2); an old hostname belongs to one new unit',
      'legacy.csv:4: old unit 99999 did not merge into any unit of this province',
      'legacy.csv:5: phuong-truong-vinh.nghean.gov.vn is the new portal of unit 16690, not a legacy hostname',
      'legacy.csv:6: old unit 16663 did not go into 16690 but into 16681 Phường Thành Vinh',
    ]);
  });

  it('of an old unit split between new units go where new_code says, and without it are a conflict', () => {
    // Hà Nội's old 00016 went into 00004 and 00008.
    const hanoi = findProvince(table, '01');
    const into = hanoi.units.filter((u) => u.mergedFrom.some((o) => o.code === '00016')).map((u) => `${u.code} ${u.name}`);
    expect(into).toHaveLength(2);
    const split = rows('old_code,hostname,new_code\n16,cu-00016.hanoi.gov.vn,\n');
    expect(
      conflicts(() => buildImport(hanoi, { siteCidr: '10.1.0.0/16', base: template, legacy: { rows: split, file: 'legacy.csv' } })),
    ).toEqual([
      `legacy.csv:2: old unit 00016 was split between ${into[0]} and ${into[1]}: name the one its portal goes to in the new_code column`,
    ]);
    const chosen = rows('old_code,hostname,new_code\n16,cu-00016.hanoi.gov.vn,8\n');
    const inv = loadInventoryText(
      buildImport(hanoi, { siteCidr: '10.1.0.0/16', base: template, legacy: { rows: chosen, file: 'l.csv' } }).yaml,
      'hn.yaml',
    );
    expect(inv.units.find((u) => u.code === '00008')!.portal!.legacyHostnames).toEqual(['cu-00016.hanoi.gov.vn']);
  });

  it('refuses a row that is not a code, a hostname or a path, at its line', () => {
    expect(() => rows('old_code,hostname,keep_paths\nabc,x.gov.vn,\n16663,bad host,\n16663,ok.gov.vn,api\n')).toThrow(
      /legacy\.csv:2: old_code "abc" is not a unit code[\s\S]*legacy\.csv:3: "bad host" is not a hostname[\s\S]*legacy\.csv:4: "api" is not a path/,
    );
    expect(() => rows('code,host\n1,a.gov.vn\n')).toThrow(/legacy\.csv:1: the first line names the columns: old_code,hostname/);
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

  it('keeps every unit in its subnet and its portal across a re-import, and gives a new unit the lowest free ones', () => {
    const p = findProvince(table, '40');
    const first = loadInventoryText(buildImport(p, { siteCidr: '10.40.0.0/16', base: template }).yaml, 'a.yaml');
    // A unit disappears and comes back (as when an engineer deletes it by mistake and re-imports).
    const gone = first.units[7]!;
    const without = { ...first, units: first.units.filter((u) => u !== gone) };
    const second = loadInventoryText(buildImport(p, { siteCidr: '10.40.0.0/16', base: without }).yaml, 'b.yaml');
    for (const u of first.units) {
      const again = second.units.find((x) => x.code === u.code)!;
      expect(again.subnet).toBe(u.subnet);
      expect(again.portal).toEqual(u.portal);
    }
    // Nothing else moved, so it takes back exactly what it had.
    expect(diffInventories(first, second)).toMatchObject({ added: [], dropped: [], moved: [], kept: 130 });
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
