// The agent's metrics, in a prom-client registry of its own (never the global one, and without
// prom-client's default Node.js metrics, which fail `promtool check metrics`). Both exposition
// formats are written from it by exposition.ts, so one registry serves text and OpenMetrics
// scrapes alike.
import client from 'prom-client';
import { AGENT_METRICS, LABELS, PROBE_KIND_NAMES, type ProbeKindName } from '../inventory/index.ts';
import { formatMetric } from './exposition.ts';
import type { ProbeMetricDeclaration } from './metric-declarations.ts';
import type { ProbeRun } from './probes/index.ts';
import { kindOf } from './probes/kinds.ts';
import type { Labels, ProbeSeries } from './probes/probe-kind.ts';
import type { Collector, CollectorRun, Sample } from './host/collector.ts';
import { defaultCollectors } from './host/collectors.ts';

const { Counter, Gauge, Histogram, Registry } = client;
const PROBE_LABELS = [LABELS.target, LABELS.probe, LABELS.link] as const;
type ProbeLabels = Record<(typeof PROBE_LABELS)[number], string>;
type ProbeMetric = client.Gauge<string> | client.Counter<string> | client.Histogram<string>;

/** A probe kind's metrics: built from its declarations, by the names its `record` hook uses. */
interface KindMetrics {
  byName: Record<string, ProbeMetric>;
  /** In declaration order, each with the label of its own, if any. */
  list: { metric: ProbeMetric; label?: string }[];
  metrics: ProbeMetric[];
}

/**
 * One probe's series: its labels object, the same every time (exposition.ts keeps its text with
 * it), and the labels of its series with one label more (an HTTP phase), kept per value likewise.
 */
class Series implements ProbeSeries {
  private readonly extended = new Map<string, Map<string, Readonly<Labels>>>();
  constructor(
    readonly labels: Readonly<ProbeLabels>,
    /** The kind whose metrics the series are written to. */
    public kind: ProbeKindName,
  ) {}

  with(label: string, value: string): Readonly<Labels> {
    let byValue = this.extended.get(label);
    if (!byValue) this.extended.set(label, (byValue = new Map()));
    let l = byValue.get(value);
    if (!l) byValue.set(value, (l = { ...this.labels, [label]: value }));
    return l;
  }

  /** The label sets written with `label`, each removed from `metric`. */
  removeExtended(metric: ProbeMetric, label: string): void {
    for (const l of this.extended.get(label)?.values() ?? []) metric.remove(l);
  }

  forgetExtended(): void {
    this.extended.clear();
  }
}

const HOST_TIME_HEADER = `# HELP ${AGENT_METRICS.hostTime} The host clock, Unix time, read at scrape time.\n# TYPE ${AGENT_METRICS.hostTime} gauge\n`;

type Format = 'om' | 'text';
interface RenderCache {
  generation: number;
  epoch: number;
  urgent: number;
  renderedAt: number;
  body: string;
  parts: Map<client.Metric<string>, { version: number; text: string }>;
}
export class AgentMetrics {
  readonly registry = new Registry();
  private readonly regs = [this.registry];

