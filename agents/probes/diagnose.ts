// Naming a failure: a socket error, or a silence, turned into a cause (inventory/remedies.ts).
// The same errno means different things: EHOSTUNREACH is an `unreachable` route on this machine,
// a router's "host unreachable" or a firewall's "prohibited"; ENETUNREACH is a missing route here
// or a router's "net unreachable". The route verdict tells them apart: a UDP socket bound to the
// link's address and connected to the target makes the kernel look the route up (no packet is
// sent), and it fails with the route's own verdict: no route, blackhole, unreachable, prohibit.
import { createSocket } from 'node:dgram';
import { connect, isIP } from 'node:net';
import type { Cause } from '../../inventory/index.ts';
import { interfaceOf } from './link-state.ts';
import { linkOf, serviceOf, type ProbeContext } from './types.ts';

export type RouteVerdict = 'ok' | 'no-address' | 'no-route' | 'blackhole' | 'unreachable' | 'prohibited' | 'unknown';

const VERDICTS: Record<string, RouteVerdict> = {
  EADDRNOTAVAIL: 'no-address',
  ENETUNREACH: 'no-route',
  EINVAL: 'blackhole',
  EHOSTUNREACH: 'unreachable',
  EACCES: 'prohibited',
  EPERM: 'prohibited',
};

/** What this machine's routing says about sending from `source` to `target` (an IP literal). Never throws. */
export function routeVerdict(source: string, target: string): Promise<RouteVerdict> {
  if (!isIP(target) || !isIP(source) || isIP(target) !== isIP(source)) return Promise.resolve('unknown');
  return new Promise((resolve) => {
    const sock = createSocket(isIP(target) === 6 ? 'udp6' : 'udp4');
    let settled = false;
    const done = (v: RouteVerdict) => {
      if (settled) return;
      settled = true;
      try {
        sock.close();
      } catch {
        // already closed
      }
      resolve(v);
    };
    const verdict = (e: unknown) => VERDICTS[(e as NodeJS.ErrnoException)?.code ?? ''] ?? 'unknown';
    sock.on('error', (e) => done(verdict(e)));
    try {
      sock.bind({ address: source, port: 0 }, () => {
        // The discard port: nothing is sent, connect() only looks the route up.
        // The callback is given the error, though the typings do not say so.
        sock.connect(9, target, (...args: unknown[]) => done(args[0] ? verdict(args[0]) : 'ok'));
      });
    } catch (e) {
      done(verdict(e));
    }
  });
}

export type UdpAnswer = 'answered' | 'silent' | 'refused' | 'host-unreachable' | 'net-unreachable' | RouteVerdict;

/**
 * What the network says to one UDP datagram (`payload`) from `source` to `target:port`, within
 * `waitMs`: an answer, a hard ICMP error (a connected socket hears it: port unreachable is
 * `refused`, "administratively prohibited" is `host-unreachable`), or silence. For a resolver
 * that calls every ICMP error "refused" (c-ares). Never throws.
 */
export function udpAnswer(source: string, target: string, port: number, payload: Buffer, waitMs: number): Promise<UdpAnswer> {
  if (!isIP(target) || !isIP(source) || isIP(target) !== isIP(source)) return Promise.resolve('unknown');
  return new Promise((resolve) => {
    const sock = createSocket(isIP(target) === 6 ? 'udp6' : 'udp4');
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const done = (v: UdpAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        sock.close();
      } catch {
        // already closed
      }
      resolve(v);
    };
    const heard = (e: unknown): UdpAnswer => {
      const code = (e as NodeJS.ErrnoException)?.code ?? '';
      if (code === 'ECONNREFUSED') return 'refused';
      if (code === 'EHOSTUNREACH' || code === 'EHOSTDOWN') return 'host-unreachable';
      if (code === 'ENETUNREACH') return 'net-unreachable';
      return VERDICTS[code] ?? 'unknown';
    };
    sock.on('error', (e) => done(heard(e)));
    sock.on('message', () => done('answered'));
    try {
      sock.bind({ address: source, port: 0 }, () => {
        sock.connect(port, target, (...args: unknown[]) => {
          if (args[0]) return done(VERDICTS[(args[0] as NodeJS.ErrnoException).code ?? ''] ?? 'unknown');
          sock.send(payload, (e) => {
            if (e) done(heard(e));
          });
          timer = setTimeout(() => done('silent'), waitMs);
        });
      });
    } catch (e) {
      done(heard(e));
    }
  });
}

