// TCP connect from the link's source address: success when the handshake completes.
import { connect } from 'node:net';
import { isSafeTarget } from '../../inventory/index.ts';
import { socketCause } from './diagnose.ts';
import { probeKind } from './probe-kind.ts';
import { resolveTarget } from './resolve.ts';
import { ProbeFailure, type ProbeContext, type ProbeObservation } from './types.ts';

export interface TcpSpec {
  host: string;
  port: number;
}

export async function probeTcp(spec: TcpSpec, ctx: ProbeContext): Promise<ProbeObservation> {
  if (!isSafeTarget(spec.host)) throw new ProbeFailure({ kind: 'bad-target', target: spec.host.slice(0, 64) });
  const ip = await resolveTarget(spec.host, ctx.sourceAddress);
  return new Promise<ProbeObservation>((resolve) => {
    let settled = false;
    const sock = connect({ host: ip, port: spec.port, localAddress: ctx.sourceAddress });
    const done = (r: ProbeObservation) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(r);
    };
    // The caller's deadline has passed: it has its own result; this one only closes the socket.
    const onAbort = () => done({ success: false });
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    sock.once('connect', () => done({ success: true }));
    sock.once('error', (e) => {
      // The socket is dead already; naming the error may take a route lookup.
      void socketCause(e, ctx, ip, spec.port).then((cause) => done({ success: false, cause }));
    });
  });
}

/** The `tcp` kind: no metrics or status details of its own. */
export const tcpKind = probeKind({
  kind: 'tcp',
  spec: (p): TcpSpec => ({ host: p.host, port: p.port }),
  probe: probeTcp,
});
