// The agent's map of probe kinds against the schema's. A mismatch is a compile error: each
// `@ts-expect-error` below is checked by `tsc --noEmit` (npm test's type-check), which fails if
// the line under it compiles. At run time: the same kinds, each under its own name.
import { describe, expect, it } from 'vitest';
import { PROBE_KIND_NAMES } from '../../inventory/index.ts';
import { dnsKind } from './dns.ts';
import { httpKind } from './http.ts';
import { icmpKind } from './icmp.ts';
import { KINDS, carryProbeFiles, type ProbeKindMap } from './kinds.ts';
import { probeKind } from './probe-kind.ts';
import { tcpKind } from './tcp.ts';

describe('the map of probe kinds', () => {
  it("has exactly the schema's kinds, in its order, each under its own name", () => {
    expect(Object.keys(KINDS)).toEqual(PROBE_KIND_NAMES);
    for (const [name, kind] of Object.entries(KINDS)) expect(kind.kind).toBe(name);
  });

  it('does not compile with a kind missing, a kind the schema lacks, or a kind under another name', () => {
    // @ts-expect-error a schema kind (dns) without its prober
    const missing: ProbeKindMap = { icmp: icmpKind, tcp: tcpKind, http: httpKind };
    // @ts-expect-error a prober of a kind the schema does not have
    const unknown: ProbeKindMap = { icmp: icmpKind, tcp: tcpKind, http: httpKind, dns: dnsKind, smtp: tcpKind };
    // @ts-expect-error the tcp kind filed as icmp
    const misfiled: ProbeKindMap = { icmp: tcpKind, tcp: tcpKind, http: httpKind, dns: dnsKind };
    expect([missing, unknown, misfiled]).toHaveLength(3);
  });

  it("types a kind's spec by its schema, and its record hook by its metrics", () => {
    const k = probeKind({
      kind: 'tcp',
      // @ts-expect-error a tcp probe has no url
      spec: (p) => ({ url: p.url }),
      probe: async () => ({ success: true }),
    });
    const m = probeKind({
      kind: 'dns',
      spec: (p) => p.name,
      probe: async () => ({ success: true }),
      metrics: { answers: { type: 'gauge', name: 'x', help: 'x' } },
      record(metrics, series) {
        metrics.answers.set(series.labels, 1);
        // @ts-expect-error a metric the kind does not declare
        metrics.other.set(series.labels, 1);
      },
    });
    expect([k.kind, m.kind]).toEqual(['tcp', 'dns']);
  });

  it('carries the files a kind names (the kit copies them), and nothing else', async () => {
    const carried: string[] = [];
    const carry = async (f: string) => (carried.push(f), `files/${f}`);
    const https = { kind: 'http', url: 'https://x.test/', expectStatus: [200], caFile: 'ca.pem' } as const;
    expect(await carryProbeFiles({ ...https, expectStatus: [200] }, carry)).toEqual({ ...https, caFile: 'files/ca.pem' });
    expect(await carryProbeFiles({ kind: 'tcp', host: 'ca.pem', port: 1 }, carry)).toEqual({ kind: 'tcp', host: 'ca.pem', port: 1 });
    expect(carried).toEqual(['ca.pem']);
  });
});
