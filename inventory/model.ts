// Derived views of a validated inventory that every consumer needs the same way: probe ids,
// a site's slice, unit slugs. Pure functions: the stacks, the agent and the board all call these.
import { unitChecklist } from './checklist.ts';
import {
  defaultProbeId,
  type ChecklistItem,
  type Inventory,
  type LinkName,
  type Probe,
  type Service,
  type Site,
  type Unit,
} from './schema.ts';
import { uniqueSlugs } from './slug.ts';
import { isIP } from 'node:net';

/** A probe's id within its service: given, or from its kind (`icmp`, `tcp-587`, `https`, `dns`). */
export function probeId(p: Probe): string {
  return p.id ? p.id : defaultProbeId(p);
}

/**
 * The host a probe is sent to, whatever its kind: where the kinds keep it (`host`, `server`, or
 * the host of `url`). For a cause that names it; an empty string for a kind that keeps it elsewhere.
 */
export function probeTarget(p: Probe): string {
  const fields: Partial<Record<string, unknown>> = p;
  for (const f of ['host', 'server'] as const) if (typeof fields[f] === 'string') return fields[f];
  if (typeof fields.url === 'string') return new URL(fields.url).hostname.replace(/^\[|\]$/g, '');
  return '';
}

export interface SiteRef {
  unit: Unit;
  site: Site;
}

export function allSites(inv: Inventory): SiteRef[] {
  return inv.units.flatMap((unit) => unit.sites.map((site) => ({ unit, site })));
}

export function findSite(inv: Inventory, siteId: string): SiteRef | undefined {
  return allSites(inv).find((r) => r.site.id === siteId);
}

export function siteLinks(site: Site): LinkName[] {
  return site.links.backup ? ['primary', 'backup'] : ['primary'];
}

/** The links the data center scrapes the agent over (the others are pushed over). */
export function scrapedLinks(site: Site): LinkName[] {
  return siteLinks(site).filter((l) => site.links[l]!.reachable);
}

/** The links the agent pushes over: the data center cannot reach it there. */
export function pushedLinks(site: Site): LinkName[] {
  return siteLinks(site).filter((l) => !site.links[l]!.reachable);
}

/** Whether any site pushes its samples (a link the data center cannot reach): Prometheus then takes remote-write. */
export function receivesRemoteWrite(inv: Pick<Inventory, 'units'>): boolean {
  return inv.units.some((u) => u.sites.some((s) => pushedLinks(s).length > 0));
}

/** Whether any agent talks to the boards' push receiver (it pushes, or asks which uplink its router uses). */
export function receivesPushes(inv: Pick<Inventory, 'units'>): boolean {
  return inv.units.some((u) => u.sites.some((s) => pushedLinks(s).length > 0 || !!s.router));
}

/** The services a unit's sites must reach. */
export function servicesForUnit(inv: Inventory, unit: Unit): Service[] {
  return inv.services.filter((s) => !s.units || s.units.includes(unit.code));
}

/** Everything one site's agent needs, and nothing of the rest of the province. */
export interface SiteSlice {
  province: Pick<Inventory['province'], 'code' | 'name' | 'timezone'>;
  unit: Pick<Unit, 'code' | 'name' | 'kind' | 'email'>;
  site: Site;
  services: Service[];
  checklist: ChecklistItem[];
  agent: Inventory['agent'];
  maintenance: Inventory['maintenance'];
  /** The data centers' names, for the agent to say whom to call about a service. */
  dataCenters: { id: string; name: string }[];
}

export function siteSlice(inv: Inventory, siteId: string): SiteSlice {
  const ref = findSite(inv, siteId);
  if (!ref) {
    const known = allSites(inv).map((r) => r.site.id);
    throw new Error(`no site "${siteId}" in the inventory; sites: ${known.join(', ') || '(none)'}`);
  }
  const { unit, site } = ref;
  return {
    province: { code: inv.province.code, name: inv.province.name, timezone: inv.province.timezone },
    unit: { code: unit.code, name: unit.name, kind: unit.kind, ...(unit.email ? { email: unit.email } : {}) },
    site,
    services: servicesForUnit(inv, unit),
    checklist: unitChecklist(inv, unit),
    agent: { ...inv.agent, push: { ...inv.agent.push, receivers: pushReceivers(inv) } },
    maintenance: inv.maintenance.filter((m) => m.unit === unit.code && (!m.site || m.site === site.id)),
    dataCenters: inv.dataCenters.map((d) => ({ id: d.id, name: d.name })),
  };
}

