// The lab's address plan and its inventory, as pure functions of the example inventory.
//
// The stand-ins stay in the current network namespace, on a dummy interface that carries one
// "services" address per loopback address the inventory probes (127.0.0.1 -> 10.200.0.1, …).
// Each site gets a namespace of its own, joined to the current one by two veth pairs:
//   primary  10.201.<unit>.<4·site>/30   gateway .1 (current namespace), site .2 (`prim`)
//   backup   10.202.<unit>.<4·site>/30   gateway .1 (current namespace), site .2 (`back`)
// The lab inventory is the example with the probes aimed at the services addresses and the
// sites' links, gateways and the units' subnets moved into these ranges; the normal loader
// checks it before anything uses it.
import {
  InputError,
  allSites,
  durationSeconds,
  unitChecklist,
  type ChecklistOverride,
  type Inventory,
  type LinkName,
  type Probe,
  type Unit,
} from '../../inventory/index.ts';

/** The ranges the lab owns inside the namespaces it creates; nothing else is ever addressed. */
export const LAB_RANGES = ['10.200.0.0/16', '10.201.0.0/16', '10.202.0.0/16'] as const;
const FIRST_OCTETS = { services: '10.200', primary: '10.201', backup: '10.202' } as const;

/** Routing tables inside a site namespace: probes bound to a link's address leave over that link. */
export const LINK_TABLE: Record<LinkName, number> = { primary: 101, backup: 102 };
/** Interface names inside a site namespace (each namespace has its own, so they never collide). */
export const NS_IF: Record<LinkName, string> = { primary: 'prim', backup: 'back' };

export interface LabLink {
  link: LinkName;
  /** The veth end in the current namespace (the link's gateway side). */
  hostIf: string;
  nsIf: string;
  gateway: string;
  address: string;
  /** The /30 both ends share. */
  network: string;
  table: number;
}

export interface LabSite {
  siteId: string;
  unitCode: string;
  ns: string;
  links: LabLink[];
}

export interface LabPlan {
  /** Unique per run: `<pid>-<seq>`; in the namespace names. */
  run: string;
  pid: number;
  /** Short random tag in the interface names of the current namespace (15 characters at most). */
  tag: string;
  dummy: string;
  /** What every interface this run creates in the current namespace carries as its alias. */
  alias: string;
  /** Loopback address in the example -> the services address that replaces it. */
  services: Map<string, string>;
  sites: LabSite[];
}

export const ALIAS_PREFIX = 'sansang-lab pid=';
export const NS_PREFIX = 'ss-';

