// What the agent's lab tests build their networks with: fixed programs run without a shell
// (`ip`, `nft`), namespaces named per test run (so test files running side by side never meet),
// and the waits and reads they share. Every address is in 198.18.0.0/15 (the benchmarking
// range), inside namespaces the tests create and delete; the test's own namespace (test/run.sh)
// holds nothing else.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

export function sh(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input });
  if (r.error) throw new Error(`${cmd} is missing: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export const ipn = (ns: string, ...args: string[]) => sh('ip', ['-n', ns, ...args]);

/** Like `ipn`, for a change that may already be undone (a flap): false instead of a throw. */
export function tryIpn(ns: string, ...args: string[]): boolean {
  return spawnSync('ip', ['-n', ns, ...args], { encoding: 'utf8' }).status === 0;
}

/** An nftables script inside a namespace. */
export const nftIn = (ns: string, script: string) => sh('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], script);

/** Fails, naming the Debian package, when a program the test needs is missing. */
export function requireTool(cmd: string, args: string[], pkg: string): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd} not found: install the Debian package ${pkg}`);
}

export function requireLabTools(): void {
  if (process.getuid?.() !== 0) throw new Error('the lab tests build network namespaces: run them as root (bash test/run.sh …)');
  requireTool('ip', ['-V'], 'iproute2');
  requireTool('nft', ['--version'], 'nftables');
  requireTool('ping', ['-V'], 'iputils-ping');
}

/** A tag unique to this test process, for namespace and interface names. */
export const runTag = () => `${process.pid % 10000}${Math.floor(Math.random() * 1000)}`;

export async function until<T>(
  what: string,
  f: () => Promise<T | undefined | false>,
  ms: number,
  log: () => string = () => '',
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${log() ? `; the agent said:\n${log().slice(-2000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** One sample of a Prometheus text exposition, by name and (some of its) labels. */
export function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const lab = line.slice(name.length + 1, line.indexOf('}'));
    if (want.every((w) => lab.split(',').includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/** The programs running in a namespace (their `comm`), e.g. to see a probe's `ping` start. */
export function programsIn(ns: string): string[] {
  const out = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
  return out
    .split(/\s+/)
    .filter(Boolean)
    .flatMap((pid) => {
      try {
        return [readFileSync(`/proc/${pid}/comm`, 'utf8').trim()];
      } catch {
        return [];
      }
    });
}

/** Resident memory of a process and its threads, in MB (VmRSS). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The pids of a process's children (from /proc: every task's `children`). */
export function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) =>
      readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

export interface SiteLinkPlan {
  /** veth names: `site` inside the site namespace, `far` inside the data-center one. */
  site: string;
  far: string;
  /** The /24's third octet: the site has .2, the gateway (the data center's end) .1. */
  net: number;
  /** Routing table for traffic from the link's address (policy routing, as an office router does). */
  table: number;
}

export interface SiteDc {
  site: string;
  dc: string;
  /** Link name -> its plan. */
  links: Record<string, SiteLinkPlan & { address: string; gateway: string }>;
  destroy(): void;
}

/**
 * A site namespace joined to a data-center namespace by a veth pair per link. The data center
 * carries `dcAddresses` on its loopback (the services); the site sends what comes from a
 * link's address over that link only (policy routing, and an unreachable default in each
 * link's table, so the backup never carries a primary probe).
 */
/** Kills what still runs in a namespace (a killed agent's children), then deletes it. */
export function deleteNs(ns: string): void {
  const out = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
  for (const pid of out.split(/\s+/).filter(Boolean).map(Number)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  spawnSync('ip', ['netns', 'del', ns]);
}

export function siteAndDc(o: { tag: string; links: Record<string, SiteLinkPlan>; dcAddresses: string[] }): SiteDc {
  const site = `sansang-site-${o.tag}`;
  const dc = `sansang-dc-${o.tag}`;
  const destroy = () => {
    for (const ns of [site, dc]) deleteNs(ns);
  };
  try {
    sh('ip', ['netns', 'add', site]);
    sh('ip', ['netns', 'add', dc]);
    ipn(site, 'link', 'set', 'lo', 'up');
    ipn(dc, 'link', 'set', 'lo', 'up');
    for (const a of o.dcAddresses) ipn(dc, 'addr', 'add', `${a}/32`, 'dev', 'lo');
    const links: SiteDc['links'] = {};
    for (const [name, l] of Object.entries(o.links)) links[name] = addLink(site, dc, l, o.dcAddresses);
    return { site, dc, links, destroy };
  } catch (e) {
    destroy();
    throw e;
  }
}

/** One link: the veth pair, the site's address and the gateway's, its routes. Also to put a deleted link back. */
export function addLink(
  site: string,
  dc: string,
  l: SiteLinkPlan,
  dcAddresses: string[],
): SiteLinkPlan & { address: string; gateway: string } {
  const address = `198.18.${l.net}.2`;
  const gateway = `198.18.${l.net}.1`;
  ipn(site, 'link', 'add', l.site, 'type', 'veth', 'peer', 'name', l.far, 'netns', dc);
  ipn(site, 'addr', 'add', `${address}/24`, 'dev', l.site);
  ipn(dc, 'addr', 'add', `${gateway}/24`, 'dev', l.far);
  ipn(site, 'link', 'set', l.site, 'up');
  ipn(dc, 'link', 'set', l.far, 'up');
  const link = { ...l, address, gateway };
  addLinkRoutes(site, link, dcAddresses);
  return link;
}

/** A link's routing inside the site: its table and the rule that sends the link's address to it. */
export function addLinkRoutes(site: string, l: SiteLinkPlan & { address: string; gateway: string }, dcAddresses: string[]): void {
  const t = String(l.table);
  tryIpn(site, 'rule', 'add', 'from', l.address, 'table', t);
  ipn(site, 'route', 'replace', `198.18.${l.net}.0/24`, 'dev', l.site, 'src', l.address, 'table', t);
  for (const a of dcAddresses) ipn(site, 'route', 'replace', `${a}/32`, 'via', l.gateway, 'table', t);
  ipn(site, 'route', 'replace', 'unreachable', 'default', 'table', t, 'metric', '9999');
}
