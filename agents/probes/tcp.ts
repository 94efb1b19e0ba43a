// TCP connect from the link's source address: success when the handshake completes.
import { connect } from 'node:net';
import { isSafeTarget } from '../../inventory/index.ts';
import { probeKind } from './probe-kind.ts';
import { resolveTarget } from './resolve.ts';
import { ProbeFailure, classifySocketError, type ProbeContext, type ProbeObservation } from './types.ts';

export interface TcpSpec {
  host: string;
  port: number;
}

export async function probeTcp(spec: TcpSpec, ctx: ProbeContext): Promise<ProbeObservation> {
  if (!isSafeTarget(spec.host)) throw new ProbeFailure(`refusing target "${spec.host.slice(0, 64)}"`, 'other');
  const ip = await resolveTarget(spec.host, ctx.sourceAddress);
  return new Promise<ProbeObservation>((resolve) => {
    const sock = connect({ host: ip, port: spec.port, localAddress: ctx.sourceAddress });
    const done = (r: ProbeObservation) => {
      ctx.signal.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(r);
    };
    const onAbort = () => done({ success: false, error: 'timed out', errorKind: 'timeout' });
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    sock.once('connect', () => done({ success: true }));
    sock.once('error', (e) => {
      const c = classifySocketError(e);
      done({ success: false, error: c.message, errorKind: c.kind });
    });
  });
}

/** The `tcp` kind: no metrics or status details of its own. */
export const tcpKind = probeKind({
  kind: 'tcp',
  spec: (p): TcpSpec => ({ host: p.host, port: p.port }),
  probe: probeTcp,
});