/** Namespace names: `ss-<pid>-<seq>-<n>`; the pid tells a later run whether the owner is alive. */
export function parseNsOwner(name: string): number | undefined {
  const m = /^ss-(\d+)-\d+-\d+$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

export function parseAliasOwner(alias: string | undefined): number | undefined {
  if (!alias?.startsWith(ALIAS_PREFIX)) return undefined;
  const n = Number(alias.slice(ALIAS_PREFIX.length));
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The loopback addresses the inventory's probes aim at, in order of first use. */
export function probedLoopbacks(inv: Inventory): string[] {
  const seen: string[] = [];
  for (const s of inv.services)
    for (const p of s.probes) for (const h of probeHosts(p)) if (isLoopbackV4(h) && !seen.includes(h)) seen.push(h);
  return seen;
}

// A probe's target, whatever its kind, where the kinds keep it: `host`, `server`, or the host of
// `url`. A kind that keeps it elsewhere is left as it is (its probes are not moved into the lab).
const HOST_FIELDS = ['host', 'server'] as const;

/** The hosts a probe is sent to. */
export function probeHosts(p: Probe): string[] {
  const fields: Partial<Record<string, unknown>> = p;
  const hosts = HOST_FIELDS.flatMap((f) => (typeof fields[f] === 'string' ? [fields[f]] : []));
  // The forwarding canary's two servers.
  if (p.kind === 'mail-forward') hosts.push(p.smtp.host, p.imap.host);
  if (typeof fields.url === 'string') hosts.push(new URL(fields.url).hostname);
  return hosts;
}

function isLoopbackV4(h: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export function makePlan(inv: Inventory, run: { pid: number; seq: number; tag: string }): LabPlan {
  if (!/^[a-z0-9]{1,6}$/.test(run.tag)) throw new Error(`bad lab tag "${run.tag}"`);
  const loopbacks = probedLoopbacks(inv);
  if (loopbacks.length > 250)
    throw new InputError(
      `the lab gives every probed loopback address a services address of its own; ${loopbacks.length} is too many (250 at most)`,
    );
  const services = new Map(loopbacks.map((h, i) => [h, `${FIRST_OCTETS.services}.0.${i + 1}`]));
  if (inv.units.length > 256) throw new InputError(`the lab has room for 256 units, the inventory has ${inv.units.length}`);
  const sites: LabSite[] = [];
  inv.units.forEach((unit, u) => {
    if (unit.sites.length > 64) throw new InputError(`the lab has room for 64 sites per unit; unit ${unit.code} has ${unit.sites.length}`);
    unit.sites.forEach((site, j) => {
      const n = sites.length;
      const links: LabLink[] = (['primary', 'backup'] as const)
        .filter((l) => l === 'primary' || site.links.backup)
        .map((link) => {
          const base = `${FIRST_OCTETS[link]}.${u}`;
          return {
            link,
            hostIf: `s${run.tag}${link === 'primary' ? 'p' : 'b'}${n}`,
            nsIf: NS_IF[link],
            gateway: `${base}.${4 * j + 1}`,
            address: `${base}.${4 * j + 2}`,
            network: `${base}.${4 * j}/30`,
            table: LINK_TABLE[link],
          };
        });
      sites.push({ siteId: site.id, unitCode: unit.code, ns: `${NS_PREFIX}${run.pid}-${run.seq}-${n}`, links });
    });
  });
  return {
    run: `${run.pid}-${run.seq}`,
    pid: run.pid,
    tag: run.tag,
    dummy: `s${run.tag}svc`,
    alias: `${ALIAS_PREFIX}${run.pid}`,
    services,
    sites,
  };
}

export function labSite(plan: LabPlan, siteId: string): LabSite {
  const s = plan.sites.find((x) => x.siteId === siteId);
  if (!s) throw new InputError(`no site "${siteId}" in the lab; sites: ${plan.sites.map((x) => x.siteId).join(', ')}`);
  return s;
}

export function labLink(plan: LabPlan, siteId: string, link: LinkName): LabLink {
  const l = labSite(plan, siteId).links.find((x) => x.link === link);
  if (!l) throw new InputError(`site ${siteId} has no ${link} link`);
  return l;
}

export interface LabInventoryOptions {
  /** Probe interval for the lab's agents (default: the inventory's). */
  interval?: string;
  /**
   * Cap every checklist item's `for` at this duration (tests and the benchmark: a restored link
   * turns GO again within seconds instead of minutes).
   */
  maxFor?: string;
}

/**
 * The inventory the lab runs: services probed at the services addresses, every site's links in
 * the lab's ranges, each unit's subnet (primary) and backup subnet holding its sites' addresses.
 */
export function labInventory(inv: Inventory, plan: LabPlan, o: LabInventoryOptions = {}): Inventory {
  const swap = (h: string) => plan.services.get(h) ?? h;
  // A URL list's URLs are in its CSV, which the lab does not rewrite: its services stay out of the lab.
  const services = inv.services
    .filter((s) => !s.probes.some((p) => p.kind === 'url-list'))
    .map((s) => ({ ...s, probes: s.probes.map((p) => retarget(p, swap)) }));
  const units = inv.units.map((unit, u) => ({
    ...unit,
    subnet: `${FIRST_OCTETS.primary}.${u}.0/24`,
    backupSubnet: `${FIRST_OCTETS.backup}.${u}.0/24`,
    sites: unit.sites.map((site) => {
      const ls = plan.sites.find((x) => x.siteId === site.id)!;
      const linkOf = (name: LinkName) => ls.links.find((l) => l.link === name)!;
      const primary = { ...site.links.primary, address: linkOf('primary').address, gateway: linkOf('primary').gateway };
      const backup = site.links.backup
        ? { ...site.links.backup, address: linkOf('backup').address, gateway: linkOf('backup').gateway }
        : undefined;
      return { ...site, links: backup ? { primary, backup } : { primary } };
    }),
    checklist: o.maxFor ? capFor(inv, unit, o.maxFor) : unit.checklist,
  }));
  return {
    ...inv,
    services,
    units,
    agent: { ...inv.agent, ...(o.interval ? { interval: o.interval } : {}) },
  };
}

/** The probe sent to `swap(host)` instead of each host it is sent to. */
function retarget(p: Probe, swap: (h: string) => string): Probe {
  const out: Record<string, unknown> = { ...p };
  for (const f of HOST_FIELDS) if (typeof out[f] === 'string') out[f] = swap(out[f]);
  for (const f of ['smtp', 'imap'] as const) {
    const e = out[f] as { host?: unknown } | undefined;
    if (p.kind === 'mail-forward' && e && typeof e.host === 'string') out[f] = { ...e, host: swap(e.host) };
  }
  if (typeof out.url === 'string') {
    const u = new URL(out.url);
    const to = swap(u.hostname);
    if (to !== u.hostname) {
      u.hostname = to;
      out.url = u.toString();
    }
  }
  // The same probe, a host for a host.
  return out as Probe;
}

// ---------------------------------------------------------------- shorter `for` durations

/** The unit's override with `for` capped at `max` for every item of the unit's checklist. */
function capFor(inv: Inventory, unit: Unit, max: string): ChecklistOverride {
  const cap = durationSeconds(max);
  const base: ChecklistOverride = unit.checklist ?? { drop: [], add: [], thresholds: {} };
  const thresholds = { ...base.thresholds };
  for (const item of unitChecklist(inv, unit))
    if (durationSeconds(item.for) > cap) thresholds[item.id] = { ...thresholds[item.id], for: max };
  return { ...base, thresholds };
}

/** Every site id the plan covers, in the inventory's order (a check that plan and inventory agree). */
export function planCovers(inv: Inventory, plan: LabPlan): boolean {
  const ids = allSites(inv).map((r) => r.site.id);
  return ids.length === plan.sites.length && ids.every((id, i) => plan.sites[i]!.siteId === id);
}