/** Where agents push (agents/push/): the inventory's receivers, else every data center's board. */
export function pushReceivers(inv: Pick<Inventory, 'agent' | 'dataCenters'>): string[] {
  const url = (ip: string) => `http://${ip.includes(':') ? `[${ip}]` : ip}:${PORTS.board}`;
  return inv.agent.push.receivers ?? inv.dataCenters.map((d) => url(d.monitoring.board));
}

/** Stable, unique slugs of the units' names (code appended where names recur). */
export function unitSlugs(inv: Pick<Inventory, 'units'>): Map<string, string> {
  return uniqueSlugs(inv.units.map((u) => ({ key: u.code, name: u.name, code: u.code })));
}

export function primaryDataCenter(inv: Inventory) {
  return inv.dataCenters.find((d) => d.role === 'primary')!;
}

/** Ports of the parts, fixed so the stacks, the rules and the demo agree. */
export const PORTS = {
  agent: 9464,
  board: 8080,
  prometheus: 9090,
  alertmanager: 9093,
  alertmanagerCluster: 9094,
  grafana: 3000,
  blackbox: 9115,
} as const;

/**
 * The checklist items that apply to one site, with the unit's overrides: the agent judges the
 * edge ones, the rules and the board expect exactly these (`sansang_check_expected`). Manual
 * items are per unit, not per site, and are left out here (see `unitManualChecks`).
 * An item whose evidence the site cannot produce (a backup link it does not have, a service
 * category the unit does not use, HTTPS where no probe speaks it) does not apply.
 */
export function siteChecks(inv: Inventory, unit: Unit, site: Site): ChecklistItem[] {
  const services = servicesForUnit(inv, unit);
  const hasTls = services.some((s) => s.probes.some(seesCertificate));
  const hasIpv6 = services.some((s) => s.probes.some(isIpv6Probe));
  return unitChecklist(inv, unit).filter((item) => {
    const e = item.evidence;
    switch (e.kind) {
      case 'manual':
        return false;
      case 'link':
        return e.link === 'primary' || !!site.links.backup;
      case 'service':
        return services.some((s) => s.category === e.category);
      case 'tls':
        return hasTls;
      case 'ipv6':
        return hasIpv6;
      case 'uplink':
        return !!site.router;
      default:
        return true;
    }
  });
}

/** Does the probe see a server certificate (HTTPS, a mail server's TLS)? */
export function seesCertificate(p: Probe): boolean {
  if (p.kind === 'http') return p.url.startsWith('https:');
  if (p.kind === 'smtp' || p.kind === 'imap' || p.kind === 'pop3') return p.security !== 'none';
  return false;
}

/** Is the probe part of IPv6 readiness: an AAAA query, or a target the inventory gives as an IPv6 address? */
export function isIpv6Probe(p: Probe): boolean {
  if (p.kind === 'dns' && p.recordType === 'AAAA') return true;
  return isIP(probeTarget(p)) === 6;
}

/** The manual items of a unit: signed off once per unit on the board. */
export function unitManualChecks(inv: Inventory, unit: Unit): ChecklistItem[] {
  return unitChecklist(inv, unit).filter((i) => i.kind === 'manual');
}

/** Is the unit (or the site) inside a maintenance window at `at`? */
export function inMaintenance(inv: Pick<Inventory, 'maintenance'>, unitCode: string, at: Date, siteId?: string): boolean {
  const t = at.getTime();
  return inv.maintenance.some(
    (m) => m.unit === unitCode && (!m.site || !siteId || m.site === siteId) && Date.parse(m.from) <= t && t < Date.parse(m.to),
  );
}
