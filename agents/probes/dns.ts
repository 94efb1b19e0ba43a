// DNS: one query for a name against a given server, sent from the link's source address, with
// Node's own resolver (c-ares: `Resolver`, bound with `setLocalAddress`, its own timeout and
// tries). Success when the server answers NOERROR with at least one record. c-ares answers
// "refused" alike for a closed port, a missing route and a source address that is gone, so the
// route is looked up first (diagnose.ts): a missing route or address is named as such.
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isHostname, isSafeTarget } from '../../inventory/index.ts';
import { randomInt } from 'node:crypto';
import { routeCause, routeVerdict, tcpAnswer, udpAnswer, type RouteVerdict } from './diagnose.ts';
import { probeKind } from './probe-kind.ts';
import { resolveTarget } from './resolve.ts';
import { RECORD_TYPES, encodeName, type RecordType } from './dns-wire.ts';
import { ProbeFailure, linkOf, serviceOf, type Observation, type ProbeContext } from './types.ts';

export interface DnsSpec {
  server: string;
  port: number;
  name: string;
  recordType: RecordType;
  /** Answers that must be there (canonical: lower case, no final dot, IPv6 compressed). */
  expect?: readonly string[];
  /** With `expect`: no answer but those. */
  expectOnly?: boolean;
}

export interface DnsObservation {
  answers: number;
  rcode: number;
  /** The answers, as `expect` is compared with them. */
  values?: string[];
}

/** An answer as `expect` compares it: names in lower case without the final dot, IPv6 compressed. */
export function canonicalAnswer(s: string): string {
  const t = s.trim().toLowerCase().replace(/\.$/, '');
  if (isIP(t) === 6) return new URL(`http://[${t}]`).hostname.slice(1, -1);
  return t;
}

/** c-ares' records of each type, as text. */
function answerValues(records: unknown): string[] {
  if (!Array.isArray(records)) return [];
  return records.map((r: unknown) => {
    if (typeof r === 'string') return canonicalAnswer(r);
    if (Array.isArray(r)) return r.join('');
    const o = r as { exchange?: string; name?: string; value?: string };
    return canonicalAnswer(o.exchange ?? o.name ?? o.value ?? JSON.stringify(r));
  });
}

type DnsResult = Observation<{ dns: DnsObservation }>;

/** c-ares' error codes for the server's answer codes (RFC 1035 RCODE). */
const RCODE_OF: Record<string, number> = { EFORMERR: 1, ESERVFAIL: 2, ENOTFOUND: 3, ENOTIMP: 4, EREFUSED: 5 };