/**
 * What the network says to a TCP connection attempt from `source` to `target:port`, within
 * `waitMs`. A router's "host unreachable" or "net unreachable" is a soft error that a UDP socket
 * never hears (Linux reports it only with IP_RECVERR, which Node does not set); a connection
 * attempt does. Never throws.
 */
export function tcpAnswer(source: string, target: string, port: number, waitMs: number): Promise<UdpAnswer> {
  return new Promise((resolve) => {
    let settled = false;
    const sock = connect({ host: target, port, localAddress: source });
    const done = (v: UdpAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done('silent'), waitMs);
    sock.on('connect', () => done('answered'));
    sock.on('error', (e: NodeJS.ErrnoException) => {
      const code = e.code ?? '';
      done(
        code === 'ECONNREFUSED'
          ? 'answered'
          : code === 'EHOSTUNREACH'
            ? 'host-unreachable'
            : code === 'ENETUNREACH'
              ? 'net-unreachable'
              : (VERDICTS[code] ?? 'unknown'),
      );
    });
  });
}

/** The cause of a route verdict that is not `ok`, or undefined. */
export function routeCause(v: RouteVerdict, ctx: ProbeContext, target: string): Cause | undefined {
  const at = { ...linkOf(ctx), target };
  switch (v) {
    case 'no-address':
      return noAddress(ctx);
    case 'no-route':
      return { kind: 'no-route', ...at };
    case 'blackhole':
      return { kind: 'route-blackhole', ...at };
    case 'unreachable':
      return { kind: 'route-unreachable', ...at };
    case 'prohibited':
      return { kind: 'route-prohibited', ...at };
    default:
      return undefined;
  }
}

export function noAddress(ctx: ProbeContext): Cause {
  const iface = interfaceOf(ctx.sourceAddress);
  return { kind: 'no-address', link: ctx.path.link, address: ctx.sourceAddress, ...(iface ? { iface } : {}) };
}

/** Node's TLS error codes, by what a technician does about them. */
function tlsProblem(code: string): 'expired' | 'not-yet-valid' | 'untrusted' | 'name' | 'handshake' | undefined {
  if (code === 'CERT_HAS_EXPIRED') return 'expired';
  if (code === 'CERT_NOT_YET_VALID') return 'not-yet-valid';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') return 'name';
  if (
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
    code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
    code === 'UNABLE_TO_GET_ISSUER_CERT' ||
    code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' ||
    code === 'CERT_UNTRUSTED' ||
    code === 'CERT_SIGNATURE_FAILURE' ||
    code === 'CERT_REVOKED'
  )
    return 'untrusted';
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.includes('CERT') || code === 'EPROTO') return 'handshake';
  return undefined;
}

/**
 * The cause of a socket error met while reaching `target` (an IP literal) on `port`: the route
 * verdict decides between this machine's routing and the network's answer.
 */
export async function socketCause(e: unknown, ctx: ProbeContext, target: string, port: number): Promise<Cause> {
  const err = e as NodeJS.ErrnoException | undefined;
  const code = err?.code ?? '';
  const svc = { target, ...serviceOf(ctx.path) };
  switch (code) {
    case 'EADDRNOTAVAIL':
      return noAddress(ctx);
    case 'ECONNREFUSED':
      return { kind: 'refused', port, ...svc };
    case 'ECONNRESET':
    case 'EPIPE':
      return { kind: 'reset', ...svc };
    case 'ETIMEDOUT':
      return { kind: 'timeout', ...linkOf(ctx), seconds: ctx.timeoutMs / 1000, ...svc };
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
    case 'EINVAL':
    case 'EACCES':
    case 'EPERM': {
      const local = routeCause(await routeVerdict(ctx.sourceAddress, target), ctx, target);
      if (local) return local;
      if (code === 'ENETUNREACH' || code === 'ENETDOWN') return { kind: 'net-unreachable', ...linkOf(ctx), target };
      if (code === 'EACCES' || code === 'EPERM') return { kind: 'filtered', address: ctx.sourceAddress, ...svc };
      // A router's "host unreachable" or "prohibited" (Linux gives both as EHOSTUNREACH), or no
      // neighbour answering on the office network.
      return { kind: 'host-unreachable', ...linkOf(ctx), target };
    }
    default: {
      const problem = tlsProblem(code);
      if (problem) return { kind: 'tls', problem, ...svc };
      if (code.startsWith('HPE_') || code === 'ERR_INVALID_HTTP_RESPONSE') return { kind: 'protocol', ...svc };
      return { kind: 'other', detail: `${code ? `${code}: ` : ''}${err?.message ?? String(e)}`.slice(0, 300) };
    }
  }
}
