// The checklist's edge items, judged at the site from the probes and collectors (each evidence
// kind's comment in inventory/schema.ts says what it asks): a running agent judges them once a
// tick from every probe's latest result, `agent check` from one round run at once. Then held
// against flapping Gatus-style: an item turns failing after `failureThreshold` failing judgements
// in a row and ok again after `successThreshold` passing ones. Before enough judgements, it has no
// state (no sample: UNKNOWN centrally, never GO).
import { certExpiryOf, sayCause, type Cause, type CheckResult, type ChecklistItem, type ProbeResult } from '../inventory/index.ts';
import type { ProbeRun } from './probes/index.ts';
import type { FilesystemUse } from './host/filesystem.ts';
import type { UplinkSeen } from './push/pusher.ts';

export interface RoundEvidence {
  probes: readonly ProbeRun[];
  /** Local filesystems, or the reason they could not be read. */
  filesystems: FilesystemUse[] | { error: string };
  now: Date;
  /**
   * The probes' latest results, each from its own slot (a running agent), rather than one round
   * run at once (`agent check`): results are then of different ages, which the link item weighs.
   */
  rolling?: boolean;
  /** Behind a dual-WAN router: which uplink the data center last saw (agents/push/pusher.ts). */
  uplink?: UplinkSeen | null;
  /** Routers' uplinks, from the site (for the cause's words). */
  router?: { primary: { kind: string; address: string }; backup: { kind: string; address: string } };
}

export interface Judgement {
  ok: boolean;
  /** Why, in English (the status document's `reason`); a failure says it through its `cause`. */
  reason: string;
  /** The measured value, for the technician's table. */
  value?: string;
  /** Why it fails (inventory/remedies.ts): the same cause, and so the same remedy, as the probe row behind it. */
  cause?: Cause;
  /** Nothing to judge from (no data center has said which uplink it sees): no state, UNKNOWN centrally. */
  unknown?: boolean;
}

const pct = (r: number) => `${(r * 100).toFixed(1)} %`;
const ms = (s: number) => `${(s * 1000).toFixed(s < 0.01 ? 3 : 1)} ms`;
const en = (c: Cause) => sayCause(c, 'en').what;
const failing = (cause: Cause, value?: string, reason = en(cause)): Judgement => ({
  ok: false,
  reason,
  cause,
  ...(value ? { value } : {}),
});

/** What a service's probe is called in a cause: its service's name, or the address it probes. */
const subject = (r: ProbeRun) => r.job.path.service ?? r.job.host;

/**
 * The cause that explains a link's failures best: the gateway's own (it names the gateway and the
 * interface), else the latest probe's.
 */
function linkCause(runs: readonly ProbeRun[]): Cause | undefined {
  const failed = runs.filter((r) => !r.result.success && r.observation.cause);
  const gateway = failed.find((r) => r.job.target === 'gateway');
  const pick = gateway ?? failed.sort((a, b) => Date.parse(b.result.at) - Date.parse(a.result.at))[0];
  return pick?.observation.cause;
}

type ServiceEvidence = Extract<ChecklistItem['evidence'], { kind: 'service' }>;

/** A passing probe's fastest answer against the item's response-time limits: the first limit it exceeds, if any. */
function tooSlow(runs: readonly ProbeRun[], e: ServiceEvidence): Cause | undefined {
  const ok = runs.filter((r) => r.result.success);
  if (ok.length === 0) return undefined;
  const best = ok.reduce((a, b) => (b.result.durationSeconds < a.result.durationSeconds ? b : a));
  const r = best.result;
  const svc = {
    ...(best.job.path.service ? { service: best.job.path.service } : {}),
    ...(best.job.path.operator ? { operator: best.job.path.operator } : {}),
  };
  const over = (measure: 'http-total' | 'first-byte' | 'tcp-connect' | 'dns-answer', seconds: number, limit: number): Cause | undefined =>
    seconds > limit ? { kind: 'slow', measure, seconds, limit, ...svc } : undefined;
  switch (r.kind) {
    case 'http': {
      const p = r.http?.phases ?? {};
      const firstByte = (p.resolve ?? 0) + (p.connect ?? 0) + (p.tls ?? 0) + (p.processing ?? 0);
      return over('first-byte', firstByte, e.maxFirstByteSeconds) ?? over('http-total', r.durationSeconds, e.maxHttpSeconds);
    }
    case 'tcp':
      return over('tcp-connect', r.durationSeconds, e.maxConnectSeconds);
    case 'dns':
      return over('dns-answer', r.durationSeconds, e.maxDnsSeconds);
    default:
      return undefined;
  }
}

