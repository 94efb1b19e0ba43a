// The inventory the demo runs, derived from the one it is given (the loopback demo and the lab
// alike), and the agents' URLs in it.
import { isAbsolute, resolve } from 'node:path';
import { allChecklistItems, siteLinks, type Inventory, type Probe, type Site } from '../inventory/index.ts';
import { kindOf } from '../agents/probes/kinds.ts';
import { hostPort } from '../stacks/index.ts';

/**
 * The inventory with every file its probes name (URL lists, password and CA files) made absolute
 * against `dir`, the folder of the inventory it came from: the demo runs a copy elsewhere.
 */
export function withAbsoluteFiles(inv: Inventory, dir: string): Inventory {
  const fix = (p: Probe): Probe => {
    const out: Record<string, unknown> = { ...p };
    for (const f of kindOf(p.kind).files ?? []) {
      const v = out[f];
      if (typeof v === 'string' && !isAbsolute(v)) out[f] = resolve(dir, v);
    }
    // The same probe, a file name for a file name.
    return out as Probe;
  };
  return { ...inv, services: inv.services.map((s) => ({ ...s, probes: s.probes.map(fix) })) };
}

/** Production waits minutes before calling an item GO; the demo waits seconds. */
export const DEMO_FOR = '10s';

/** The inventory with the demo CA trusted and every item's `for` shortened to DEMO_FOR. */
export function demoInventory(source: Inventory, caFile: string): Inventory {
  const thresholds = Object.fromEntries(
    allChecklistItems(source).map((i) => [i.id, { ...source.checklist?.thresholds[i.id], for: DEMO_FOR }]),
  );
  return {
    ...source,
    agent: { ...source.agent, caFile },
    checklist: { drop: source.checklist?.drop ?? [], add: source.checklist?.add ?? [], thresholds },
    // A unit's own tuning would win over the province's: shorten it there too.
    units: source.units.map((u) =>
      u.checklist
        ? {
            ...u,
            checklist: {
              ...u.checklist,
              thresholds: Object.fromEntries(Object.entries(u.checklist.thresholds).map(([k, t]) => [k, { ...t, for: DEMO_FOR }])),
            },
          }
        : u,
    ),
  };
}

/** A site agent's /metrics URL on each of its links. */
export function agentMetricsUrls(site: Site): string[] {
  return siteLinks(site).map((l) => `http://${hostPort(site.links[l]!.address, site.agentPort)}/metrics`);
}
