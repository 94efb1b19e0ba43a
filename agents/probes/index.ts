// The caller side of the one prober signature: it turns the site's slice into probe jobs (every
// service probe over every link, plus each link's gateway), runs a job under an outer deadline
// and records success, duration and the failure's reason. A prober that throws or never
// settles costs one timeout and becomes a failed result, never an exception. What differs
// between kinds is theirs (kinds.ts): nothing here names one, but the gateway's ping.
import {
  isIpv6Probe,
  probeId,
  probeTarget,
  sayCause,
  type Cause,
  type CauseKind,
  type LinkName,
  type ProbeOf,
  type ProbeResult,
  type Service,
  type SiteSliceDocument,
} from '../../inventory/index.ts';
import { TimeoutError, durationMs, withTimeout } from '../timeout.ts';
import { jobSpec, kindOf, type JobSpec } from './kinds.ts';
import { readCa, type SpecContext } from './probe-kind.ts';
import { ProbeFailure, serviceOf, type ProbeContext, type ProbeObservation, type ProbePath } from './types.ts';
import { interfaceOf, learnInterfaces, linkProblem } from './link-state.ts';

export type { JobSpec } from './kinds.ts';

export interface ProbeJob {
  /** Service id, or "gateway" for the link's gateway ping. */
  target: string;
  probe: string;
  link: LinkName;
  /** Kind in /status: the probe's kind, or 'gateway'. */
  statusKind: ProbeResult['kind'];
  sourceAddress: string;
  timeoutMs: number;
  job: JobSpec;
  /** Service category, for the checks. */
  category?: string;
  /** The host the probe is sent to (a name or an address), for a cause that names it. */
  host: string;
  /** Part of IPv6 readiness (an AAAA query, an IPv6 target): the ipv6 item judges it. */
  ipv6?: boolean;
  /** The link and the service, for the causes of failures. */
  path: ProbePath;
}

export const jobKey = (j: Pick<ProbeJob, 'target' | 'probe' | 'link'>) => `${j.target}\u0000${j.probe}\u0000${j.link}`;

/** The time a probe may take: its own timeout or 80 % of the interval, at most 10 s, always below the interval. */
export function probeTimeoutMs(intervalMs: number, own?: string): number {
  const cap = Math.floor(intervalMs * 0.9);
  const wanted = own ? durationMs(own) : Math.min(10_000, Math.floor(intervalMs * 0.8));
  return Math.max(100, Math.min(wanted, cap));
}

/** Every job of one round for the slice: services × links, plus the gateways. */
export function buildJobs(slice: SiteSliceDocument, baseDir: string): ProbeJob[] {
  const intervalMs = durationMs(slice.agent.interval);
  const ctx: SpecContext = {
    settings: slice.agent,
    baseDir,
    agentCa: slice.agent.caFile ? [readCa(slice.agent.caFile, baseDir)] : [],
    ...(slice.unit.email ? { unitEmail: slice.unit.email } : {}),
  };
  const jobs: ProbeJob[] = [];
  const links = (['primary', 'backup'] as const).flatMap((name) => {
    const l = slice.site.links[name];
    return l ? [{ name, link: l }] : [];
  });
  const dcName = new Map(slice.dataCenters.map((d) => [d.id, d.name]));
  // Whom to call about a service: the data centers that host it (a national platform has none here).
  const operatorOf = (svc: Service) => {
    const names = (svc.hostedIn ?? []).map((id) => dcName.get(id) ?? id);
    return names.length ? { operator: names.join(', ') } : {};
  };
  for (const { name, link } of links) {
    // Each link's gateway answers ICMP echoes: the link item's first evidence.
    const gateway: ProbeOf<'icmp'> = { kind: 'icmp', host: link.gateway };
    jobs.push({
      target: 'gateway',
      probe: probeId(gateway),
      link: name,
      statusKind: 'gateway',
      sourceAddress: link.address,
      timeoutMs: probeTimeoutMs(intervalMs),
      job: jobSpec(gateway, ctx),
      host: link.gateway,
      path: { link: name, gateway: link.gateway },
    });
    for (const svc of slice.services) {
      for (const p of svc.probes) {
        jobs.push({
          target: svc.id,
          probe: probeId(p),
          link: name,
          statusKind: p.kind,
          sourceAddress: link.address,
          timeoutMs: probeTimeoutMs(intervalMs, p.timeout),
          job: jobSpec(p, ctx),
          category: svc.category,
          host: probeTarget(p),
          ...(isIpv6Probe(p) ? { ipv6: true } : {}),
          path: { link: name, gateway: link.gateway, service: svc.name, ...operatorOf(svc) },
        });
      }
    }
  }
  return jobs;
}

export interface ProbeRun {
  job: ProbeJob;
  result: ProbeResult;
  observation: ProbeObservation;
}

const PROBE_ENDED = new Error('the probe ended');

/**
 * Failures that say "nothing came back" in some way: after one of them the link itself is looked
 * at again, and an address taken away or an interface gone meanwhile is the cause instead.
 */
const SILENT: ReadonlySet<CauseKind> = new Set<CauseKind>([
  'timeout',
  'stalled',
  'other',
  'no-route',
  'host-unreachable',
  'net-unreachable',
  'gateway-silent',
  'gateway-no-echo',
  'reset',
  'resolve',
  'refused',
  'no-address',
]);