  readonly probeSuccess = this.gauge(AGENT_METRICS.probeSuccess, '1 when the probe succeeded in its last round.', PROBE_LABELS);
  readonly probeDuration = this.gauge(AGENT_METRICS.probeDuration, 'How long the last round of the probe took.', PROBE_LABELS);
  readonly probeLastRun = this.gauge(AGENT_METRICS.probeLastRun, 'Unix time the probe last ran.', PROBE_LABELS);
  /** Every probe's metrics, of any kind. */
  private readonly probeCommon = [this.probeSuccess, this.probeDuration, this.probeLastRun];
  /** Probe metrics by name: kinds that declare the same name (the certificate's expiry) share one metric. */
  private readonly probeMetrics = new Map<string, { metric: ProbeMetric; declared: string }>();
  /** Each kind's own metrics, from its declarations (probes/<kind>.ts), in the kinds' order. */
  private readonly kinds = Object.fromEntries(PROBE_KIND_NAMES.map((k) => [k, this.kindMetrics(k)])) as Record<ProbeKindName, KindMetrics>;
  readonly checkStatus = this.gauge(
    AGENT_METRICS.checkStatus,
    '1 when the checklist item is ok at this site, 0 when failing (after thresholds).',
    [LABELS.check],
  );
  readonly collectorSuccess = this.gauge(AGENT_METRICS.collectorSuccess, '1 when the host collector succeeded.', [LABELS.collector]);
  readonly collectorDuration = this.gauge(AGENT_METRICS.collectorDuration, 'How long the host collector took.', [LABELS.collector]);
  readonly agentInfo = this.gauge(AGENT_METRICS.agentInfo, 'The agent and its version.', ['version']);
  readonly reloadOk = this.gauge(AGENT_METRICS.reloadOk, '1 when the last configuration (re)load succeeded.', []);
  readonly reloadTime = this.gauge(AGENT_METRICS.reloadTime, 'Unix time of the last successful configuration load.', []);
  readonly roundDuration = this.gauge(
    AGENT_METRICS.roundDuration,
    'How long the last round took, from its start to the end of its last probe (a running agent starts each probe in its own slot across the interval).',
    [],
  );
  readonly uplinkActive = this.gauge(
    AGENT_METRICS.uplinkActive,
    "Behind a dual-WAN router: 1 for the uplink the data center sees this site's traffic leave by, 0 for the other.",
    [LABELS.uplink],
  );
  readonly pushBacklog = this.gauge(
    AGENT_METRICS.pushBacklogBytes,
    'Bytes of samples waiting on disk to be pushed to the receiver (over a link the data center cannot reach).',
    [LABELS.receiver, LABELS.link],
  );
  readonly pushDropped = this.gauge(
    AGENT_METRICS.pushDropped,
    'Samples dropped because the backlog for the receiver was full or the receiver refused them.',
    [LABELS.receiver, LABELS.link],
  );
  readonly pushLastSuccess = this.gauge(AGENT_METRICS.pushLastSuccess, 'Unix time the receiver last accepted a push.', [
    LABELS.receiver,
    LABELS.link,
  ]);
  /** The host collectors' gauges, from their declarations (host/<collector>.ts), by metric name. */
  private readonly host = new Map<string, client.Gauge<string>>();
  private readonly collectorSeries = new Map<string, Sample[]>();
  /** The series the agent has written, per probe key, so targets that leave the config are removed. */
  private readonly seen = new Map<string, Series>();

  constructor(version: string, collectors: readonly Collector[] = defaultCollectors) {
    for (const c of collectors) for (const d of c.metrics) this.host.set(d.name, this.gauge(d.name, d.help, d.labels));
    // prom-client starts label-less gauges at 0: no sample until measured, never a made-up 0.
    for (const g of [...this.host.values(), this.roundDuration]) g.remove({});
    this.agentInfo.set({ version }, 1);
  }

  private gauge(name: string, help: string, labelNames: readonly string[]): client.Gauge<string> {
    return new Gauge({ name, help, labelNames, registers: this.regs });
  }

  private kindMetrics(kind: ProbeKindName): KindMetrics {
    const m: KindMetrics = { byName: {}, list: [], metrics: [] };
    for (const [name, d] of Object.entries(kindOf(kind).metrics ?? {})) {
      const metric = this.probeMetric(d);
      m.byName[name] = metric;
      m.list.push({ metric, label: d.label });
      m.metrics.push(metric);
    }
    return m;
  }

  private probeMetric(d: ProbeMetricDeclaration): ProbeMetric {
    const declared = JSON.stringify({ type: d.type, label: d.label });
    const known = this.probeMetrics.get(d.name);
    if (known) {
      if (known.declared !== declared) throw new Error(`${d.name}: two probe kinds declare it differently`);
      return known.metric;
    }
    const metric = this.newProbeMetric(d);
    this.probeMetrics.set(d.name, { metric, declared });
    return metric;
  }

  private newProbeMetric(d: ProbeMetricDeclaration): ProbeMetric {
    const common = { name: d.name, help: d.help, labelNames: d.label ? [...PROBE_LABELS, d.label] : PROBE_LABELS, registers: this.regs };
    switch (d.type) {
      case 'gauge':
        return new Gauge(common);
      case 'counter':
        return new Counter(common);
      case 'histogram':
        return new Histogram({ ...common, buckets: [...d.buckets] });
    }
  }

