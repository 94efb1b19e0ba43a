// What a probe kind is to the agent, as a module of blackbox_exporter is to it: how the prober's
// spec is made from the inventory's probe, the prober itself, and, if the kind has any, its own
// metrics and what it adds to the status document. Each kind is one file (icmp.ts, tcp.ts,
// http.ts, dns.ts) exporting one such object; kinds.ts holds them in one map.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import type { AgentSettings, ProbeKindName, ProbeOf, ProbeResult } from '../../inventory/index.ts';
import type { DeclaredMetrics, ProbeMetricDeclarations } from '../metric-declarations.ts';
import type { Observation, ProbeContext } from './types.ts';

/** What a kind's `spec` may use besides the probe: the site's agent settings and the files they name. */
export interface SpecContext {
  settings: AgentSettings;
  /** Directory the configuration's relative file names resolve against. */
  baseDir: string;
  /** The agent-wide extra CA (`agent.caFile`), PEM text, read once per configuration. */
  agentCa: readonly string[];
  /** The site's unit's e-mail cutover (its new and old domains), when it has one. */
  unitEmail?: { domain: string; oldDomains: readonly string[] };
}

/** A file named in the inventory, relative to the configuration's directory. */
export function configPath(file: string, baseDir: string): string {
  return isAbsolute(file) ? file : resolvePath(baseDir, file);
}

/** Reads a PEM file named in the inventory, relative to the configuration's directory. */
export function readCa(file: string, baseDir: string): string {
  return readFileSync(configPath(file, baseDir), 'utf8');
}

export type Labels = Record<string, string>;

/** One probe's series, as a kind's `record` hook writes them. */
export interface ProbeSeries {
  /** target, probe and link: the same object every time (exposition.ts keeps its text with it). */
  readonly labels: Readonly<Labels>;
  /** The labels with one more (the one a metric declares as its `label`), also kept per value. */
  with(label: string, value: string): Readonly<Labels>;
}

/** Fields of a kind's probe that hold a string (a file name, for `files`). */
type StringField<P> = { [F in keyof P]-?: P[F] extends string | undefined ? F : never }[keyof P];

type None = Record<never, never>;

/**
 * A probe kind. `K` is its name in inventory/schema.ts' PROBE_KINDS, `Spec` what its prober
 * runs, `Details` what its observations carry besides success and error, `M` its own metrics.
 * The caller times every probe, enforces its deadline and records success, duration and last
 * run for all kinds alike; a kind only adds what is its own.
 */
export interface ProbeKind<K extends ProbeKindName, Spec, Details extends object = None, M extends ProbeMetricDeclarations = None> {
  readonly kind: K;
  /** The prober's spec, made once per configuration from the inventory's probe. */
  spec(probe: ProbeOf<K>, ctx: SpecContext): Spec;
  /** Observes; never throws for a failure it can name (a thrown ProbeFailure names one too). */
  probe(spec: Spec, ctx: ProbeContext): Promise<Observation<Details>>;
  /** Adds the kind's part of the status document (inventory/status.ts' ProbeResult) to `result`. */
  status?(result: ProbeResult, observation: Observation<Details>): void;
  /** Metrics of the kind's own, labelled target, probe, link (and each its own `label`, if any). */
  readonly metrics?: M;
  /**
   * Writes the kind's metrics for one run (a failed run too: its observation has no details).
   * Called after `status`, with the same result.
   */
  record?(metrics: DeclaredMetrics<M>, series: ProbeSeries, result: ProbeResult, observation: Observation<Details>): void;
  /** Fields of the probe naming a file relative to the configuration (the kit carries them). */
  readonly files?: readonly StringField<ProbeOf<K>>[];
}

/** A kind with its own types forgotten: what the generic code (kinds.ts, index.ts, registry.ts) handles. */
export type AnyProbeKind<K extends ProbeKindName = ProbeKindName> = ProbeKind<K, unknown, object, ProbeMetricDeclarations>;

/** Declares a kind, its types inferred from its members. */
export const probeKind = <K extends ProbeKindName, Spec, Details extends object = None, M extends ProbeMetricDeclarations = None>(
  kind: ProbeKind<K, Spec, Details, M>,
): ProbeKind<K, Spec, Details, M> => kind;
