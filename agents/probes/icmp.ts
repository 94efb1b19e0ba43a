// ICMP echo through the system `ping`, driven by the npm `ping` package (0.4.x), several echoes
// per round so loss is measured, not guessed from one packet. The package is handled as
// agents/README.md ("Never stalls") says: only validated targets reach it (a target starting with `-`
// becomes an option of ping; `-h` makes the package throw from an event handler and kills the
// process), a fresh options object each call (it mutates it), its values are strings or
// 'unknown' (never read as 0), LC_ALL=C so ping prints numbers we can parse, ping's own deadline
// (-w) so the child ends by itself, and the caller's outer timeout for a promise that never settles.
import { isIP } from 'node:net';
import ping from 'ping';
import { AGENT_METRICS, isSafeTarget } from '../../inventory/index.ts';
import { durationMs } from '../timeout.ts';
import { probeKind } from './probe-kind.ts';
import { resolveTarget } from './resolve.ts';
import type { Cause } from '../../inventory/index.ts';
import { noAddress, routeCause, routeVerdict } from './diagnose.ts';
import { ProbeFailure, linkOf, serviceOf, type Observation, type ProbeContext } from './types.ts';

export interface IcmpObservation {
  sent: number;
  received: number;
  /** Round trips of the echoes that came back, in seconds. */
  rttSeconds: number[];
}

export interface IcmpSpec {
  host: string;
  /** Echoes per round. */
  count: number;
  /** Seconds between echoes. */
  spacingSeconds: number;
}

/** What `ping` will be given, or the reason it will not be run. Exported for the hostile-input tests. */
export function pingArguments(ip: string, spec: IcmpSpec, ctx: Pick<ProbeContext, 'sourceAddress' | 'timeoutMs'>) {
  if (!isIP(ip)) throw new ProbeFailure({ kind: 'bad-target', target: ip.slice(0, 64) });
  if (!isIP(ctx.sourceAddress)) throw new ProbeFailure({ kind: 'bad-target', target: ctx.sourceAddress.slice(0, 64) });
  if (!Number.isInteger(spec.count) || spec.count < 1 || spec.count > 1000)
    throw new ProbeFailure({ kind: 'other', detail: `bad echo count ${spec.count}` });
  const spacing = Math.max(0.002, Math.min(10, spec.spacingSeconds));
  const timeoutS = ctx.timeoutMs / 1000;
  // ping's own deadline, whole seconds: the child exits by itself before our outer timeout.
  const deadline = Math.max(1, Math.floor(timeoutS));
  const replyWait = Math.max(1, Math.min(2, Math.floor(timeoutS)));
  const v6 = isIP(ip) === 6;
  return {
    target: ip,
    // A fresh object on every call: the package writes its defaults into it.
    options: {
      numeric: true,
      timeout: replyWait,
      deadline,
      min_reply: spec.count,
      v6: false, // always the `ping` binary; IPv6 is asked for with -6 below
      extra: [...(v6 ? ['-6'] : []), '-i', spacing.toFixed(3), '-I', ctx.sourceAddress],
    },
  };
}

const summaryRe = /(\d+) packets transmitted, (\d+) (?:packets )?received/;

export async function probeIcmp(spec: IcmpSpec, ctx: ProbeContext): Promise<Observation<{ icmp: IcmpObservation }>> {
  if (!isSafeTarget(spec.host)) throw new ProbeFailure({ kind: 'bad-target', target: spec.host.slice(0, 64) });
  const ip = await resolveTarget(spec.host, ctx.sourceAddress);
  if (ctx.signal.aborted) return { success: false };
  const { target, options } = pingArguments(ip, spec, ctx);
  // The package copies process.env into the child's environment; ping must print C-locale numbers.
  process.env.LC_ALL = 'C';
  let res: { output?: unknown; times?: unknown };
  try {
    res = (await ping.promise.probe(target, options)) as { output?: unknown; times?: unknown };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    throw new ProbeFailure(code === 'ENOENT' ? { kind: 'ping-missing' } : { kind: 'other', detail: `ping: ${String(e).slice(0, 200)}` });
  }
  const output = typeof res.output === 'string' ? res.output : '';
  const m = summaryRe.exec(output);
  const sent = m ? Number(m[1]) : 0;
  const received = m ? Number(m[2]) : 0;
  const rttSeconds = (Array.isArray(res.times) ? res.times : [])
    .map((t: unknown) => (typeof t === 'number' ? t : typeof t === 'string' && t !== 'unknown' ? Number(t) : NaN))
    .filter((t) => Number.isFinite(t) && t >= 0)
    .map((ms) => ms / 1000);
  const icmp = { sent, received, rttSeconds: rttSeconds.slice(0, received) };
  if (received > 0) return { success: true, icmp };
  return { success: false, icmp, cause: await explainNoReply(output, sent, ip, ctx) };
}