  // Rendering: each metric's text is kept per format and rendered again only when that metric
  // changed (a probe's result touches a handful), so a scrape costs what changed since the last
  // one. The text is written by exposition.ts from each metric's values, not by prom-client's
  // Registry.metrics(), which is slower and, for OpenMetrics, renames counters in place (dropping
  // `_total` from the shared metric object, so later text scrapes named them wrongly).
  //
  // Figures that only moved (a duration, a round trip, a counter) are rendered at most once per
  // `maxStaleMs` (the agent sets its interval, and renders right after each tick, off the
  // scrape's path); a change a watcher must see at once (a probe's success or a check that
  // flipped, a series removed, a reload) is rendered by the very next scrape. Probes finish one
  // by one across the interval: rendering each scrape would cost a rendering per scrape.
  private generation = 0;
  private epoch = 0;
  private urgent = 0;
  maxStaleMs = 0;
  private readonly lastSuccess = new Map<string, boolean>();
  private readonly lastCheck = new Map<string, boolean | null>();
  private readonly versions = new Map<client.Metric<string>, number>();
  private readonly cache = new Map<Format, RenderCache>();
  private renderChain: Promise<unknown> = Promise.resolve();

  /** Marks metrics (none: every metric) as changed. */
  private changed(...metrics: client.Metric<string>[]): void {
    if (metrics.length === 0) {
      this.epoch++;
      this.urgent++;
    }
    this.changedAll(metrics);
  }

  private changedAll(metrics: readonly client.Metric<string>[]): void {
    this.generation++;
    for (const m of metrics) this.versions.set(m, (this.versions.get(m) ?? 0) + 1);
  }

  recordProbe(run: ProbeRun): void {
    const kind = run.job.job.kind;
    const own = this.kinds[kind];
    this.changed(this.probeSuccess, this.probeDuration, this.probeLastRun);
    this.changedAll(own.metrics);
    const key = `${run.job.target}\u0000${run.job.probe}\u0000${run.job.link}`;
    // The same labels object for a series every time: exposition.ts keeps its text with it.
    let s = this.seen.get(key);
    if (!s) this.seen.set(key, (s = new Series({ target: run.job.target, probe: run.job.probe, link: run.job.link }, kind)));
    else if (s.kind !== kind) {
      // The probe's kind changed under the same id: the old kind's series go.
      this.removeKindSeries(s);
      s.kind = kind;
    }
    const l = s.labels;
    const r = run.result;
    if (this.lastSuccess.get(key) !== r.success) this.urgent++;
    this.lastSuccess.set(key, r.success);
    this.probeSuccess.set(l, r.success ? 1 : 0);
    this.probeDuration.set(l, r.durationSeconds);
    this.probeLastRun.set(l, Date.parse(r.at) / 1000);
    kindOf(kind).record?.(own.byName, s, r, run.observation);
  }

  /** Removes the series of the probe's kind's own metrics. */
  private removeKindSeries(s: Series): void {
    const own = this.kinds[s.kind];
    this.changedAll(own.metrics);
    for (const { metric, label } of own.list) {
      if (label) s.removeExtended(metric, label);
      else metric.remove(s.labels);
    }
    s.forgetExtended();
  }

  /** Removes every series of probes whose key is not in `keep`. */
  retainProbes(keep: ReadonlySet<string>): void {
    this.changed();
    for (const [key, s] of this.seen) {
      if (keep.has(key)) continue;
      for (const m of this.probeCommon) m.remove(s.labels);
      this.removeKindSeries(s);
      this.seen.delete(key);
      this.lastSuccess.delete(key);
    }
  }

  recordCollector(run: CollectorRun): void {
    this.changed(this.collectorSuccess, this.collectorDuration, ...this.host.values());
    const c = run.result.collector;
    this.collectorSuccess.set({ collector: c }, run.result.success ? 1 : 0);
    this.collectorDuration.set({ collector: c }, run.result.durationSeconds);
    // Replace the collector's series: a filesystem unmounted since is no longer reported.
    for (const s of this.collectorSeries.get(c) ?? []) this.hostGauge(s.metric).remove(s.labels);
    const samples = run.output?.samples ?? [];
    for (const s of samples) this.hostGauge(s.metric).set(s.labels, s.value);
    this.collectorSeries.set(c, samples);
  }

  /** A host gauge; runCollector has refused samples of metrics their collector does not declare. */
  private hostGauge(name: string): client.Gauge<string> {
    const g = this.host.get(name);
    if (!g) throw new Error(`${name}: no host collector given to AgentMetrics declares this metric`);
    return g;
  }

  setCheck(check: string, ok: boolean | null): void {
    this.changed(this.checkStatus);
    if (this.lastCheck.get(check) !== ok) this.urgent++;
    this.lastCheck.set(check, ok);
    if (ok === null) this.checkStatus.remove({ check });
    else this.checkStatus.set({ check }, ok ? 1 : 0);
  }

