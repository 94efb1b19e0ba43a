// The checklist's edge items, judged at the site from the probes and collectors (each evidence
// kind's comment in inventory/schema.ts says what it asks): a running agent judges them once a
// tick from every probe's latest result, `agent check` from one round run at once. Then held
// against flapping Gatus-style: an item turns failing after `failureThreshold` failing judgements
// in a row and ok again after `successThreshold` passing ones. Before enough judgements, it has no
// state (no sample: UNKNOWN centrally, never GO).
import type { CheckResult, ChecklistItem, ProbeResult } from '../inventory/index.ts';
import type { ProbeRun } from './probes/index.ts';
import type { FilesystemUse } from './host/filesystem.ts';

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
}

export interface Judgement {
  ok: boolean;
  reason: string;
  /** The measured value, for the technician's table. */
  value?: string;
}

const pct = (r: number) => `${(r * 100).toFixed(1)} %`;
const ms = (s: number) => `${(s * 1000).toFixed(s < 0.01 ? 3 : 1)} ms`;
const name = (p: ProbeResult) => `${p.target}/${p.probe}@${p.link}`;

/** One item, one round, no thresholds (what `agent check` prints). */
export function judge(item: ChecklistItem, ev: RoundEvidence): Judgement {
  const e = item.evidence;
  const results = ev.probes.map((r) => r.result);
  switch (e.kind) {
    case 'link': {
      const over = results.filter((r) => r.link === e.link);
      const ok = over.filter((r) => r.success);
      if (over.length === 0) return { ok: false, reason: `no probe runs over the ${e.link} link` };
      if (ev.rolling) {
        const cut = cutSinceLastSuccess(over, e.link);
        if (cut) return { ok: false, reason: cut, value: `${ok.length}/${over.length}` };
      }
      return ok.length > 0
        ? { ok: true, reason: `${ok.length} of ${over.length} probes answer over the ${e.link} link`, value: `${ok.length}/${over.length}` }
        : { ok: false, reason: `nothing answers over the ${e.link} link (${over[0]!.error ?? 'failed'})`, value: `0/${over.length}` };
    }
    case 'service': {
      const runs = ev.probes.filter((r) => r.job.category === e.category);
      if (runs.length === 0) return { ok: false, reason: `no service of category ${e.category} to probe` };
      const byProbe = new Map<string, ProbeResult[]>();
      for (const r of runs) {
        const k = `${r.result.target}/${r.result.probe}`;
        byProbe.set(k, [...(byProbe.get(k) ?? []), r.result]);
      }
      const failing = [...byProbe.entries()].filter(([, rs]) => !rs.some((r) => r.success));
      if (failing.length === 0)
        return { ok: true, reason: `${byProbe.size} probe(s) answer over at least one link`, value: `${byProbe.size}/${byProbe.size}` };
      const [k, rs] = failing[0]!;
      return {
        ok: false,
        reason: `${k} fails on every link: ${rs[0]!.error ?? 'failed'}`,
        value: `${byProbe.size - failing.length}/${byProbe.size}`,
      };
    }
    case 'loss': {
      const icmp = results.filter((r) => r.link === 'primary' && r.icmp && r.icmp.sent > 0);
      if (icmp.length === 0) return { ok: false, reason: 'no ICMP echo was sent over the primary link' };
      const worst = icmp.reduce((a, b) => (b.icmp!.lossRatio > a.icmp!.lossRatio ? b : a));
      const loss = worst.icmp!.lossRatio;
      return { ok: loss <= e.maxRatio, reason: `worst loss ${pct(loss)} (${name(worst)}), limit ${pct(e.maxRatio)}`, value: pct(loss) };
    }
    case 'latency': {
      const icmp = results.filter((r) => r.link === 'primary' && r.icmp && r.icmp.rttSeconds.length > 0);
      if (icmp.length === 0) return { ok: false, reason: 'no ICMP echo came back over the primary link' };
      const mean = (r: ProbeResult) => r.icmp!.rttSeconds.reduce((a, b) => a + b, 0) / r.icmp!.rttSeconds.length;
      const worst = icmp.reduce((a, b) => (mean(b) > mean(a) ? b : a));
      const m = mean(worst);
      return { ok: m <= e.maxSeconds, reason: `worst mean round trip ${ms(m)} (${name(worst)}), limit ${ms(e.maxSeconds)}`, value: ms(m) };
    }
    case 'disk': {
      if (!Array.isArray(ev.filesystems)) return { ok: false, reason: `filesystems could not be read: ${ev.filesystems.error}` };
      if (ev.filesystems.length === 0) return { ok: true, reason: 'no local filesystem to judge', value: '-' };
      const worst = ev.filesystems.reduce((a, b) => (b.freeBytes / b.sizeBytes < a.freeBytes / a.sizeBytes ? b : a));
      const free = worst.freeBytes / worst.sizeBytes;
      return {
        ok: free >= e.minFreeRatio,
        reason: `least free: ${worst.mountpoint} ${pct(free)}, minimum ${pct(e.minFreeRatio)}`,
        value: pct(free),
      };
    }
    case 'tls': {
      const https = results.filter((r) => r.http?.certExpiry);
      if (https.length === 0) return { ok: false, reason: 'no HTTPS certificate was seen this round' };
      const soonest = https.reduce((a, b) => (Date.parse(b.http!.certExpiry!) < Date.parse(a.http!.certExpiry!) ? b : a));
      const days = (Date.parse(soonest.http!.certExpiry!) - ev.now.getTime()) / 86_400_000;
      return {
        ok: days > e.minDays,
        reason: `soonest certificate (${soonest.target}) expires in ${days.toFixed(1)} days, minimum ${e.minDays}`,
        value: `${days.toFixed(1)} d`,
      };
    }
    default:
      return { ok: false, reason: `${e.kind} is not judged by the agent` };
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
function cutSinceLastSuccess(over: readonly ProbeResult[], link: string): string | null {
  const end = (r: ProbeResult) => Date.parse(r.at) + r.durationSeconds * 1000;
  const lastOk = Math.max(-Infinity, ...over.filter((r) => r.success).map(end));
  if (lastOk === -Infinity) return null; // nothing answers: the general rule says so
  const failed = over.filter((r) => !r.success && end(r) > lastOk).sort((a, b) => end(a) - end(b));
  const targets = new Set(failed.map((r) => r.target));
  const need = Math.min(LINK_FAILED_TARGETS, new Set(over.map((r) => r.target)).size);
  if (targets.size < need) return null;
  return `${failed.length} probes to ${targets.size} targets failed over the ${link} link since its last success (${failed[failed.length - 1]!.error ?? 'failed'})`;
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
      return {
        check: item.id,
        ok: s?.ok ?? null,
        since: s?.since ?? null,
        lastRoundOk: s?.last?.ok ?? null,
        reason: s?.last?.reason ?? 'not judged yet',
        at: s?.at ?? null,
      };
    });
  }
}
