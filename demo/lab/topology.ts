// The lab's network: one namespace per site joined to the current namespace by a veth pair per
// link, a dummy interface carrying the services addresses, and routes that keep every lab
// address inside what this run created. A cut link is the current namespace's end of the veth
// set down; packet loss is an nftables rule inside the site's namespace. Everything is removed
// on `destroy()`, on a failed start, from an `exit` handler as a last resort, and (for a run
// that was killed) by the next run's `cleanStale()`.
import { InputError, cidrsOverlap, parseCidr4, type LinkName } from '../../inventory/index.ts';
import { LAB_RANGES, labLink, labSite, parseAliasOwner, parseNsOwner, type LabPlan } from './plan.ts';
import { CommandError, ip, ipBatch, ipJson, ipSync, nftIn, run } from './sh.ts';

/** Unreachable routes for the lab's ranges: a cut link's addresses never fall to a default route. */
const GUARD_METRIC = 4093;
const NFT_TABLE = 'sansang_lab';

/** Why the lab cannot run here, or undefined when it can. */
export async function labUnavailable(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'the lab needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'the lab needs root (network namespaces, veth links, nftables)';
  try {
    await run('ip', ['netns', 'list']);
  } catch (e) {
    return e instanceof CommandError ? e.message : `ip netns does not work here: ${(e as Error).message}`;
  }
  try {
    await run('nft', ['--version']);
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

interface LinkJson {
  ifname: string;
  ifalias?: string;
}
interface NetnsJson {
  name: string;
}
interface RouteJson {
  type?: string;
  dst: string;
  dev?: string;
  table?: string;
  metric?: number;
}
interface AddrJson {
  ifname: string;
  addr_info?: { local: string; prefixlen: number }[];
}

/** Runs of this process that are up: a namespace of ours that is not listed here is stale. */
const liveRuns = new Set<string>();

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function runOfNs(name: string): string | undefined {
  return /^ss-(\d+-\d+)-\d+$/.exec(name)?.[1];
}

/**
 * Removes what killed runs left behind in this network namespace: their site namespaces (and
 * any process still in them), their interfaces, the guard routes. Throws when another lab is
 * running here (it owns the same addresses).
 */
export async function cleanStale(log: (l: string) => void = () => undefined): Promise<void> {
  const others = new Set<number>();
  for (const { name } of await ipJson<NetnsJson>('netns', 'list')) {
    const pid = parseNsOwner(name);
    if (pid === undefined) continue;
    const mine = pid === process.pid;
    if (mine ? liveRuns.has(runOfNs(name)!) : alive(pid)) {
      others.add(pid);
      continue;
    }
    log(`removing the stale lab namespace ${name}`);
    await killIn(name);
    await ip('netns', 'del', name).catch(() => undefined);
  }
  for (const l of await ipJson<LinkJson>('link', 'show')) {
    const pid = parseAliasOwner(l.ifalias);
    if (pid === undefined) continue;
    if (pid !== process.pid && alive(pid)) {
      others.add(pid);
      continue;
    }
    if (pid === process.pid && liveRuns.size) continue;
    log(`removing the stale lab interface ${l.ifname}`);
    await ip('link', 'del', l.ifname).catch(() => undefined);
  }
  if (others.size || liveRuns.size) {
    const who = [...others].join(', ') || `${process.pid} (this process)`;
    throw new InputError(
      `another sansang lab is running in this network namespace (pid ${who}); stop it first: it uses the same addresses`,
    );
  }
  await removeGuards();
}

async function killIn(ns: string): Promise<void> {
  const out = await ip('netns', 'pids', ns).catch(() => '');
  for (const pid of out.split(/\s+/).filter(Boolean).map(Number)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

async function removeGuards(): Promise<void> {
  for (const r of LAB_RANGES) await ip('route', 'del', 'unreachable', r, 'metric', String(GUARD_METRIC)).catch(() => undefined);
}

/**
 * Network discipline: the lab's ranges must be unused here (no address, no route inside them),
 * so nothing the lab does can reach a real network.
 */
export async function checkRangesFree(): Promise<void> {
  const ranges = LAB_RANGES.map((r) => parseCidr4(r)!);
  const inside = (cidr: string) => {
    const c = parseCidr4(cidr.includes('/') ? cidr : `${cidr}/32`);
    return !!c && c.prefix >= 16 && ranges.some((r) => cidrsOverlap(r, c));
  };
  for (const a of await ipJson<AddrJson>('-4', 'addr', 'show')) {
    for (const i of a.addr_info ?? []) {
      if (inside(`${i.local}/${i.prefixlen}`))
        throw new InputError(
          `the lab uses ${LAB_RANGES.join(', ')}, but ${a.ifname} already has ${i.local}/${i.prefixlen}; the lab does not run beside it`,
        );
    }
  }
  for (const r of await ipJson<RouteJson>('-4', 'route', 'show', 'table', 'all')) {
    if (r.dst === 'default') continue;
    if (inside(r.dst))
      throw new InputError(
        `the lab uses ${LAB_RANGES.join(', ')}, but there is already a route to ${r.dst}${r.dev ? ` on ${r.dev}` : ''}${r.table ? ` (table ${r.table})` : ''}; the lab does not run beside it`,
      );
  }
}

export class Lab {
  private destroyed = false;
  private readonly loss = new Map<string, Partial<Record<LinkName, number>>>();
  private readonly cut = new Set<string>();
  private readonly onExit = () => this.destroySync();

  private constructor(readonly plan: LabPlan) {}

  /** Builds the topology; on any failure removes what it made and rethrows. */
  static async create(plan: LabPlan, log: (l: string) => void = () => undefined): Promise<Lab> {
    await cleanStale(log);
    await checkRangesFree();
    const lab = new Lab(plan);
    liveRuns.add(plan.run);
    process.on('exit', lab.onExit);
    try {
      await lab.build();
      return lab;
    } catch (e) {
      await lab.destroy();
      throw e;
    }
  }

  private async build(): Promise<void> {
    const p = this.plan;
    // A dummy interface where the kernel has the module; else an empty bridge, which carries
    // local addresses just the same (this machine's kernel has no `dummy`).
    await ip('link', 'add', p.dummy, 'type', 'dummy').catch(() => ip('link', 'add', p.dummy, 'type', 'bridge'));
    const root = [`link set ${p.dummy} alias "${p.alias}"`];
    for (const a of p.services.values()) root.push(`addr add ${a}/32 dev ${p.dummy}`);
    root.push(`link set ${p.dummy} up`);
    for (const r of LAB_RANGES) root.push(`route replace unreachable ${r} metric ${GUARD_METRIC}`);
    await ipBatch(root);

    for (const s of p.sites) {
      await ip('netns', 'add', s.ns);
      const host: string[] = [];
      const inside: string[] = ['link set lo up'];
      for (const l of s.links) {
        host.push(
          `link add ${l.hostIf} type veth peer name ${l.nsIf} netns ${s.ns}`,
          `link set ${l.hostIf} alias "${p.alias}"`,
          `addr add ${l.gateway}/30 dev ${l.hostIf}`,
          `link set ${l.hostIf} up`,
        );
        inside.push(`addr add ${l.address}/30 dev ${l.nsIf}`, `link set ${l.nsIf} up`);
      }
      await ipBatch(host);
      for (const l of s.links) {
        const metric = l.link === 'primary' ? 10 : 20;
        inside.push(
          // Unbound traffic: primary first, backup when it is gone.
          `route add ${LAB_RANGES[0]} via ${l.gateway} dev ${l.nsIf} metric ${metric}`,
          // Bound to a link's address: that link and nothing else (the backup never carries a primary probe).
          `route add ${l.network} dev ${l.nsIf} src ${l.address} table ${l.table}`,
          `route add ${LAB_RANGES[0]} via ${l.gateway} dev ${l.nsIf} table ${l.table}`,
          `route add unreachable default table ${l.table}`,
          `rule add from ${l.address} lookup ${l.table} pref ${l.table}`,
        );
      }
      await ipBatch(inside, s.ns);
    }
  }

  /** The command line that runs `argv` inside the site's namespace. */
  inSite(siteId: string, argv: string[]): { cmd: string; args: string[] } {
    return { cmd: 'ip', args: ['netns', 'exec', labSite(this.plan, siteId).ns, ...argv] };
  }

  async setLink(siteId: string, link: LinkName, up: boolean): Promise<void> {
    const l = labLink(this.plan, siteId, link);
    await ip('link', 'set', l.hostIf, up ? 'up' : 'down');
    if (up) this.cut.delete(`${siteId}/${link}`);
    else this.cut.add(`${siteId}/${link}`);
  }

  isCut(siteId: string, link: LinkName): boolean {
    return this.cut.has(`${siteId}/${link}`);
  }

  /** Drops `percent` % of the packets the site sends over the link, at random (0 removes it). */
  async setLoss(siteId: string, link: LinkName, percent: number): Promise<void> {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new InputError('--percent is a whole number from 0 to 100');
    const s = labSite(this.plan, siteId);
    labLink(this.plan, siteId, link); // throws for a link the site does not have
    const losses = { ...this.loss.get(siteId), [link]: percent };
    this.loss.set(siteId, losses);
    const rules = s.links
      .filter((x) => (losses[x.link] ?? 0) > 0)
      .map((x) => `    oifname "${x.nsIf}" ${losses[x.link]! >= 100 ? '' : `numgen random mod 100 < ${losses[x.link]} `}counter drop`);
    // Create-then-delete makes the delete safe when the table is not there yet.
    let script = `table inet ${NFT_TABLE} {}\ndelete table inet ${NFT_TABLE}\n`;
    if (rules.length)
      script += `table inet ${NFT_TABLE} {\n  chain out {\n    type filter hook output priority 0; policy accept;\n${rules.join('\n')}\n  }\n}\n`;
    await nftIn(s.ns, script);
  }

  lossOf(siteId: string, link: LinkName): number {
    return this.loss.get(siteId)?.[link] ?? 0;
  }

  /** Removes everything this run made. Safe to call twice and after a half-built start. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    process.off('exit', this.onExit);
    const names = new Set((await ipJson<NetnsJson>('netns', 'list').catch(() => [])).map((n) => n.name));
    for (const s of this.plan.sites) {
      if (!names.has(s.ns)) continue;
      await killIn(s.ns);
      await ip('netns', 'del', s.ns).catch(() => undefined);
    }
    // Deleting a namespace takes its veth ends with it; whatever is left is removed by name,
    // when it carries this run's alias (or none yet: made just before a failure).
    const links = new Map((await ipJson<LinkJson>('link', 'show').catch(() => [])).map((l) => [l.ifname, l.ifalias ?? '']));
    for (const name of [this.plan.dummy, ...this.plan.sites.flatMap((s) => s.links.map((l) => l.hostIf))]) {
      const alias = links.get(name);
      if (alias === this.plan.alias || alias === '') await ip('link', 'del', name).catch(() => undefined);
    }
    await removeGuards();
    liveRuns.delete(this.plan.run);
  }

  /** Last resort from an `exit` handler: synchronous, best effort. */
  private destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const s of this.plan.sites) ipSync('netns', 'del', s.ns);
    ipSync('link', 'del', this.plan.dummy);
    for (const r of LAB_RANGES) ipSync('route', 'del', 'unreachable', r, 'metric', String(GUARD_METRIC));
  }
}
