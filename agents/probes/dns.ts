// DNS: one UDP query for a name against a given server, sent from the link's source address.
// Success when the server answers NOERROR with at least one record.
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import { isHostname, isSafeTarget } from '../../inventory/index.ts';
import { probeKind } from './probe-kind.ts';
import { resolveTarget } from './resolve.ts';
import { RCODES, buildQuery, readHeader, type RecordType } from './dns-wire.ts';
import { ProbeFailure, classifySocketError, type Observation, type ProbeContext } from './types.ts';

export interface DnsSpec {
  server: string;
  port: number;
  name: string;
  recordType: RecordType;
}

export interface DnsObservation {
  answers: number;
  rcode: number;
}

type DnsResult = Observation<{ dns: DnsObservation }>;

export async function probeDns(spec: DnsSpec, ctx: ProbeContext): Promise<DnsResult> {
  if (!isSafeTarget(spec.server) || !isHostname(spec.name)) throw new ProbeFailure('refusing DNS server or name', 'other');
  const server = await resolveTarget(spec.server, ctx.sourceAddress);
  const id = randomInt(0, 65536);
  const query = buildQuery(id, spec.name, spec.recordType);
  return new Promise<DnsResult>((resolve) => {
    const sock = createSocket(isIP(server) === 6 ? 'udp6' : 'udp4');
    let settled = false;
    const done = (r: DnsResult) => {
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

/** The `dns` kind: the number of records in the last answer. */
export const dnsKind = probeKind({
  kind: 'dns',
  spec: (p): DnsSpec => ({ server: p.server, port: p.port, name: p.name, recordType: p.recordType }),
  probe: probeDns,
  status(result, obs) {
    if (obs.dns) result.dns = { answers: obs.dns.answers };
  },
  metrics: {
    answers: { type: 'gauge', name: 'sansang_probe_dns_answers', help: 'Records in the last DNS answer.' },
  },
  record(m, { labels }, r) {
    if (r.dns) m.answers.set(labels, r.dns.answers);
    else m.answers.remove(labels);
  },
});
