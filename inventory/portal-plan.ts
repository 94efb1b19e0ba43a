// The province's portal plan applied to its units (`inventory import`): each unit without a
// portal gets one, its hostname from the unit's slug, its HAProxy address in every data center
// the lowest free one of that data center's range, its certificate in the plan's folder, the
// platform's backends. A unit that has a portal keeps it as it is, addresses included, so
// re-importing never moves a unit (the same rule as the site subnets, `allocateBlocks`).
import { posix } from 'node:path';
import { allocateBlocks, hostBlock, numberToIpv4, parseCidr4, cidrSize, type Cidr4 } from './net.ts';
import { InputError } from './problems.ts';
import type { Inventory, InventoryInput, PortalPlan } from './schema.ts';
import { provinceLabel } from './slug.ts';

type PortalInput = NonNullable<NonNullable<InventoryInput['units']>[number]['portal']>;

/** The hostname the pattern gives a unit: `{slug}`, `{code}` and `{province}` filled in. */
export function portalHostname(pattern: string, unit: { slug: string; code: string }, provinceName: string): string {
  return pattern.replace(/\{(slug|code|province)\}/g, (_, key: string) =>
    key === 'slug' ? unit.slug : key === 'code' ? unit.code : provinceLabel(provinceName),
  );
}

/** Where a portal's certificate is expected: `<plan folder>/<hostname>.pem`. */
export function planCertificate(plan: Pick<PortalPlan, 'certificates'>, hostname: string): string {
  return posix.join(plan.certificates.replace(/\\/g, '/'), `${hostname}.pem`);
}

/** What the plan needs besides itself: the data centers and everything already addressed. */
export interface PlanContext {
  plan: PortalPlan;
  provinceName: string;
  dataCenters: Inventory['dataCenters'];
  /** Units that already have a portal (kept from the base inventory): their addresses are in use. */
  keptPortals: readonly { addresses: Record<string, string>; backends: readonly { address: string }[] }[];
}

/**
 * Portals for the units that have none, in code order. Throws when a data center's ranges have no
 * free address left, naming the range to widen.
 */
export function planPortals(units: readonly { code: string; slug: string }[], ctx: PlanContext): Map<string, PortalInput> {
  const { plan } = ctx;
  const codes = units.map((u) => u.code).sort();
  const addresses = new Map<string, Record<string, string>>(codes.map((c) => [c, {}]));
  for (const dc of ctx.dataCenters) {
    const ranges = plan.addresses[dc.id];
    if (!ranges) throw new InputError(`portalPlan.addresses has no range for data center "${dc.id}"`);
    const spaces = ranges.map(parseCidr4).filter((c): c is Cidr4 => c !== null);
    const { allocated, exhaustedAt } = allocateBlocks(codes, spaces, 32, [...reservedIn(dc, ctx), ...roundEnds(spaces)]);
    if (exhaustedAt)
      throw new InputError(
        `portalPlan.addresses.${dc.id} (${ranges.join(', ')}) has no free address left for unit ${exhaustedAt}: ${codes.length} units need one: widen the range`,
      );
    for (const [code, block] of allocated) addresses.get(code)![dc.id] = numberToIpv4(block.base);
  }
  return new Map(
    units.map((u) => {
      const hostname = portalHostname(plan.hostname, u, ctx.provinceName);
      const portal: PortalInput = {
        hostname,
        certificate: planCertificate(plan, hostname),
        backends: plan.backends.map((b) => ({ ...b })),
        addresses: addresses.get(u.code)!,
      };
      return [u.code, portal];
    }),
  );
}

/**
 * The addresses ending in .0 and .255 of the ranges: valid hosts in a segment wider than /24, but
 * some devices take them for a network or broadcast address, so no portal gets one.
 */
function roundEnds(spaces: readonly Cidr4[]): Cidr4[] {
  return spaces.flatMap((s) =>
    Array.from({ length: Math.ceil(cidrSize(s) / 256) }, (_, i) => (s.base & 0xffffff00) + i * 256).flatMap((b) => [
      { base: b >>> 0, prefix: 32 },
      { base: (b + 255) >>> 0, prefix: 32 },
    ]),
  );
}

/** Addresses of a data center's segment no portal may take: its own, the gateway, the monitoring, backends, kept portals. */
function reservedIn(dc: Inventory['dataCenters'][number], ctx: PlanContext): Cidr4[] {
  const wan = parseCidr4(dc.wan.subnet);
  const ips = [
    dc.wan.gateway,
    ...Object.values(dc.monitoring),
    ...ctx.plan.backends.map((b) => b.address),
    ...ctx.keptPortals.flatMap((p) => [...Object.values(p.addresses), ...p.backends.map((b) => b.address)]),
  ];
  const blocks = ips.map(hostBlock).filter((c): c is Cidr4 => c !== null);
  // The segment's network and broadcast addresses.
  if (wan && wan.prefix < 31) blocks.push({ base: wan.base, prefix: 32 }, { base: wan.base + cidrSize(wan) - 1, prefix: 32 });
  return blocks;
}