/** One item, one round, no thresholds (what `agent check` prints). */
export function judge(item: ChecklistItem, ev: RoundEvidence): Judgement {
  const e = item.evidence;
  switch (e.kind) {
    case 'link': {
      const runs = ev.probes.filter((r) => r.result.link === e.link);
      const over = runs.map((r) => r.result);
      const ok = over.filter((r) => r.success);
      if (over.length === 0) return failing({ kind: 'no-probe', link: e.link });
      const value = `${ok.length}/${over.length}`;
      if (ev.rolling) {
        const cut = cutSinceLastSuccess(runs, e.link);
        if (cut) return failing(cut.cause, value, cut.reason);
      }
      if (ok.length > 0) return { ok: true, reason: `${ok.length} of ${over.length} probes answer over the ${e.link} link`, value };
      const cause = linkCause(runs) ?? { kind: 'no-probe', link: e.link };
      return failing(cause, value, `nothing answers over the ${e.link} link: ${en(cause)}`);
    }
    case 'service': {
      const runs = ev.probes.filter((r) => r.job.category === e.category);
      if (runs.length === 0) return failing({ kind: 'no-probe', category: e.category });
      const byProbe = new Map<string, ProbeRun[]>();
      for (const r of runs) {
        const k = `${r.result.target}/${r.result.probe}`;
        byProbe.set(k, [...(byProbe.get(k) ?? []), r]);
      }
      const dead = [...byProbe.values()].filter((rs) => !rs.some((r) => r.result.success));
      const value = `${byProbe.size - dead.length}/${byProbe.size}`;
      if (dead.length > 0) {
        // The primary link's cause first: it is the one the office relies on.
        const rs = dead[0]!;
        const first = rs.find((r) => r.result.link === 'primary') ?? rs[0]!;
        const cause = first.observation.cause ?? { kind: 'other', detail: 'failed' };
        return failing(cause, value, `${first.result.target}/${first.result.probe} fails on every link: ${en(cause)}`);
      }
      for (const rs of byProbe.values()) {
        const slow = tooSlow(rs, e);
        if (slow && slow.kind === 'slow') return failing(slow, `${slow.seconds.toFixed(1)} s`);
      }
      return { ok: true, reason: `${byProbe.size} probe(s) answer over at least one link, within the limits`, value };
    }
    case 'loss': {
      const icmp = ev.probes.filter((r) => r.result.link === 'primary' && r.result.icmp && r.result.icmp.sent > 0);
      if (icmp.length === 0) return failing({ kind: 'no-echo-sent', link: 'primary' });
      const worst = icmp.reduce((a, b) => (b.result.icmp!.lossRatio > a.result.icmp!.lossRatio ? b : a));
      const loss = worst.result.icmp!.lossRatio;
      if (loss <= e.maxRatio)
        return { ok: true, reason: `worst loss ${pct(loss)} (${subject(worst)}), limit ${pct(e.maxRatio)}`, value: pct(loss) };
      return failing({ kind: 'loss', link: 'primary', target: subject(worst), ratio: loss, limit: e.maxRatio }, pct(loss));
    }
    case 'latency': {
      const icmp = ev.probes.filter((r) => r.result.link === 'primary' && r.result.icmp && r.result.icmp.rttSeconds.length > 0);
      if (icmp.length === 0) return failing({ kind: 'no-echo-sent', link: 'primary' });
      const mean = (r: ProbeRun) => r.result.icmp!.rttSeconds.reduce((a, b) => a + b, 0) / r.result.icmp!.rttSeconds.length;
      const worst = icmp.reduce((a, b) => (mean(b) > mean(a) ? b : a));
      const m = mean(worst);
      if (m <= e.maxSeconds)
        return { ok: true, reason: `worst mean round trip ${ms(m)} (${subject(worst)}), limit ${ms(e.maxSeconds)}`, value: ms(m) };
      return failing({ kind: 'latency', link: 'primary', target: subject(worst), seconds: m, limit: e.maxSeconds }, ms(m));
    }
    case 'disk': {
      if (!Array.isArray(ev.filesystems))
        return failing({ kind: 'disk-unreadable' }, undefined, `filesystems could not be read: ${ev.filesystems.error}`);
      if (ev.filesystems.length === 0) return { ok: true, reason: 'no local filesystem to judge', value: '-' };
      const worst = ev.filesystems.reduce((a, b) => (b.freeBytes / b.sizeBytes < a.freeBytes / a.sizeBytes ? b : a));
      const free = worst.freeBytes / worst.sizeBytes;
      if (free >= e.minFreeRatio)
        return { ok: true, reason: `least free: ${worst.mountpoint} ${pct(free)}, minimum ${pct(e.minFreeRatio)}`, value: pct(free) };
      return failing({ kind: 'disk', mount: worst.mountpoint, free, min: e.minFreeRatio }, pct(free));
    }
    case 'tls': {
      // HTTPS and mail servers' TLS alike.
      const seen = ev.probes.filter((r) => certExpiryOf(r.result));
      if (seen.length === 0) return failing({ kind: 'no-cert' });
      const expiry = (r: ProbeRun) => Date.parse(certExpiryOf(r.result)!);
      const soonest = seen.reduce((a, b) => (expiry(b) < expiry(a) ? b : a));
      const days = (expiry(soonest) - ev.now.getTime()) / 86_400_000;
      const value = `${days.toFixed(1)} d`;
      if (days > e.minDays)
        return {
          ok: true,
          reason: `soonest certificate (${soonest.result.target}) expires in ${days.toFixed(1)} days, minimum ${e.minDays}`,
          value,
        };
      const path = soonest.job.path;
      return failing(
        {
          kind: 'cert-expiring',
          days,
          min: e.minDays,
          ...(path.service ? { service: path.service } : {}),
          ...(path.operator ? { operator: path.operator } : {}),
        },
        value,
      );
    }
    case 'ipv6': {
      // AAAA answers and reach over IPv6: each such probe must pass over some link.
      const runs = ev.probes.filter((r) => r.job.ipv6);
      if (runs.length === 0) return failing({ kind: 'no-probe', category: 'IPv6' });
      const byProbe = new Map<string, ProbeRun[]>();
      for (const r of runs)
        byProbe.set(`${r.result.target}/${r.result.probe}`, [...(byProbe.get(`${r.result.target}/${r.result.probe}`) ?? []), r]);
      const dead = [...byProbe.values()].filter((rs) => !rs.some((r) => r.result.success));
      const value = `${byProbe.size - dead.length}/${byProbe.size}`;
      if (dead.length === 0) return { ok: true, reason: `${byProbe.size} IPv6 probe(s) pass`, value };
      const rs = dead[0]!;
      const first = rs.find((r) => r.result.link === 'primary') ?? rs[0]!;
      const cause = first.observation.cause ?? { kind: 'other', detail: 'failed' };
      return failing(cause, value, `${first.result.target}/${first.result.probe} fails over IPv6: ${en(cause)}`);
    }
    case 'uplink': {
      const u = ev.uplink;
      if (!ev.router || !u || !u.active) {
        const cause: Cause = { kind: 'uplink-unknown', ...(u?.address ? { address: u.address } : {}) };
        return { ok: false, unknown: true, reason: en(cause), cause, ...(u?.address ? { value: u.address } : {}) };
      }
      if (u.active === 'primary')
        return { ok: true, reason: `the data center sees the primary uplink's address ${u.address}`, value: 'primary' };
      return failing({ kind: 'running-on-backup', uplinkKind: ev.router.backup.kind, address: u.address ?? '' }, 'backup');
    }
    default:
      return failing({ kind: 'not-judged', evidence: e.kind });
  }
}

