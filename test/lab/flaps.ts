// Random route and link flaps on a site's links, for the agent's soak (test/lab/agent-flaps.test.ts
// for a minute, bench/soak.ts for ten): each link, independently, goes through one failure at a
// time, held a random while, then undone. The failures are those of the probe matrix, made on a
// running agent: the far end loses its carrier, the route goes away or turns blackhole,
// unreachable or prohibit, the address is taken off, the far side drops everything, the
// interface is deleted and made again.
import { addLink, addLinkRoutes, nftIn, tryIpn, type SiteDc } from './netns.ts';

export interface Flap {
  name: string;
  /** Makes the failure on `link` and returns what undoes it. */
  apply(lab: SiteDc, link: string, dcAddresses: string[]): () => void;
}

const routeType =
  (type: 'blackhole' | 'unreachable' | 'prohibit'): Flap['apply'] =>
  (lab, link, dcs) => {
    const l = lab.links[link]!;
    for (const a of dcs) tryIpn(lab.site, 'route', 'replace', type, `${a}/32`, 'table', String(l.table));
    return () => addLinkRoutes(lab.site, l, dcs);
  };

export const FLAPS: readonly Flap[] = [
  {
    name: 'carrier lost',
    apply: (lab, link) => {
      const l = lab.links[link]!;
      tryIpn(lab.dc, 'link', 'set', l.far, 'down');
      return () => tryIpn(lab.dc, 'link', 'set', l.far, 'up');
    },
  },
  {
    name: 'route gone',
    apply: (lab, link, dcs) => {
      const l = lab.links[link]!;
      for (const a of dcs) tryIpn(lab.site, 'route', 'del', `${a}/32`, 'table', String(l.table));
      return () => addLinkRoutes(lab.site, l, dcs);
    },
  },
  { name: 'blackhole route', apply: routeType('blackhole') },
  { name: 'unreachable route', apply: routeType('unreachable') },
  { name: 'prohibit route', apply: routeType('prohibit') },
  {
    name: 'address removed',
    apply: (lab, link, dcs) => {
      const l = lab.links[link]!;
      tryIpn(lab.site, 'addr', 'del', `${l.address}/24`, 'dev', l.site);
      return () => {
        tryIpn(lab.site, 'addr', 'add', `${l.address}/24`, 'dev', l.site);
        addLinkRoutes(lab.site, l, dcs);
      };
    },
  },
  {
    name: 'far side drops everything',
    apply: (lab, link) => {
      const l = lab.links[link]!;
      const table = `flap_${link}`;
      nftIn(
        lab.dc,
        `table inet ${table} {\n  chain in {\n    type filter hook input priority 0; policy accept;\n    ip saddr ${l.address} drop\n  }\n}\n`,
      );
      return () => nftDelete(lab, table);
    },
  },
  {
    name: 'interface deleted',
    apply: (lab, link, dcs) => {
      const l = lab.links[link]!;
      tryIpn(lab.site, 'link', 'del', l.site);
      return () => {
        try {
          addLink(lab.site, lab.dc, l, dcs);
        } catch {
          // made again already
        }
      };
    },
  },
];

function nftDelete(lab: SiteDc, table: string): void {
  try {
    nftIn(lab.dc, `delete table inet ${table}\n`);
  } catch {
    // gone already
  }
}

/** A small deterministic random source (a soak that fails can be run again with its seed). */
export function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/**
 * Flaps every link of `lab` for `seconds`, each link on its own: one failure at a time, held
 * 0.3–4 s, undone, then 0.2–2 s of health. Returns how many of each were made. Stops early
 * when `stop()` says so.
 */
export async function flap(
  lab: SiteDc,
  dcAddresses: string[],
  seconds: number,
  rnd: () => number,
  stop: () => boolean = () => false,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const end = Date.now() + seconds * 1000;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  await Promise.all(
    Object.keys(lab.links).map(async (link) => {
      while (Date.now() < end && !stop()) {
        const f = FLAPS[Math.floor(rnd() * FLAPS.length)]!;
        counts[f.name] = (counts[f.name] ?? 0) + 1;
        const undo = f.apply(lab, link, dcAddresses);
        await sleep(300 + rnd() * 3700);
        undo();
        await sleep(200 + rnd() * 1800);
      }
    }),
  );
  return counts;
}

/** Everything back as it was: every link present, up, addressed and routed, nothing dropped. */
export function heal(lab: SiteDc, dcAddresses: string[]): void {
  for (const [link, l] of Object.entries(lab.links)) {
    if (!tryIpn(lab.site, 'link', 'show', l.site)) {
      try {
        addLink(lab.site, lab.dc, l, dcAddresses);
      } catch {
        // half made: the rest below
      }
    }
    tryIpn(lab.site, 'addr', 'add', `${l.address}/24`, 'dev', l.site);
    tryIpn(lab.dc, 'link', 'set', l.far, 'up');
    tryIpn(lab.site, 'link', 'set', l.site, 'up');
    addLinkRoutes(lab.site, l, dcAddresses);
    nftDelete(lab, `flap_${link}`);
  }
}
