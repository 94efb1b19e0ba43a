// `sansang inventory import`: one province of the official conversion table becomes an
// inventory. Alone it writes a skeleton whose data centers a person fills in (marked TODO);
// with --base (the province template, or the province's own inventory) it keeps the engineer's
// data centers, services, checklist and every allocation already made, so re-importing never
// moves a unit to another subnet or portal address, and gives every other unit its portal from
// the base's portal plan. A demo inventory, or one with loopback or TODO values, is refused as a
// base: nothing of a demo may reach a province.
import { Document, isMap, isSeq, type YAMLMap } from 'yaml';
import { attachLegacy, parseLegacyTable, type LegacyRow } from './legacy.ts';
import { readInventoryFile } from './load.ts';
import { InputError, formatProblem } from './problems.ts';
import { findProvince, parseNsoCsv, type NsoProvince, type NsoUnit } from './nso.ts';
import { allocateBlocks, cidrSize, formatCidr4, nthAddress, parseCidr4, type Cidr4 } from './net.ts';
import { planPortals } from './portal-plan.ts';
import type { Inventory, InventoryInput, OldUnit } from './schema.ts';
import { uniqueSlugs } from './slug.ts';

/** The province template the README tells engineers to start from. */
export const PROVINCE_TEMPLATE = 'inventory/examples/province-template.yaml';

export interface ImportOptions {
  csv: string;
  csvFile: string;
  province: string;
  siteCidr?: string;
  unitPrefix?: number;
  baseFile?: string;
  /** The old units' portals (CSV text) and the file it came from. */
  legacy?: { text: string; file: string };
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
    if (!r.inventory || r.problems.length)
      throw new ImportError(
        `--base ${opts.baseFile} is not a valid inventory, and nothing of it is imported:
  ${r.problems.map(formatProblem).join('\n  ')}\n` +
          `Fix these in ${opts.baseFile}, or start from the province template: copy ${PROVINCE_TEMPLATE}, put in your data centers, services and portal plan, and import onto your copy.`,
      );
    base = r.inventory;
  }
  const legacy = opts.legacy ? { rows: parseLegacyTable(opts.legacy.text, opts.legacy.file), file: opts.legacy.file } : undefined;
  return buildImport(province, { ...opts, base, legacy });
}

export interface BuildOptions {
  siteCidr?: string;
  unitPrefix?: number;
  base?: Inventory;
  /** Where the base came from, for messages. */
  baseFile?: string;
  legacy?: { rows: readonly LegacyRow[]; file: string };
}

export function buildImport(province: NsoProvince, opts: BuildOptions): ImportResult {
  const prefix = opts.unitPrefix ?? 26;
  const base = opts.base;
  if (base?.demo)
    throw new ImportError(
      `--base ${opts.baseFile ?? 'inventory'} is a demo inventory (demo: true): its services are stand-ins on this machine and must not reach a province. ` +
        `Start from the province template instead: copy ${PROVINCE_TEMPLATE}, put in your data centers, services and portal plan, and import with --base YOUR-COPY.yaml.`,
    );
  const baseUnits = new Map((base?.units ?? []).map((u) => [u.code, u]));
  const slugs = uniqueSlugs(province.units.map((u) => ({ key: u.code, name: u.name, code: u.code })));
  const subnets = allocateSubnets(province.units, prefix, opts.siteCidr, base);
  const portals = unitPortals(province, slugs, baseUnits, base);

  const units: UnitInput[] = province.units.map((n) => {
    const kept = baseUnits.get(n.code);
    const fromTable = { code: n.code, name: n.name, kind: n.kind, mergedFrom: n.mergedFrom.map(oldUnit) };
    const portal = kept?.portal ?? portals.get(n.code);
    if (kept) return { ...kept, ...fromTable, subnet: kept.subnet ?? subnets.get(n.code), ...(portal ? { portal } : {}) };
    return {
      ...fromTable,
      hotSpot: false,
      subnet: subnets.get(n.code),
      ...(portal ? { portal } : {}),
      sites: [headquarters(n, slugs.get(n.code)!, subnets.get(n.code))],
    };
  });
  if (opts.legacy) addLegacy(units, opts.legacy);
  const dropped = [...baseUnits.keys()].filter((c) => !province.units.some((u) => u.code === c));

  const inventory: InventoryInput = base
    ? {
        ...withoutDemoFlag(pruneDropped(structuredClone(base), new Set(dropped))),
        // The province is the one imported, named as the table names it.
        province: { ...base.province, code: province.code, name: province.name },
        units,
      }
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
  const planned = province.units.filter((u) => !baseUnits.get(u.code)?.portal && portals.has(u.code)).length;
  const withPortal = units.filter((u) => u.portal).length;
  const summary = [
    `${units.length} units of ${province.name} (${province.code})${base ? `, merged into the base inventory` : ''}`,
    withPortal === units.length || base?.portalPlan
      ? `${withPortal} with a portal (${planned} new from the portal plan)`
      : `${units.length - withPortal} units have no portal and so no unit stack: give the base a portalPlan (see ${PROVINCE_TEMPLATE})`,
    ...(todo ? [`${todo} units still need a subnet (--site-cidr)`] : []),
    ...(dropped.length ? [`dropped base units not in this province: ${dropped.join(', ')}`] : []),
  ].join('; ');
  return { yaml: doc.toString({ lineWidth: 0 }), inventory, summary };
}