/** When the link's results are of different ages, how many different targets must fail after its last success. */
const LINK_FAILED_TARGETS = 3;

/**
 * With results of different ages, an older success says nothing about the link once probes to
 * several different targets have failed after it: a cut is judged by the next few slots, not
 * after every probe has had its turn. One dead service (or two) never makes the link fail: its
 * failures are interleaved with the other targets' successes (rollingOrder).
 */
function cutSinceLastSuccess(runs: readonly ProbeRun[], link: string): { reason: string; cause: Cause } | null {
  const end = (r: ProbeResult) => Date.parse(r.at) + r.durationSeconds * 1000;
  const over = runs.map((r) => r.result);
  const lastOk = Math.max(-Infinity, ...over.filter((r) => r.success).map(end));
  if (lastOk === -Infinity) return null; // nothing answers: the general rule says so
  const failed = runs.filter((r) => !r.result.success && end(r.result) > lastOk).sort((a, b) => end(a.result) - end(b.result));
  const targets = new Set(failed.map((r) => r.result.target));
  const need = Math.min(LINK_FAILED_TARGETS, new Set(over.map((r) => r.target)).size);
  if (targets.size < need) return null;
  const cause = linkCause(failed) ?? { kind: 'other', detail: 'failed' };
  return {
    cause,
    reason: `${failed.length} probes to ${targets.size} targets failed over the ${link} link since its last success: ${en(cause)}`,
  };
}

