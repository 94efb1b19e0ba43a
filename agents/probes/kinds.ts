// The probe kinds the agent runs, in one map: exactly the kinds of inventory/schema.ts'
// PROBE_KINDS, each its own file. A kind the schema has and this map lacks, a key the schema
// does not know, or a kind filed under another's key does not compile (kinds.test.ts shows it).
// Everything else (jobs, the run, the status document, the metrics, the kit) reads this map.
import type { Probe, ProbeKindName } from '../../inventory/index.ts';
import { dnsKind } from './dns.ts';
import { httpKind } from './http.ts';
import { icmpKind } from './icmp.ts';
import type { AnyProbeKind, SpecContext } from './probe-kind.ts';
import { tcpKind } from './tcp.ts';
import { smtpKind } from './smtp.ts';
import { imapKind } from './imap.ts';
import { pop3Kind } from './pop3.ts';
import { mailForwardKind } from './mail-forward.ts';
import { urlListKind } from './url-list.ts';

/** What the map of kinds must be: one kind per schema kind, each under its own name. */
export type ProbeKindMap = { readonly [K in ProbeKindName]: AnyProbeKind<K> };

export const KINDS = {
  icmp: icmpKind,
  tcp: tcpKind,
  http: httpKind,
  dns: dnsKind,
  smtp: smtpKind,
  imap: imapKind,
  pop3: pop3Kind,
  'mail-forward': mailForwardKind,
  'url-list': urlListKind,
} satisfies ProbeKindMap;

/** A kind's prober spec. */
export type SpecOf<K extends ProbeKindName> = ReturnType<(typeof KINDS)[K]['spec']>;

/** A prober's spec with its kind: what a job runs. */
export type JobSpec = { [K in ProbeKindName]: { kind: K; spec: SpecOf<K> } }[ProbeKindName];

/** A kind, its own types forgotten (what code that handles every kind alike needs). */
export const kindOf = (kind: ProbeKindName): AnyProbeKind => KINDS[kind];

/** The job spec of an inventory probe. */
export function jobSpec(p: Probe, ctx: SpecContext): JobSpec {
  // The spec is made by the probe's own kind, so it is that kind's SpecOf.
  return { kind: p.kind, spec: kindOf(p.kind).spec(p, ctx) } as JobSpec;
}

/**
 * The probe with each file it names (its kind's `files`, relative to the configuration's
 * directory) replaced by what `carry` makes of it: the kit copies them next to the agent.
 */
export async function carryProbeFiles(p: Probe, carry: (file: string) => Promise<string>): Promise<Probe> {
  const out: Record<string, unknown> = { ...p };
  for (const field of kindOf(p.kind).files ?? []) {
    const file = out[field];
    if (typeof file === 'string') out[field] = await carry(file);
  }
  // The same probe, a string field for a string field.
  return out as Probe;
}
