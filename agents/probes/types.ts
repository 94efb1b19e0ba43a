// One signature for every prober (as in blackbox_exporter): a prober gets its target, the link's
// source address, a deadline and an abort signal, and returns what it observed. It never records
// success or duration itself: the caller (runJob in probes/index.ts) times it and enforces the
// deadline.

export type ErrorKind =
  'resolve' | 'timeout' | 'refused' | 'unreachable' | 'link-down' | 'status' | 'redirect' | 'tls' | 'bind' | 'protocol' | 'other';

/** What every prober reports. */
export interface ProbeObservation {
  success: boolean;
  error?: string;
  errorKind?: ErrorKind;
}

/**
 * What a prober of one kind reports: the common part and its kind's own details (e.g.
 * `{ icmp: IcmpObservation }`), each optional, as a probe that fails early has none.
 */
export type Observation<Details extends object = object> = ProbeObservation & Partial<Details>;

export interface ProbeContext {
  /** The link's source address the probe binds to. */
  sourceAddress: string;
  /** Milliseconds the probe may take; the caller abandons it after this. */
  timeoutMs: number;
  /** Aborted by the caller when the deadline passes: close sockets, stop timers. */
  signal: AbortSignal;
}

export type Prober<Spec, Details extends object = object> = (spec: Spec, ctx: ProbeContext) => Promise<Observation<Details>>;

export class ProbeFailure extends Error {
  constructor(
    message: string,
    public readonly kind: ErrorKind,
  ) {
    super(message);
    this.name = 'ProbeFailure';
  }
}

/** Maps a Node socket error to a failure class a technician can act on. */
export function classifySocketError(e: unknown): { kind: ErrorKind; message: string } {
  const err = e as NodeJS.ErrnoException;
  if (e instanceof ProbeFailure) return { kind: e.kind, message: e.message };
  const code = err?.code ?? '';
  const msg = err?.message ?? String(e);
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NODATA':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return { kind: 'resolve', message: `name does not resolve (${code})` };
    case 'ECONNREFUSED':
      return { kind: 'refused', message: 'connection refused' };
    case 'ECONNRESET':
      return { kind: 'refused', message: 'connection reset by the peer' };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENETDOWN':
    case 'EHOSTDOWN':
      return { kind: 'unreachable', message: `no route to the target (${code})` };
    case 'ETIMEDOUT':
      return { kind: 'timeout', message: 'timed out' };
    case 'EADDRNOTAVAIL':
    case 'EINVAL':
      return { kind: 'bind', message: `cannot use the link's source address (${code})` };
    default:
      if (
        code.startsWith('ERR_TLS') ||
        code.startsWith('CERT_') ||
        code.includes('CERT') ||
        code.startsWith('ERR_SSL') ||
        code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
        code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
        code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
      ) {
        return { kind: 'tls', message: `TLS: ${msg}` };
      }
      return { kind: 'other', message: msg };
  }
}