export async function probeDns(spec: DnsSpec, ctx: ProbeContext): Promise<DnsResult> {
  if (!isSafeTarget(spec.server)) throw new ProbeFailure({ kind: 'bad-target', target: spec.server.slice(0, 64) });
  if (!isHostname(spec.name)) throw new ProbeFailure({ kind: 'bad-target', target: spec.name.slice(0, 64) });
  const server = await resolveTarget(spec.server, ctx.sourceAddress);
  const local = routeCause(await routeVerdict(ctx.sourceAddress, server), ctx, server);
  if (local) return { success: false, cause: local };
  const resolver = resolverFor(spec, server, ctx);
  // One query, as blackbox_exporter sends. Our own clock, not c-ares' (its waits vary with its
  // version and what it learnt of the server): after 60 % of the probe's time the query is given
  // up and the rest is for asking the network what it says.
  let gaveUp = false;
  const patience = setTimeout(
    () => {
      gaveUp = true;
      resolver.cancel();
    },
    Math.floor(ctx.timeoutMs * 0.6),
  );
  const onAbort = () => resolver.cancel();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const svc = serviceOf(ctx.path);
  try {
    const records: unknown = await resolver.resolve(spec.name, spec.recordType);
    const values = answerValues(records);
    const dns = { answers: Array.isArray(records) ? records.length : 1, rcode: 0, values };
    if (dns.answers > 0 && spec.expect) {
      // The answers judged: the MX hosts of a domain, a portal's addresses.
      const missing = spec.expect.filter((x) => !values.includes(x));
      const extra = spec.expectOnly ? values.filter((v) => !spec.expect!.includes(v)) : [];
      if (missing.length || extra.length)
        return {
          success: false,
          dns,
          cause: {
            kind: 'dns-unexpected',
            server,
            name: spec.name,
            recordType: spec.recordType,
            missing,
            extra: extra.slice(0, 10),
            ...svc,
          },
        };
    }
    if (dns.answers > 0) return { success: true, dns };
    return { success: false, dns, cause: { kind: 'dns-empty', server, name: spec.name, recordType: spec.recordType, ...svc } };
  } catch (e) {
    const raw = (e as NodeJS.ErrnoException).code ?? '';
    const code = raw === 'ECANCELLED' && gaveUp ? 'ETIMEOUT' : raw;
    const rcode = RCODE_OF[code];
    if (rcode !== undefined)
      return { success: false, dns: { answers: 0, rcode }, cause: { kind: 'dns-answer', server, name: spec.name, rcode, ...svc } };
    if (code === 'ENODATA')
      return {
        success: false,
        dns: { answers: 0, rcode: 0 },
        cause: { kind: 'dns-empty', server, name: spec.name, recordType: spec.recordType, ...svc },
      };
    const at = { ...linkOf(ctx), target: server };
    const wait = Math.max(50, ctx.timeoutMs / 4);
    if (code === 'ECONNREFUSED') {
      // c-ares says "refused" for every hard ICMP error: our own datagram hears which it was.
      const heard = ctx.signal.aborted ? 'silent' : await udpAnswer(ctx.sourceAddress, server, spec.port, query(spec), wait);
      const local = routeCause(heard as RouteVerdict, ctx, server);
      if (local) return { success: false, cause: local };
      if (heard === 'host-unreachable')
        return { success: false, cause: { kind: 'filtered', address: ctx.sourceAddress, ...svc, target: server } };
      return { success: false, cause: { kind: 'refused', target: server, port: spec.port, ...svc } };
    }
    if (code === 'ETIMEOUT') {
      // Nothing came back, or a router's "unreachable", which no UDP socket hears: a connection
      // attempt to the same port does.
      const heard = ctx.signal.aborted ? 'silent' : await tcpAnswer(ctx.sourceAddress, server, spec.port, wait);
      const local = routeCause(heard as RouteVerdict, ctx, server);
      if (local) return { success: false, cause: local };
      if (heard === 'host-unreachable') return { success: false, cause: { kind: 'host-unreachable', ...at } };
      if (heard === 'net-unreachable') return { success: false, cause: { kind: 'net-unreachable', ...at } };
      return { success: false, cause: { kind: 'timeout', ...at, seconds: ctx.timeoutMs / 1000, ...svc } };
    }
    // Cancelled at the deadline: the caller names the timeout.
    if (code === 'ECANCELLED') return { success: false };
    if (code === 'EBADRESP' || code === 'EBADFAMILY' || code === 'EFORMERR')
      return { success: false, cause: { kind: 'protocol', target: server, ...svc } };
    return { success: false, cause: { kind: 'other', detail: `${code}: ${(e as Error).message}`.slice(0, 300) } };
  } finally {
    clearTimeout(patience);
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Each probe's resolver, kept for its next rounds: a c-ares channel holds a socket and buffers
 * until it is collected, so a new one every round would pile them up between collections. A job
 * never runs twice at once, so its resolver serves one query at a time (c-ares keeps no answers).
 */
const resolvers = new WeakMap<DnsSpec, Map<string, Resolver>>();
function resolverFor(spec: DnsSpec, server: string, ctx: ProbeContext): Resolver {
  const key = `${server}|${ctx.sourceAddress}`;
  let bySource = resolvers.get(spec);
  if (!bySource) resolvers.set(spec, (bySource = new Map()));
  let r = bySource.get(key);
  if (!r) {
    // c-ares' own timeout beyond ours: the probe's clock decides (above).
    r = new Resolver({ timeout: Math.max(200, ctx.timeoutMs), tries: 1 });
    const v6 = isIP(server) === 6;
    r.setServers([v6 ? `[${server}]:${spec.port}` : `${server}:${spec.port}`]);
    if (v6) r.setLocalAddress('0.0.0.0', ctx.sourceAddress);
    else r.setLocalAddress(ctx.sourceAddress);
    bySource.set(key, r);
  }
  return r;
}

/** A plain query for the probe's name, for `udpAnswer` (a server that is up answers it like any other). */
function query(spec: DnsSpec): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(randomInt(0, 65536), 0);
  head.writeUInt16BE(0x0100, 2); // standard query, recursion desired
  head.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(RECORD_TYPES[spec.recordType], 0);
  tail.writeUInt16BE(1, 2); // class IN
  return Buffer.concat([head, encodeName(spec.name), tail]);
}

/** The `dns` kind: the number of records in the last answer. */
export const dnsKind = probeKind({
  kind: 'dns',
  spec: (p): DnsSpec => ({
    server: p.server,
    port: p.port,
    name: p.name,
    recordType: p.recordType,
    ...(p.expect ? { expect: p.expect.map(canonicalAnswer), expectOnly: p.expectOnly ?? false } : {}),
  }),
  probe: probeDns,
  status(result, obs) {
    if (obs.dns) result.dns = { answers: obs.dns.answers, ...(obs.dns.values?.length ? { values: obs.dns.values.slice(0, 20) } : {}) };
  },
  metrics: {
    answers: { type: 'gauge', name: 'sansang_probe_dns_answers', help: 'Records in the last DNS answer.' },
  },
  record(m, { labels }, r) {
    if (r.dns) m.answers.set(labels, r.dns.answers);
    else m.answers.remove(labels);
  },
});
