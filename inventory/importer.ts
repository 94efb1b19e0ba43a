// `sansang inventory import`: one province of the official conversion table becomes an
// inventory. Alone it writes a skeleton whose data centers a person fills in (marked TODO);
// with --base it keeps the engineer's data centers, services, checklist and every allocation
// already made, so re-importing never moves a unit to another subnet.
import { Document, isMap, isSeq, type YAMLMap } from 'yaml';
import { readInventoryFile } from './load.ts';
import { InputError, InventoryError } from './problems.ts';
import { findProvince, parseNsoCsv, type NsoProvince, type NsoUnit } from './nso.ts';
import { cidrSize, cidrsOverlap, formatCidr4, nthAddress, nthSubnet, parseCidr4, type Cidr4 } from './net.ts';
import type { Inventory, InventoryInput, OldUnit } from './schema.ts';
import { uniqueSlugs } from './slug.ts';

export interface ImportOptions {
  csv: string;
  csvFile: string;
  province: string;
  siteCidr?: string;
  unitPrefix?: number;
  baseFile?: string;
}

export interface ImportResult {
  yaml: string;
  inventory: InventoryInput;
  summary: string;
}

export class ImportError extends InputError {
  override name = 'ImportError';
}

type UnitInput = NonNullable<InventoryInput['units']>[number];

export async function importProvince(opts: ImportOptions): Promise<ImportResult> {
  const table = parseNsoCsv(opts.csv, opts.csvFile);
  const province = findProvince(table, opts.province);
  let base: Inventory | undefined;
  if (opts.baseFile) {
    const r = await readInventoryFile(opts.baseFile);
    if (!r.inventory || r.problems.length) throw new InventoryError(r.problems);
    base = r.inventory;
  }
  return buildImport(province, { ...opts, base });
}

export function buildImport(province: NsoProvince, opts: { siteCidr?: string; unitPrefix?: number; base?: Inventory }): ImportResult {
  const prefix = opts.unitPrefix ?? 26;
  const base = opts.base;
  const baseUnits = new Map((base?.units ?? []).map((u) => [u.code, u]));
  const slugs = uniqueSlugs(province.units.map((u) => ({ key: u.code, name: u.name, code: u.code })));
  const subnets = allocateSubnets(province.units, prefix, opts.siteCidr, base);

  const units: UnitInput[] = province.units.map((n) => {
    const kept = baseUnits.get(n.code);
    const fromTable = { code: n.code, name: n.name, kind: n.kind, mergedFrom: n.mergedFrom.map(oldUnit) };
    if (kept) return { ...kept, ...fromTable, subnet: kept.subnet ?? subnets.get(n.code) };
    return { ...fromTable, hotSpot: false, subnet: subnets.get(n.code), sites: [headquarters(n, slugs.get(n.code)!, subnets.get(n.code))] };
  });
  const dropped = [...baseUnits.keys()].filter((c) => !province.units.some((u) => u.code === c));

  const inventory: InventoryInput = base
    ? { ...pruneDropped(structuredClone(base), new Set(dropped)), province: { ...base.province, code: province.code }, units }
    : {
        version: 1,
        province: {
          code: province.code,
          name: province.name,
          effectiveDate: '2025-07-01',
          watch: { from: '2025-07-01', to: '2025-07-07' },
          timezone: 'Asia/Ho_Chi_Minh',
        },
        dataCenters: (['primary', 'backup'] as const).map((role, i) => ({
          id: `dc${i + 1}`,
          name: `TODO: name of the ${role} data center`,
          role,
          dockerHost: 'TODO: ssh://user@docker-host',
          wan: { parent: 'TODO', subnet: 'TODO: WAN segment, e.g. 10.40.250.0/24', gateway: 'TODO: gateway address' },
          monitoring: { prometheus: 'TODO', alertmanager: 'TODO', grafana: 'TODO', blackbox: 'TODO', board: 'TODO' },
        })) as unknown as InventoryInput['dataCenters'],
        services: [],
        units,
      };

  const doc = new Document(inventory);
  doc.commentBefore = header(province, opts, !!base, dropped);
  if (!base) commentTodo(doc);
  const todo = units.filter((u) => !u.subnet).length;
  const summary = `${units.length} units of ${province.name} (${province.code})${base ? `, merged into ${base.province.name}'s inventory` : ''}${todo ? `; ${todo} units still need a subnet (--site-cidr)` : ''}${dropped.length ? `; dropped base units not in this province: ${dropped.join(', ')}` : ''}`;
  return { yaml: doc.toString({ lineWidth: 0 }), inventory, summary };
}

/** Removes what pointed at base units that are not in the imported province. */
function pruneDropped(inv: Inventory, dropped: Set<string>): Inventory {
  if (dropped.size === 0) return inv;
  const keep = (codes: string[]) => codes.filter((c) => !dropped.has(c));
  return {
    ...inv,
    // A service only for dropped units (their legacy portal, say) goes with them.
    services: inv.services.flatMap((s) => (!s.units ? [s] : keep(s.units).length ? [{ ...s, units: keep(s.units) }] : [])),
    teams: inv.teams.flatMap((t) => (keep(t.units).length ? [{ ...t, units: keep(t.units) }] : [])),
    maintenance: inv.maintenance.filter((m) => !dropped.has(m.unit)),
  };
}

