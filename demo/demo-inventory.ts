// The inventory the demo runs, derived from the one it is given (the loopback demo and the lab
// alike), and the agents' URLs in it.
import { allChecklistItems, siteLinks, type Inventory, type Site } from '../inventory/index.ts';
import { hostPort } from '../stacks/index.ts';

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
