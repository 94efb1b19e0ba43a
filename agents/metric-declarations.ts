// Metrics as the code that writes them declares them: a probe kind (probes/<kind>.ts) or a host
// collector (host/<collector>.ts) names, explains and labels each metric it writes, next to the
// code that writes it; AgentMetrics (registry.ts) builds the prom-client objects from these.
import type client from 'prom-client';

interface Declared {
  name: string;
  help: string;
}

/** A metric of a probe kind: labelled target, probe, link, and at most one label of its own. */
interface ProbeMetricCommon extends Declared {
  /** A label besides target, probe and link (e.g. an HTTP request's `phase`). */
  label?: string;
}
export interface ProbeGauge extends ProbeMetricCommon {
  type: 'gauge';
}
export interface ProbeCounter extends ProbeMetricCommon {
  type: 'counter';
}
export interface ProbeHistogram extends ProbeMetricCommon {
  type: 'histogram';
  buckets: readonly number[];
}
export type ProbeMetricDeclaration = ProbeGauge | ProbeCounter | ProbeHistogram;
/** A kind's metrics, by the name its `record` hook knows them by. */
export type ProbeMetricDeclarations = Readonly<Record<string, ProbeMetricDeclaration>>;

/** The prom-client object a declaration becomes. */
export type DeclaredMetric<D extends ProbeMetricDeclaration> = D extends ProbeCounter
  ? client.Counter<string>
  : D extends ProbeHistogram
    ? client.Histogram<string>
    : client.Gauge<string>;
export type DeclaredMetrics<M extends ProbeMetricDeclarations> = { readonly [N in keyof M]: DeclaredMetric<M[N]> };

/** A gauge a host collector writes, with all its label names. */
export interface HostMetricDeclaration extends Declared {
  labels: readonly string[];
}