function oldUnit(o: NsoUnit['mergedFrom'][number]): OldUnit {
  const out: OldUnit = {
    code: o.code,
    name: o.name,
    district: o.district,
    share: o.flags.part ? 'part' : 'whole',
    note: o.note,
  };
  if (o.flags.renamed) out.renamed = true;
  if (o.flags.typeChanged) out.typeChanged = true;
  if (o.flags.specialZone) out.specialZone = true;
  return out;
}

function headquarters(n: NsoUnit, slug: string, subnet: string | undefined): UnitInput['sites'][number] {
  const net = subnet ? parseCidr4(subnet) : null;
  const kind = n.kind === 'phuong' ? 'phường' : n.kind === 'dac_khu' ? 'đặc khu' : 'xã';
  return {
    id: `${slug.slice(0, 60)}-hq`.replace(/--+/g, '-'),
    name: `Trụ sở UBND ${kind} ${n.name.replace(/^(Phường|Xã|Xa|Đặc khu)\s+/u, '')}`,
    role: 'headquarters',
    links: {
      primary: net
        ? { kind: 'wan', address: nthAddress(net, 10), gateway: nthAddress(net, 1) }
        : { kind: 'wan', address: 'TODO: the site address (or import with --site-cidr)', gateway: 'TODO: its gateway' },
    },
  };
}

/**
 * Deterministic address plan: a unit keeps the subnet it has in the base inventory; every other
 * unit, in code order, takes the lowest /prefix of the site CIDR that overlaps nothing in use.
 */
export function allocateSubnets(
  units: readonly Pick<NsoUnit, 'code'>[],
  prefix: number,
  siteCidr: string | undefined,
  base?: Inventory,
): Map<string, string> {
  const out = new Map<string, string>();
  const taken: Cidr4[] = [];
  for (const u of base?.units ?? []) for (const s of [u.subnet, u.backupSubnet]) if (s && parseCidr4(s)) taken.push(parseCidr4(s)!);
  for (const d of base?.dataCenters ?? []) if (parseCidr4(d.wan.subnet)) taken.push(parseCidr4(d.wan.subnet)!);
  const keep = new Map((base?.units ?? []).filter((u) => u.subnet).map((u) => [u.code, u.subnet!]));
  const pending = units
    .filter((u) => !keep.has(u.code))
    .map((u) => u.code)
    .sort();
  for (const [code, s] of keep) out.set(code, s);
  if (!siteCidr || pending.length === 0) return out;

  const space = parseCidr4(siteCidr);
  if (!space) throw new ImportError(`--site-cidr must be an IPv4 subnet such as 10.40.0.0/16, not "${siteCidr}"`);
  if (prefix < space.prefix) throw new ImportError(`--unit-prefix /${prefix} is larger than --site-cidr ${siteCidr}`);
  const slots = cidrSize(space) / 2 ** (32 - prefix);
  const need = units.length;
  if (slots < need) {
    const bits = Math.ceil(Math.log2(need));
    throw new ImportError(
      `--site-cidr ${siteCidr} holds ${slots} subnets of /${prefix}, but the province has ${need} units: it must be a /${prefix - bits} or larger`,
    );
  }
  let next = 0;
  for (const code of pending) {
    let candidate: Cidr4;
    do {
      if (next >= slots) throw new ImportError(`--site-cidr ${siteCidr} has no free /${prefix} left for unit ${code}: widen it`);
      candidate = nthSubnet(space, prefix, next++);
    } while (taken.some((t) => cidrsOverlap(t, candidate)));
    taken.push(candidate);
    out.set(code, formatCidr4(candidate));
  }
  return out;
}

function header(p: NsoProvince, opts: { siteCidr?: string; unitPrefix?: number }, hasBase: boolean, dropped: string[]): string {
  const lines = [
    ` Inventory of ${p.name} (${p.code}), imported by \`sansang inventory import\` from the official`,
    ` conversion table of administrative units in force from 1 July 2025 (NSO).`,
    ` ${p.units.length} merged units, one headquarters site each${opts.siteCidr ? `, subnets of /${opts.unitPrefix ?? 26} from ${opts.siteCidr}` : ''}.`,
  ];
  if (!hasBase) {
    lines.push(
      '',
      ' To fill in by hand before `sansang inventory check` passes: every value that starts with',
      " TODO (the two data centers), the services every site must reach, and each site's",
      ' addresses if no --site-cidr was given. Or import with --base YOUR-INVENTORY.yaml to take',
      ' the data centers, services and checklist from an inventory you already wrote.',
    );
  }
  if (dropped.length) lines.push('', ` Units of the base inventory that are not in this province were left out: ${dropped.join(', ')}.`);
  return lines.join('\n');
}

function commentTodo(doc: Document): void {
  const dcs = doc.get('dataCenters', true);
  if (isSeq(dcs)) dcs.commentBefore = ' TODO: the primary and backup data centers (see inventory/examples/demo.yaml)';
  const services = doc.get('services', true);
  if (services && (isSeq(services) || isMap(services)))
    (services as YAMLMap).commentBefore = ' TODO: the services every site must reach, with their probes';
}