interface ItemState {
  ok: boolean | null;
  since: string | null;
  failStreak: number;
  passStreak: number;
  last: Judgement | null;
  at: string | null;
}

/** The thresholds' memory across rounds. */
export class CheckBook {
  private state = new Map<string, ItemState>();
  constructor(private items: ChecklistItem[]) {}

  /** New items after a reload; items kept keep their history. Returns ids that were dropped. */
  setItems(items: ChecklistItem[]): string[] {
    const ids = new Set(items.map((i) => i.id));
    const dropped = [...this.state.keys()].filter((id) => !ids.has(id));
    for (const id of dropped) this.state.delete(id);
    this.items = items;
    return dropped;
  }

  get ids(): string[] {
    return this.items.map((i) => i.id);
  }

  /** Judges every item on this round and applies the thresholds; returns the results for /status. */
  round(ev: RoundEvidence): CheckResult[] {
    const at = ev.now.toISOString();
    for (const item of this.items) {
      const j = judge(item, ev);
      const s = this.state.get(item.id) ?? { ok: null, since: null, failStreak: 0, passStreak: 0, last: null, at: null };
      if (j.unknown) {
        // Nothing to judge from: no state (UNKNOWN), and the streaks start again.
        if (s.ok !== null) s.since = at;
        Object.assign(s, { ok: null, failStreak: 0, passStreak: 0, last: j, at });
        this.state.set(item.id, s);
        continue;
      }
      s.failStreak = j.ok ? 0 : s.failStreak + 1;
      s.passStreak = j.ok ? s.passStreak + 1 : 0;
      let next = s.ok;
      if (j.ok && s.ok !== true && s.passStreak >= item.successThreshold) next = true;
      if (!j.ok && s.ok !== false && s.failStreak >= item.failureThreshold) next = false;
      if (next !== s.ok) {
        s.ok = next;
        s.since = at;
      }
      s.last = j;
      s.at = at;
      this.state.set(item.id, s);
    }
    return this.results();
  }

  results(): CheckResult[] {
    return this.items.map((item) => {
      const s = this.state.get(item.id);
      const r: CheckResult = {
        check: item.id,
        ok: s?.ok ?? null,
        since: s?.since ?? null,
        lastRoundOk: s?.last?.ok ?? null,
        reason: s?.last?.reason ?? 'not judged yet',
        at: s?.at ?? null,
      };
      if (s?.last?.cause) r.cause = s.last.cause;
      if (s?.last?.value) r.value = s.last.value;
      return r;
    });
  }
}
