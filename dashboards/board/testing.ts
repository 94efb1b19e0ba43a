// Stand-in agents for the board's tests and bench: a tiny HTTP server per site that serves a
// valid /status document (built and checked with the shared schema) on the site's link
// addresses. Not the real agent (agents/ is built on its own); just what the board reads.
import { createServer, type Server } from 'node:http';
import { BoardCore } from './board.ts';
import { TokenBook } from './tokens.ts';
import { parseStatusDocument, siteChecks, type HostFacts, type Inventory, type StatusDocument } from '../../inventory/index.ts';

export interface StandInBehaviour {
  /** Items reported failing. */
  failing?: string[];
  /** Added to the agent's clock, in seconds. */
  clockOffsetSeconds?: number;
  /** Serve something that is not a status document. */
  garbage?: boolean;
  /** Links over which the agent does not answer (the connection is dropped), as with a cut link. */
  silentOn?: ('primary' | 'backup')[];
  host?: HostFacts | null;
}

export function standInHost(siteId: string): HostFacts {
  return {
    manufacturer: 'Dell Inc.',
    model: 'OptiPlex 7010',
    serial: `SN-${siteId}`,
    os: 'Debian GNU/Linux',
    osVersion: '12',
    hostname: `pc-${siteId}`,
    cpu: 'Intel Core i5-3470',
    cores: 4,
    memoryBytes: 8 * 1024 ** 3,
    disks: [{ name: 'sda', model: 'Samsung SSD 860', sizeBytes: 256e9 }],
    interfaces: [{ name: 'eth0', mac: '00:11:22:33:44:55', ipv4: '127.0.0.1', up: true }],
    gatheredAt: new Date().toISOString(),
  };
}

export function standInDocument(inv: Inventory, siteId: string, b: StandInBehaviour = {}): StatusDocument {
  const unit = inv.units.find((u) => u.sites.some((s) => s.id === siteId));
  if (!unit) throw new Error(`no site ${siteId}`);
  const site = unit.sites.find((s) => s.id === siteId)!;
  const now = new Date(Date.now() + (b.clockOffsetSeconds ?? 0) * 1000).toISOString();
  const started = new Date(Date.now() - 3600_000).toISOString();
  const doc = {
    schemaVersion: 1 as const,
    agent: { version: 'stand-in', unit: unit.code, site: site.id, startedAt: started, now, intervalSeconds: 15 },
    probes: [],
    checks: siteChecks(inv, unit, site)
      .filter((i) => i.kind === 'edge')
      .map((i) => {
        const ok = !(b.failing ?? []).includes(i.id);
        return { check: i.id, ok, since: started, lastRoundOk: ok, reason: ok ? 'ok' : 'stand-in says failing', at: now };
      }),
    collectors: [],
    host: b.host === undefined ? standInHost(site.id) : b.host,
  };
  return parseStatusDocument(doc);
}

/** The few agent series the rules read, from the same document: `sansang_check_status`, `sansang_host_time_seconds`. */
export function standInMetrics(doc: StatusDocument): string {
  const lines = ['# HELP sansang_check_status Checklist item after thresholds: 1 ok, 0 failing.', '# TYPE sansang_check_status gauge'];
  for (const c of doc.checks) if (c.ok !== null) lines.push(`sansang_check_status{check="${c.check}"} ${c.ok ? 1 : 0}`);
  lines.push(
    '# HELP sansang_host_time_seconds The host clock.',
    '# TYPE sansang_host_time_seconds gauge',
    `sansang_host_time_seconds ${Date.parse(doc.agent.now) / 1000}`,
  );
  return `${lines.join('\n')}\n`;
}

export interface StandInAgent {
  siteId: string;
  behaviour: StandInBehaviour;
  close(): Promise<void>;
}

/** Serves the site's /status on every link address at its agentPort. */
export async function startStandIn(inv: Inventory, siteId: string, behaviour: StandInBehaviour = {}): Promise<StandInAgent> {
  const site = inv.units.flatMap((u) => u.sites).find((s) => s.id === siteId);
  if (!site) throw new Error(`no site ${siteId}`);
  const agent: StandInAgent = { siteId, behaviour, close: async () => {} };
  const servers: Server[] = [];
  const addresses = [site.links.primary.address, ...(site.links.backup ? [site.links.backup.address] : [])];
  const linkOf = (address: string) => (address === site.links.primary.address ? 'primary' : 'backup');
  for (const address of [...new Set(addresses)]) {
    const server = createServer((req, res) => {
      if (agent.behaviour.silentOn?.includes(linkOf(address))) {
        req.socket.destroy();
        return;
      }
      if (req.url === '/metrics' && !agent.behaviour.garbage) {
        res
          .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
          .end(standInMetrics(standInDocument(inv, siteId, agent.behaviour)));
        return;
      }
      if (req.url !== '/status') {
        res.writeHead(404).end();
        return;
      }
      if (agent.behaviour.garbage) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"hello":"world"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(standInDocument(inv, siteId, agent.behaviour)));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(site.agentPort, address, () => resolve());
    });
    servers.push(server);
  }
  agent.close = async () => {
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.closeAllConnections();
            s.close(() => resolve());
          }),
      ),
    );
  };
  return agent;
}

