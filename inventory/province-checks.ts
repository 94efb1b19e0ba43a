// What makes an inventory a province's own, ready to deploy, beyond its shape: no value still
// marked TODO, no address on this machine (loopback: the demo's stand-ins) and at least one service
// to probe, unless it is a demo inventory (`demo: true`); and in every inventory, no address used
// twice across the data centers' gateways and monitoring, the portals, their backends and the
// sites, and a portal plan that fits the data centers. Each finding carries the path of the value
// at fault, so the loader prints its FILE:LINE:COL.
import { cidrsOverlap, hostBlock, isIp, isLoopback, parseCidr4 } from './net.ts';
import { formatPath, type Issue, type PathSegment } from './problems.ts';
import type { Inventory } from './schema.ts';

type Add = (path: PathSegment[], message: string) => void;

const TODO = /^TODO\b/;

/** Every value still marked TODO, found in the document as read (before its shape is checked). */
export function todoIssues(data: unknown): Issue[] {
  const out: Issue[] = [];
  walk(data, [], (value, path) => {
    if (TODO.test(value)) out.push({ path, message: `still to be filled in by hand (${value})` });
  });
  return out;
}

/** What only a demo inventory may have: loopback addresses, no services, sites marked todo. */
export function demoOnly(inv: Inventory, add: Add): void {
  if (inv.demo) return;
  walk(inv, [], (value, path) => {
    if (isLoopback(value))
      add(
        path,
        `${value} is on this machine (loopback): a province's inventory names its real addresses; stand-ins on loopback belong to a demo inventory (demo: true)`,
      );
  });
  if (inv.services.length === 0)
    add(
      ['services'],
      'no services: list the services every site must reach, with their probes (see inventory/examples/province-template.yaml)',
    );
  inv.units.forEach((u, i) =>
    u.sites.forEach((s, j) => {
      if (s.todo) add(['units', i, 'sites', j, 'todo'], `still to be filled in by hand: ${s.todo}`);
    }),
  );
}

function walk(value: unknown, path: PathSegment[], visit: (s: string, path: PathSegment[]) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i], visit));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(v, [...path, k], visit);
}

interface Owner {
  what: string;
  path: PathSegment[];
  /** A backend may be shared (one portal platform serves many units); nothing else may. */
  backend?: boolean;
  /** The unit it belongs to: a unit's own backend may sit in its own site subnet. */
  unit?: string;
}

/**
 * No address is two things: a data center's gateway or monitoring address, a unit's HAProxy
 * address, a backend, a site's address; and none of the first four lies in a unit's site subnet.
 */
export function addressCollisions(inv: Inventory, add: Add): void {
  const owners = new Map<string, Owner>();
  const claim = (ip: string, owner: Owner) => {
    const first = owners.get(ip);
    if (!first) owners.set(ip, owner);
    else if (!(first.backend && owner.backend)) add(owner.path, `${ip} is already ${first.what} (${formatPath(first.path)})`);
  };
  inv.dataCenters.forEach((dc, i) => {
    claim(dc.wan.gateway, { what: `the WAN gateway of data center ${dc.id}`, path: ['dataCenters', i, 'wan', 'gateway'] });
    for (const [role, ip] of Object.entries(dc.monitoring))
      claim(ip, { what: `the ${role} address of data center ${dc.id}`, path: ['dataCenters', i, 'monitoring', role] });
  });
  inv.portalPlan?.backends.forEach((b, j) => {
    if (isIp(b.address))
      claim(b.address, { what: 'a backend of the portal plan', path: ['portalPlan', 'backends', j, 'address'], backend: true });
  });
  inv.units.forEach((u, i) => {
    for (const [dc, ip] of Object.entries(u.portal?.addresses ?? {}))
      claim(ip, { what: `the HAProxy address of unit ${u.code} in ${dc}`, path: ['units', i, 'portal', 'addresses', dc] });
    u.portal?.backends.forEach((b, j) => {
      if (isIp(b.address))
        claim(b.address, {
          what: `a portal backend of unit ${u.code}`,
          path: ['units', i, 'portal', 'backends', j, 'address'],
          backend: true,
          unit: u.code,
        });
    });
  });
  // Site addresses: their duplicates among themselves are the units' check (address and port).
  inv.units.forEach((u, i) =>
    u.sites.forEach((s, j) => {
      for (const link of ['primary', 'backup'] as const) {
        const l = s.links[link];
        if (!l) continue;
        const path: PathSegment[] = ['units', i, 'sites', j, 'links', link, 'address'];
        const first = owners.get(l.address);
        if (first) add(path, `${l.address} is already ${first.what} (${formatPath(first.path)})`);
      }
    }),
  );
  insideSiteSubnets(inv, owners, add);
}