const errorReply = /^From (\S+?):? icmp_seq=\d+ (.*)$/m;

/**
 * Why no echo came back, from what ping printed: a router's or a firewall's answer ("From X …"),
 * the source address missing, no right to ping; and when ping says nothing (a route of this
 * machine refuses the packets silently, or nothing answers), the route verdict decides.
 */
export async function explainNoReply(output: string, sent: number, ip: string, ctx: ProbeContext): Promise<Cause> {
  const at = { ...linkOf(ctx), target: ip };
  if (/Cannot assign requested address|bind:/i.test(output)) return noAddress(ctx);
  const local = routeCause(await routeVerdict(ctx.sourceAddress, ip), ctx, ip);
  if (local) return local;
  const reply = errorReply.exec(output);
  if (reply) {
    const [, by, what] = reply as unknown as [string, string, string];
    // Our own address answering "host unreachable": no neighbour answered on the office network.
    if (/Host Unreachable/i.test(what))
      return by === ctx.sourceAddress
        ? { kind: 'gateway-silent', link: ctx.path.link, gateway: ctx.path.gateway }
        : { kind: 'host-unreachable', ...at, by };
    if (/Net Unreachable/i.test(what)) return { kind: 'net-unreachable', ...at, by };
    return { kind: 'filtered', address: ctx.sourceAddress, target: ip, by, ...serviceOf(ctx.path) };
  }
  if (/Operation not permitted|Permission denied/i.test(output)) return { kind: 'ping-denied' };
  if (ip === ctx.path.gateway) return { kind: 'gateway-no-echo', link: ctx.path.link, gateway: ip, echoes: sent };
  if (sent > 0 || output.trim() === '') return { kind: 'timeout', ...at, seconds: ctx.timeoutMs / 1000, ...serviceOf(ctx.path) };
  const first = output.split('\n').find((l) => l.trim().length > 0);
  return { kind: 'other', detail: `ping: ${first?.trim().slice(0, 200) ?? ''}` };
}

/** RTT buckets from 100 µs doubling to about 3.3 s (smokeping_prober style). */
export const RTT_BUCKETS = Array.from({ length: 16 }, (_, i) => Number((0.0001 * 2 ** i).toPrecision(6)));

/**
 * The `icmp` kind (also the agent's ping of each link's gateway): echoes sent and received, the
 * loss of the last round and the round trips.
 */
export const icmpKind = probeKind({
  kind: 'icmp',
  spec: (p, ctx): IcmpSpec => ({
    host: p.host,
    count: p.count ?? ctx.settings.icmpCount,
    spacingSeconds: durationMs(ctx.settings.icmpSpacing) / 1000,
  }),
  probe: probeIcmp,
  status(result, obs) {
    if (!obs.icmp || obs.icmp.sent === 0) return;
    const { sent, received, rttSeconds } = obs.icmp;
    result.icmp = { sent, received, lossRatio: 1 - received / sent, rttSeconds };
  },
  metrics: {
    sent: { type: 'counter', name: AGENT_METRICS.icmpSent, help: 'ICMP echo requests sent.' },
    received: { type: 'counter', name: AGENT_METRICS.icmpReceived, help: 'ICMP echo replies received.' },
    loss: { type: 'gauge', name: AGENT_METRICS.icmpLoss, help: 'Share of echoes lost in the last round (0-1).' },
    rtt: { type: 'histogram', name: AGENT_METRICS.icmpRtt, help: 'Round trip of ICMP echoes.', buckets: RTT_BUCKETS },
  },
  record(m, { labels }, r) {
    // Counters exist from the first round, even when nothing was sent.
    m.sent.inc(labels, r.icmp?.sent ?? 0);
    m.received.inc(labels, r.icmp?.received ?? 0);
    // No echo sent (a name that does not resolve): no loss sample rather than a made-up one.
    if (r.icmp) m.loss.set(labels, r.icmp.lossRatio);
    else m.loss.remove(labels);
    for (const rtt of r.icmp?.rttSeconds ?? []) m.rtt.observe(labels, rtt);
    if (!r.icmp) m.rtt.zero(labels);
  },
});
