// DNS: one UDP query for a name against a given server, sent from the link's source address.
// Success when the server answers NOERROR with at least one record.
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import { isHostname, isSafeTarget } from '../../inventory/index.ts';
import { resolveTarget } from './resolve.ts';
import { RCODES, buildQuery, readHeader, type RecordType } from './dns-wire.ts';
import { ProbeFailure, classifySocketError, type ProbeContext, type ProbeObservation } from './types.ts';

export interface DnsSpec {
  server: string;
  port: number;
  name: string;
  recordType: RecordType;
}

export async function probeDns(spec: DnsSpec, ctx: ProbeContext): Promise<ProbeObservation> {
  if (!isSafeTarget(spec.server) || !isHostname(spec.name)) throw new ProbeFailure('refusing DNS server or name', 'other');
  const server = await resolveTarget(spec.server, ctx.sourceAddress);
  const id = randomInt(0, 65536);
  const query = buildQuery(id, spec.name, spec.recordType);
  return new Promise<ProbeObservation>((resolve) => {
    const sock = createSocket(isIP(server) === 6 ? 'udp6' : 'udp4');
    let settled = false;
    const done = (r: ProbeObservation) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      try {
        sock.close();
      } catch {
        // already closed
      }
      resolve(r);
    };
    const onAbort = () => done({ success: false, error: 'no answer from the DNS server (timed out)', errorKind: 'timeout' });
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    sock.on('error', (e) => {
      const c = classifySocketError(e);
      done({ success: false, error: c.message, errorKind: c.kind });
    });
    sock.on('message', (msg, rinfo) => {
      if (rinfo.address !== server || rinfo.port !== spec.port) return; // not our server: ignore
      const h = readHeader(msg);
      if (!h || h.id !== id || !h.isResponse) return;
      const dns = { answers: h.answers, rcode: h.rcode };
      if (h.rcode !== 0) done({ success: false, dns, error: `DNS answer ${RCODES[h.rcode] ?? `rcode ${h.rcode}`}`, errorKind: 'resolve' });
      else if (h.answers === 0) done({ success: false, dns, error: `no ${spec.recordType} record for ${spec.name}`, errorKind: 'resolve' });
      else done({ success: true, dns });
    });
    // A connected socket hears the ICMP "port unreachable" of a closed port as ECONNREFUSED,
    // so a server that is down fails at once instead of costing the whole timeout.
    sock.bind({ address: ctx.sourceAddress, port: 0 }, () => {
      sock.connect(spec.port, server, () => {
        sock.send(query, (e) => {
          if (e) {
            const c = classifySocketError(e);
            done({ success: false, error: c.message, errorKind: c.kind });
          }
        });
      });
    });
  });
}