/** Addresses of the data centers and portals that fall in a unit's site subnet. */
function insideSiteSubnets(inv: Inventory, owners: Map<string, Owner>, add: Add): void {
  // Subnets by prefix length, so each address is looked up once per length in use, not per unit.
  const byPrefix = new Map<number, Map<number, { code: string; text: string }>>();
  for (const u of inv.units)
    for (const text of [u.subnet, u.backupSubnet]) {
      const net = text ? parseCidr4(text) : null;
      if (!net) continue;
      if (!byPrefix.has(net.prefix)) byPrefix.set(net.prefix, new Map());
      byPrefix.get(net.prefix)!.set(net.base, { code: u.code, text: text! });
    }
  for (const [ip, owner] of owners) {
    const host = hostBlock(ip);
    if (!host) continue;
    for (const [prefix, nets] of byPrefix) {
      const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
      const hit = nets.get((host.base & mask) >>> 0);
      if (hit && !(owner.backend && owner.unit === hit.code))
        add(owner.path, `${ip} (${owner.what}) is inside the site subnet ${hit.text} of unit ${hit.code}`);
    }
  }
}

/** The portal plan fits the data centers: a range inside each one's WAN segment, backends where they exist. */
export function portalPlanIssues(inv: Inventory, add: Add): void {
  const plan = inv.portalPlan;
  if (!plan) return;
  const dcs = new Map(inv.dataCenters.map((d) => [d.id, d]));
  const list = [...dcs.keys()].join(', ');
  for (const [id, ranges] of Object.entries(plan.addresses)) {
    const dc = dcs.get(id);
    if (!dc) {
      add(['portalPlan', 'addresses', id], `no data center "${id}" (data centers: ${list})`);
      continue;
    }
    const wan = parseCidr4(dc.wan.subnet);
    ranges.forEach((r, k) => {
      const net = parseCidr4(r);
      if (!net) add(['portalPlan', 'addresses', id, k], 'portal addresses are IPv4 ranges, e.g. 10.40.250.128/25');
      else if (wan && !(cidrsOverlap(wan, net) && net.prefix >= wan.prefix))
        add(['portalPlan', 'addresses', id, k], `${r} is outside ${id}'s WAN segment ${dc.wan.subnet}`);
    });
  }
  for (const dc of inv.dataCenters)
    if (!plan.addresses[dc.id])
      add(['portalPlan', 'addresses'], `no range for data center "${dc.id}": every unit's HAProxy has an address in each`);
  plan.backends.forEach((b, j) => {
    if (!dcs.has(b.dataCenter))
      add(['portalPlan', 'backends', j, 'dataCenter'], `no data center "${b.dataCenter}" (data centers: ${list})`);
  });
  const primary = inv.dataCenters.find((d) => d.role === 'primary');
  if (primary && !plan.backends.some((b) => b.dataCenter === primary.id))
    add(['portalPlan', 'backends'], `no backend in the primary data center "${primary.id}"`);
}

/** Two units with one portal hostname, or a legacy hostname that is another unit's portal. */
export function hostnameClashes(inv: Inventory, add: Add): void {
  const portals = new Map<string, number>();
  inv.units.forEach((u, i) => {
    if (!u.portal) return;
    const first = portals.get(u.portal.hostname);
    if (first !== undefined)
      add(['units', i, 'portal', 'hostname'], `${u.portal.hostname} is already the portal of unit ${inv.units[first]!.code}`);
    else portals.set(u.portal.hostname, i);
  });
  inv.units.forEach((u, i) =>
    u.portal?.legacyHostnames.forEach((h, k) => {
      const other = portals.get(h);
      if (other !== undefined && other !== i)
        add(['units', i, 'portal', 'legacyHostnames', k], `${h} is the portal of unit ${inv.units[other]!.code}, not a legacy hostname`);
    }),
  );
}
