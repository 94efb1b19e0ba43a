// The inventory the demo runs, derived from the one it is given (the loopback demo and the lab
// alike), and the agents' URLs in it.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import {
  allSites,
  allChecklistItems,
  pushToken,
  readSecretText,
  siteLinks,
  type Inventory,
  type Probe,
  type Site,
} from '../inventory/index.ts';
import { kindOf } from '../agents/probes/kinds.ts';
import { hostPort } from '../stacks/index.ts';

/** Where the demo's agents push (agents/push/): the demo's board, their tokens and backlogs under the demo's folder. */
export interface DemoPush {
  receivers: string[];
  tokenFile: string;
  spoolDir: string;
  /** The province's push secret the board checks the tokens with. */
  secretFile: string;
}

/**
 * The demo's push secret (made once, kept beside the sign-offs) and every site's token from it,
 * as `sansang agent kit --push-secret` would write them: the agents behind a link the data
 * center cannot reach, and the one behind a dual-WAN router, talk to the board with them.
 */
export async function demoPush(dir: string, receivers: string[], inv: Inventory): Promise<DemoPush> {
  const pushDir = join(dir, 'push');
  await mkdir(pushDir, { recursive: true });
  const secretFile = join(pushDir, 'secret');
  if (!existsSync(secretFile)) await writeFile(secretFile, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  const secret = readSecretText(await readFile(secretFile, 'utf8'));
  for (const { site } of allSites(inv))
    await writeFile(join(pushDir, `${site.id}.token`), `${pushToken(secret, site.id)}\n`, { mode: 0o600 });
  return { receivers, tokenFile: join(pushDir, '{site}.token'), spoolDir: join(dir, 'spool', '{site}'), secretFile };
}

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
export function demoInventory(source: Inventory, caFile: string, push?: DemoPush): Inventory {
  const thresholds = Object.fromEntries(
    allChecklistItems(source).map((i) => [i.id, { ...source.checklist?.thresholds[i.id], for: DEMO_FOR }]),
  );
  return {
    ...source,
    agent: {
      ...source.agent,
      caFile,
      ...(push ? { push: { ...source.agent.push, receivers: push.receivers, tokenFile: push.tokenFile, spoolDir: push.spoolDir } } : {}),
    },
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