/**
 * The inventory with every link reachable from the data center: stand-in agents answer polls and
 * never push, so the tests of polling keep the example's outbound-only links polled. What an
 * agent pushes over a link the data center cannot reach is tested in test/lab/offices.test.ts.
 */
export function polledOnly(inv: Inventory): Inventory {
  return {
    ...inv,
    units: inv.units.map((u) => ({
      ...u,
      sites: u.sites.map((s) => ({
        ...s,
        links: {
          primary: { ...s.links.primary, reachable: true },
          ...(s.links.backup ? { backup: { ...s.links.backup, reachable: true } } : {}),
        },
      })),
    })),
  };
}

/** Moves every site of an inventory onto fresh loopback addresses (127.<net>.x.y), so parallel tests never collide. */
export function relocate(inv: Inventory, net: number): Inventory {
  let n = 10;
  const next = () => {
    n++;
    return `127.${net}.${Math.floor(n / 250)}.${(n % 250) + 1}`;
  };
  return {
    ...inv,
    units: inv.units.map((u) => ({
      ...u,
      subnet: undefined,
      backupSubnet: undefined,
      sites: u.sites.map((s) => ({
        ...s,
        links: {
          primary: { ...s.links.primary, address: next() },
          ...(s.links.backup ? { backup: { ...s.links.backup, address: next() } } : {}),
        },
      })),
    })),
  };
}

/**
 * A synthetic province of `units` units with `sitesPerUnit` sites each (the headquarters with a
 * backup link), on loopback addresses from 127.<firstNet>.0.0 on: for scale tests and the bench.
 */
export interface UnitSeed {
  code: string;
  name: string;
  kind: 'xa' | 'phuong' | 'dac_khu';
  mergedFrom: Inventory['units'][number]['mergedFrom'];
}

export function syntheticInventory(
  base: Inventory,
  units: number,
  sitesPerUnit = 3,
  firstNet = 100,
  seeds?: readonly UnitSeed[],
): Inventory {
  let n = 0;
  const next = () => {
    n++;
    const net = firstNet + Math.floor(n / 65000);
    const rest = n % 65000;
    return `127.${net}.${Math.floor(rest / 250)}.${(rest % 250) + 1}`;
  };
  const list = Array.from({ length: units }, (_, i) => {
    const seed = seeds?.[i];
    const code = seed?.code ?? String(10000 + i * 3).padStart(5, '0');
    return {
      code,
      name: seed?.name ?? `Xã Thử Nghiệm ${i + 1}`,
      kind: seed?.kind ?? ('xa' as const),
      hotSpot: i % 50 === 0,
      mergedFrom: seed?.mergedFrom ?? [
        {
          code,
          name: `Xã Cũ ${i + 1}`,
          district: { code: String(100 + (i % 700)), name: `Huyện ${(i % 700) + 1}` },
          share: 'whole' as const,
        },
      ],
      sites: Array.from({ length: sitesPerUnit }, (_, s) => ({
        id: `u${code}-s${s}`,
        name: `Điểm ${s + 1} xã ${i + 1}`,
        role: s === 0 ? ('headquarters' as const) : ('branch' as const),
        agentPort: 9464,
        links: {
          primary: { kind: 'wan' as const, address: next(), gateway: '127.0.0.1', reachable: true },
          ...(s === 0 ? { backup: { kind: '4g' as const, address: next(), gateway: '127.0.0.1', reachable: true } } : {}),
        },
      })),
    };
  });
  return {
    ...base,
    maintenance: [],
    teams: [],
    units: list.map((u) => ({ ...u, subnet: undefined, backupSubnet: undefined, portal: undefined, checklist: undefined })),
  };
}

/** Every item's `for` set to `duration` (e.g. '0s'), for tests that compare the board with the rules. */
export function allFor(inv: Inventory, duration: string, ids: readonly string[]): Inventory {
  const thresholds = { ...(inv.checklist?.thresholds ?? {}) };
  for (const id of ids) thresholds[id] = { ...(thresholds[id] ?? {}), for: duration };
  return { ...inv, checklist: { drop: inv.checklist?.drop ?? [], add: inv.checklist?.add ?? [], thresholds } };
}

/** Tests cannot wait minutes: central items (agent up, clock) need to hold for only `seconds`. */
export function quickCentralFor(inv: Inventory, seconds = 1): Inventory {
  const thresholds = { ...(inv.checklist?.thresholds ?? {}), 'agent-up': { for: `${seconds}s` }, clock: { for: `${seconds}s` } };
  return { ...inv, checklist: { drop: inv.checklist?.drop ?? [], add: inv.checklist?.add ?? [], thresholds } };
}

/** A TCP port free on 127.0.0.1 right now, for programs that must be told their port (Prometheus, Alertmanager). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/**
 * A board as the embedded-mode tests use it: no tokens, no peer, refreshed only when the test asks
 * (`board.refresh()`), its warnings dropped.
 */
export function testBoard(inventory: Inventory, dataDir: string): Promise<BoardCore> {
  return BoardCore.create({
    inventory,
    dataDir,
    tokens: TokenBook.empty(),
    datacenter: 'dc1',
    version: 'test',
    origin: 'test',
    refreshMs: 3_600_000,
    warn: () => {},
  });
}