  /** The uplink the data center sees (null: not told, no series). */
  setUplink(active: 'primary' | 'backup' | null): void {
    this.changed(this.uplinkActive);
    this.urgent++;
    this.uplinkActive.reset();
    if (active) for (const u of ['primary', 'backup'] as const) this.uplinkActive.set({ [LABELS.uplink]: u }, u === active ? 1 : 0);
  }

  /** A push queue's figures (agents/push/). */
  setPush(receiver: string, link: string, f: { backlogBytes: number; dropped: number; lastSuccessMs: number | null }): void {
    this.changed(this.pushBacklog, this.pushDropped, this.pushLastSuccess);
    const l = { [LABELS.receiver]: receiver, [LABELS.link]: link };
    this.pushBacklog.set(l, f.backlogBytes);
    this.pushDropped.set(l, f.dropped);
    if (f.lastSuccessMs !== null) this.pushLastSuccess.set(l, f.lastSuccessMs / 1000);
  }

  setReload(ok: boolean): void {
    this.changed(this.reloadOk, this.reloadTime);
    this.urgent++;
    this.reloadOk.set(ok ? 1 : 0);
    if (ok) this.reloadTime.set(Date.now() / 1000);
  }

  setRoundDuration(seconds: number): void {
    this.changed(this.roundDuration);
    this.roundDuration.set(seconds);
  }

  /** A rendering that may still be served: nothing changed, or only figures that moved, not long ago. */
  private fresh(c: RenderCache | undefined): c is RenderCache {
    return !!c && (c.generation === this.generation || (c.urgent === this.urgent && performance.now() - c.renderedAt < this.maxStaleMs));
  }

  /** The whole exposition in one format (without its trailer), from the cached text of every metric that did not change. */
  private rendered(format: Format, force = false): Promise<string> {
    const c = this.cache.get(format);
    // Served at once, not queued behind a rendering in progress (a prerender that yields to I/O).
    if (!force && this.fresh(c)) return Promise.resolve(c.body);
    // One rendering at a time, so two scrapes in a row do not both render the same changes.
    const next = this.renderChain.then(() => this.render(format, force));
    this.renderChain = next.catch(() => undefined);
    return next;
  }

  private async render(format: Format, force: boolean): Promise<string> {
    let c = this.cache.get(format);
    if (!c) this.cache.set(format, (c = { generation: -1, epoch: -1, urgent: -1, renderedAt: 0, body: '', parts: new Map() }));
    if (c.generation === this.generation || (!force && this.fresh(c))) return c.body;
    if (c.epoch !== this.epoch) c.parts.clear();
    const generation = this.generation;
    const epoch = this.epoch;
    const urgent = this.urgent;
    const om = format === 'om';
    const texts: string[] = [];
    // The registry holds the metric objects themselves (its typings say otherwise).
    for (const m of this.registry.getMetricsAsArray() as unknown as client.Metric<string>[]) {
      const version = this.versions.get(m) ?? 0;
      let part = c.parts.get(m);
      if (!part || part.version !== version) {
        // A prerender gives pending I/O (a scrape) its turn between metrics.
        if (force) await new Promise<void>((r) => setImmediate(r));
        part = { version, text: await formatMetric(m, om) };
        c.parts.set(m, part);
      }
      texts.push(part.text);
    }
    const body = `${texts.join(om ? '\n' : '\n\n')}\n`;
    Object.assign(c, { generation, epoch, urgent, renderedAt: performance.now(), body });
    return body;
  }

  /** Renders what changed, now, in each format a scraper has asked for (after a tick, off the scrape's path). */
  async prerender(): Promise<void> {
    for (const format of [...this.cache.keys()]) await this.rendered(format, true);
  }

  /**
   * The exposition for a scrape: OpenMetrics when the scraper's Accept header asks for it.
   * The host clock (AGENT_METRICS.hostTime) is written at the moment of the scrape, so Prometheus
   * can compute the clock offset against its own timestamp; the rest is rendered once per change.
   */
  async expose(accept: string | undefined): Promise<{ contentType: string; body: string }> {
    const om = !!accept && /application\/openmetrics-text/i.test(accept);
    const rendered = await this.rendered(om ? 'om' : 'text');
    const time = `${HOST_TIME_HEADER}${AGENT_METRICS.hostTime} ${Date.now() / 1000}\n`;
    const body = om ? `${rendered}${time}# EOF\n` : `${rendered}${time}`;
    return { contentType: om ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE, body };
  }
}
