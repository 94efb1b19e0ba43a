// Derived views of a validated inventory that every consumer needs the same way: probe ids,
// a site's slice, unit slugs. Pure functions: the stacks, the agent and the board all call these.
import { unitChecklist } from './checklist.ts';
import type { ChecklistItem, Inventory, LinkName, Probe, Service, Site, Unit } from './schema.ts';
import { uniqueSlugs } from './slug.ts';

/** A probe's id within its service: given, or from its kind (`icmp`, `tcp-587`, `https`, `dns`). */
export function probeId(p: Probe): string {
  if (p.id) return p.id;
  switch (p.kind) {
    case 'icmp':
      return 'icmp';
    case 'tcp':
      return `tcp-${p.port}`;
    case 'http':
      return new URL(p.url).protocol === 'https:' ? 'https' : 'http';
    case 'dns':
      return 'dns';
  }
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

/** The services a unit's sites must reach. */
export function servicesForUnit(inv: Inventory, unit: Unit): Service[] {
  return inv.services.filter((s) => !s.units || s.units.includes(unit.code));
}

/** Everything one site's agent needs, and nothing of the rest of the province. */
export interface SiteSlice {
  province: Pick<Inventory['province'], 'code' | 'name' | 'timezone'>;
  unit: Pick<Unit, 'code' | 'name' | 'kind'>;
  site: Site;
  services: Service[];
  checklist: ChecklistItem[];
  agent: Inventory['agent'];
  maintenance: Inventory['maintenance'];
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
    unit: { code: unit.code, name: unit.name, kind: unit.kind },
    site,
    services: servicesForUnit(inv, unit),
    checklist: unitChecklist(inv, unit),
    agent: inv.agent,
    maintenance: inv.maintenance.filter((m) => m.unit === unit.code && (!m.site || m.site === site.id)),
  };
}

/** Stable, unique slugs of the units' names (code appended where names recur). */
export function unitSlugs(inv: Pick<Inventory, 'units'>): Map<string, string> {
  return uniqueSlugs(inv.units.map((u) => ({ key: u.code, name: u.name, code: u.code })));
}

export function primaryDataCenter(inv: Inventory) {
  return inv.dataCenters.find((d) => d.role === 'primary')!;
}