/** Portals from the base's plan for the units that have none yet (none without a plan). */
function unitPortals(
  province: NsoProvince,
  slugs: Map<string, string>,
  baseUnits: Map<string, Inventory['units'][number]>,
  base?: Inventory,
) {
  if (!base?.portalPlan) return new Map<string, NonNullable<UnitInput['portal']>>();
  const keptPortals = [...baseUnits.values()].flatMap((u) => (u.portal ? [u.portal] : []));
  const pending = province.units.filter((u) => !baseUnits.get(u.code)?.portal).map((u) => ({ code: u.code, slug: slugs.get(u.code)! }));
  return planPortals(pending, { plan: base.portalPlan, provinceName: province.name, dataCenters: base.dataCenters, keptPortals });
}

/** The legacy table's hostnames and kept paths added to the units they merged into. */
function addLegacy(units: UnitInput[], legacy: NonNullable<BuildOptions['legacy']>): void {
  const attached = attachLegacy(
    legacy.rows,
    units.map((u) => ({
      code: u.code,
      name: u.name,
      mergedFrom: u.mergedFrom ?? [],
      hostname: u.portal?.hostname,
      legacyHostnames: u.portal?.legacyHostnames ?? [],
    })),
    legacy.file,
  );
  for (const u of units) {
    const add = attached.get(u.code);
    if (!add || !u.portal) continue;
    const union = (a: readonly string[] | undefined, b: readonly string[]) => [...new Set([...(a ?? []), ...b])];
    u.portal = {
      ...u.portal,
      legacyHostnames: union(u.portal.legacyHostnames, add.hostnames),
      keepPaths: union(u.portal.keepPaths, add.keepPaths),
    };
  }
}

/** The base's `demo: false` is the default: not written out. */
function withoutDemoFlag(inv: Inventory): Omit<Inventory, 'demo'> {
  const { demo: _demo, ...rest } = inv;
  return rest;
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
  const { allocated, exhaustedAt } = allocateBlocks(pending, [space], prefix, taken);
  if (exhaustedAt) throw new ImportError(`--site-cidr ${siteCidr} has no free /${prefix} left for unit ${exhaustedAt}: widen it`);
  for (const [code, block] of allocated) out.set(code, formatCidr4(block));
  return out;
}

function header(p: NsoProvince, opts: BuildOptions, hasBase: boolean, dropped: string[]): string {
  const lines = [
    ` Inventory of ${p.name} (${p.code}), imported by \`sansang inventory import\` from the official`,
    ` conversion table of administrative units in force from 1 July 2025 (NSO).`,
    ` ${p.units.length} merged units, one headquarters site each${opts.siteCidr ? `, subnets of /${opts.unitPrefix ?? 26} from ${opts.siteCidr}` : ''}.`,
    ...(opts.base?.portalPlan ? [' Every unit has a portal from the portal plan; re-importing keeps its hostname and addresses.'] : []),
    ...(opts.legacy ? [` Legacy hostnames of the old units from ${opts.legacy.file}.`] : []),
  ];
  if (!hasBase) {
    lines.push(
      '',
      ' To fill in by hand before `sansang inventory check` passes: every value that starts with',
      " TODO (the two data centers), the services every site must reach, and each site's",
      ' addresses if no --site-cidr was given. Better: copy the province template',
      ` (${PROVINCE_TEMPLATE}), fill in your data centers, services and portal plan, and`,
      ' import with --base YOUR-COPY.yaml: every unit then gets its portal too.',
    );
  }
  if (dropped.length) lines.push('', ` Units of the base inventory that are not in this province were left out: ${dropped.join(', ')}.`);
  return lines.join('\n');
}

function commentTodo(doc: Document): void {
  const dcs = doc.get('dataCenters', true);
  if (isSeq(dcs)) dcs.commentBefore = ` TODO: the primary and backup data centers (see ${PROVINCE_TEMPLATE})`;
  const services = doc.get('services', true);
  if (services && (isSeq(services) || isMap(services)))
    (services as YAMLMap).commentBefore = ' TODO: the services every site must reach, with their probes';
}
