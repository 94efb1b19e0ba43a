// One signature for every prober (as in blackbox_exporter): a prober gets its target, the link's
// source address, a deadline and an abort signal, and returns what it observed. It never records
// success or duration itself: the caller (runJob in probes/index.ts) times it and enforces the
// deadline. A failure is a cause (inventory/remedies.ts), never an exception: what happened, as
// data the agent's table, the board and the alerts all say the same way.
import type { Cause, LinkName } from '../../inventory/index.ts';

/** What every prober reports. */
export interface ProbeObservation {
  success: boolean;
  /** Why it failed. */
  cause?: Cause;
}

/**
 * What a prober of one kind reports: the common part and its kind's own details (e.g.
 * `{ icmp: IcmpObservation }`), each optional, as a probe that fails early has none.
 */
export type Observation<Details extends object = object> = ProbeObservation & Partial<Details>;

/** Where a probe goes from and what it is for: what a cause names. */
export interface ProbePath {
  link: LinkName;
  /** The link's gateway. */
  gateway: string;
  /** The service's name (none for the gateway's own ping). */
  service?: string;
  /** Who runs the service: its data centers' names (none for a national platform). */
  operator?: string;
}

export interface ProbeContext {
  /** The link's source address the probe binds to. */
  sourceAddress: string;
  /** Milliseconds the probe may take; the caller abandons it after this. */
  timeoutMs: number;
  /** Aborted by the caller when the deadline passes: close sockets, stop timers. */
  signal: AbortSignal;
  /** The link and the service, for the cause of a failure. */
  path: ProbePath;
}

export type Prober<Spec, Details extends object = object> = (spec: Spec, ctx: ProbeContext) => Promise<Observation<Details>>;

/** A failure a prober names by throwing it; the caller turns it into a failed observation. */
export class ProbeFailure extends Error {
  constructor(public readonly failure: Cause) {
    super(failure.kind);
    this.name = 'ProbeFailure';
  }
}

/** The service part of a cause: its name and operator, when the probe has them. */
export function serviceOf(path: ProbePath): { service?: string; operator?: string } {
  return { ...(path.service ? { service: path.service } : {}), ...(path.operator ? { operator: path.operator } : {}) };
}

/** The link part of a cause: link, source address and gateway. */
export function linkOf(ctx: ProbeContext): { link: LinkName; address: string; gateway: string } {
  return { link: ctx.path.link, address: ctx.sourceAddress, gateway: ctx.path.gateway };
}