/** A prober settling within this after its deadline says how far it got (connected, no answer). */
const GRACE_MS = 50;

/** Runs one job under its deadline; always resolves, a failure always with its cause. */
export async function runJob(job: ProbeJob): Promise<ProbeRun> {
  const ac = new AbortController();
  const started = new Date();
  const t0 = performance.now();
  const kind = kindOf(job.job.kind);
  const ctx: ProbeContext = { sourceAddress: job.sourceAddress, timeoutMs: job.timeoutMs, signal: ac.signal, path: job.path };
  let obs: ProbeObservation;
  try {
    const dead = linkProblem(job.sourceAddress, job.link);
    if (dead) throw new ProbeFailure(dead);
    obs = await withTimeout(kind.probe(job.job.spec, ctx), job.timeoutMs, ac, GRACE_MS);
  } catch (e) {
    if (e instanceof TimeoutError) obs = { success: false };
    else if (e instanceof ProbeFailure) obs = { success: false, cause: e.failure };
    else obs = { success: false, cause: { kind: 'other', detail: String((e as Error)?.message ?? e).slice(0, 300) } };
  } finally {
    // Anything the prober left listening is told to stop. With a reason of our own: abort()
    // without one builds a DOMException, stack trace and all, for every probe.
    ac.abort(PROBE_ENDED);
  }
  if (!obs.success) obs = { ...obs, cause: await failureCause(job, obs.cause) };
  const durationSeconds = (performance.now() - t0) / 1000;
  const result: ProbeResult = {
    target: job.target,
    probe: job.probe,
    link: job.link,
    kind: job.statusKind,
    success: obs.success,
    durationSeconds,
    at: started.toISOString(),
  };
  if (obs.cause) {
    result.error = sayCause(obs.cause, 'en').what;
    result.errorKind = obs.cause.kind;
    result.cause = obs.cause;
  }
  kind.status?.(result, obs);
  return { job, result, observation: obs };
}

/** The cause of a failed run: the prober's, unless the link itself is found broken meanwhile; a silent deadline is a timeout. */
async function failureCause(job: ProbeJob, cause: Cause | undefined): Promise<Cause> {
  if (!cause || SILENT.has(cause.kind)) {
    // A link that never worked since the agent started: which interface is it on?
    if (!interfaceOf(job.sourceAddress)) await learnInterfaces();
    const link = linkProblem(job.sourceAddress, job.link, true);
    if (link) return link;
  }
  return (
    cause ?? {
      kind: 'timeout',
      link: job.link,
      address: job.sourceAddress,
      gateway: job.path.gateway,
      target: job.host,
      seconds: job.timeoutMs / 1000,
      ...serviceOf(job.path),
    }
  );
}

/** Resolves on a later turn of the event loop (after its I/O poll), not in the current one. */
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

/**
 * Runs jobs with at most `limit` at a time (each bounded by its own deadline). Jobs are started
 * one per turn of the event loop: starting a probe can block for milliseconds (spawning `ping`
 * forks this process), and fifty started in one go would hold a waiting scrape for all of them.
 */
export async function runJobs(jobs: readonly ProbeJob[], limit: number, onEach?: (r: ProbeRun) => void): Promise<ProbeRun[]> {
  const out: ProbeRun[] = new Array(jobs.length);
  let next = 0;
  let gate: Promise<void> = Promise.resolve();
  const startTurn = () => (gate = gate.then(nextTurn));
  const worker = async () => {
    for (;;) {
      await startTurn();
      const i = next++;
      if (i >= jobs.length) return;
      const r = await runJob(jobs[i]!);
      out[i] = r;
      onEach?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return out;
}

/**
 * The order in which a running agent spreads its jobs over the interval, one slot each: the
 * links alternate, and within a link the targets take turns (a service's second probe comes
 * after every target's first). A cut link is then hit by the very next slot, and consecutive
 * slots over one link belong to different targets, which the link item relies on.
 */
export function rollingOrder(jobs: readonly ProbeJob[]): ProbeJob[] {
  const perLink = new Map<LinkName, Map<string, ProbeJob[]>>();
  for (const j of jobs) {
    const byTarget = perLink.get(j.link) ?? new Map<string, ProbeJob[]>();
    byTarget.set(j.target, [...(byTarget.get(j.target) ?? []), j]);
    perLink.set(j.link, byTarget);
  }
  const sequences = [...perLink.values()].map((byTarget) => {
    const lists = [...byTarget.values()];
    const depth = Math.max(...lists.map((l) => l.length));
    return Array.from({ length: depth }, (_, i) => lists.flatMap((l) => (l[i] ? [l[i]] : []))).flat();
  });
  const longest = Math.max(0, ...sequences.map((s) => s.length));
  return Array.from({ length: longest }, (_, i) => sequences.flatMap((s) => (s[i] ? [s[i]] : []))).flat();
}

export { isSafeTarget } from '../../inventory/index.ts';
export { pingArguments, probeIcmp } from './icmp.ts';
export { probeTcp } from './tcp.ts';
export { probeHttp } from './http.ts';
export { probeDns } from './dns.ts';
export type { ProbeObservation } from './types.ts';
