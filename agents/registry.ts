// The agent's metrics, in a prom-client registry of its own (never the global one, and without
// prom-client's default Node.js metrics, which fail `promtool check metrics`). Both exposition
// formats are written from it by exposition.ts, so one registry serves text and OpenMetrics
// scrapes alike.
import client from 'prom-client';
import { formatMetric } from './exposition.ts';
import type { ProbeRun } from './probes/index.ts';
import type { CollectorRun, Sample } from './host/collectors.ts';

const { Counter, Gauge, Histogram, Registry } = client;
const PROBE_LABELS = ['target', 'probe', 'link'] as const;
type ProbeLabels = Record<(typeof PROBE_LABELS)[number], string>;

/** RTT buckets from 100 µs doubling to about 3.3 s (smokeping_prober style). */
export const RTT_BUCKETS = Array.from({ length: 16 }, (_, i) => Number((0.0001 * 2 ** i).toPrecision(6)));

const HOST_GAUGES: Record<string, { help: string; labels: string[] }> = {
  sansang_host_filesystem_size_bytes: { help: 'Size of a local filesystem in bytes.', labels: ['mountpoint', 'fstype', 'device'] },
  sansang_host_filesystem_free_bytes: {
    help: 'Space available to unprivileged users on a local filesystem, in bytes.',
    labels: ['mountpoint', 'fstype', 'device'],
  },
  sansang_host_memory_total_bytes: { help: 'Total memory in bytes.', labels: [] },
  sansang_host_memory_available_bytes: { help: 'Memory available for new work in bytes.', labels: [] },
  sansang_host_load1: { help: 'Load average over 1 minute.', labels: [] },
  sansang_host_load5: { help: 'Load average over 5 minutes.', labels: [] },
  sansang_host_load15: { help: 'Load average over 15 minutes.', labels: [] },
  sansang_host_cpus: { help: 'Number of logical CPUs.', labels: [] },
  sansang_host_network_up: { help: '1 when the network interface is up.', labels: ['interface'] },
  sansang_host_default_route_present: { help: '1 when the host has a default route.', labels: [] },
  sansang_host_uptime_seconds: { help: 'Seconds since the host booted.', labels: [] },
  sansang_host_boot_time_seconds: { help: 'Unix time the host booted.', labels: [] },
};

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

  readonly probeSuccess = this.gauge('sansang_probe_success', '1 when the probe succeeded in its last round.', PROBE_LABELS);
  readonly probeDuration = this.gauge('sansang_probe_duration_seconds', 'How long the last round of the probe took.', PROBE_LABELS);
  readonly probeLastRun = this.gauge('sansang_probe_last_run_timestamp_seconds', 'Unix time the probe last ran.', PROBE_LABELS);
  readonly icmpSent = new Counter({
    name: 'sansang_probe_icmp_sent_total',
    help: 'ICMP echo requests sent.',
    labelNames: PROBE_LABELS,
    registers: this.regs,
  });
  readonly icmpReceived = new Counter({
    name: 'sansang_probe_icmp_received_total',
    help: 'ICMP echo replies received.',
    labelNames: PROBE_LABELS,
    registers: this.regs,
  });
  readonly icmpLoss = this.gauge('sansang_probe_icmp_packet_loss_ratio', 'Share of echoes lost in the last round (0-1).', PROBE_LABELS);
  readonly icmpRtt = new Histogram({
    name: 'sansang_probe_icmp_rtt_seconds',
    help: 'Round trip of ICMP echoes.',
    labelNames: PROBE_LABELS,
    buckets: RTT_BUCKETS,
    registers: this.regs,
  });
  readonly httpStatus = this.gauge('sansang_probe_http_status_code', 'HTTP status of the last answer.', PROBE_LABELS);
  readonly httpPhase = this.gauge('sansang_probe_http_phase_duration_seconds', 'Time spent in each phase of the last HTTP request.', [
    ...PROBE_LABELS,
    'phase',
  ]);
  readonly tlsExpiry = this.gauge(
    'sansang_probe_tls_cert_expiry_timestamp_seconds',
    'Unix time the server certificate expires.',
    PROBE_LABELS,
  );
  readonly dnsAnswers = this.gauge('sansang_probe_dns_answers', 'Records in the last DNS answer.', PROBE_LABELS);
  readonly checkStatus = this.gauge(
    'sansang_check_status',
    '1 when the checklist item is ok at this site, 0 when failing (after thresholds).',
    ['check'],
  );
  readonly collectorSuccess = this.gauge('sansang_collector_success', '1 when the host collector succeeded.', ['collector']);
  readonly collectorDuration = this.gauge('sansang_collector_duration_seconds', 'How long the host collector took.', ['collector']);
  readonly agentInfo = this.gauge('sansang_agent_info', 'The agent and its version.', ['version']);
  readonly reloadOk = this.gauge('sansang_config_last_reload_successful', '1 when the last configuration (re)load succeeded.', []);
  readonly reloadTime = this.gauge(
    'sansang_config_last_reload_success_timestamp_seconds',
    'Unix time of the last successful configuration load.',
    [],
  );
  readonly roundDuration = this.gauge(
    'sansang_round_duration_seconds',
    'How long the last round took, from its start to the end of its last probe (a running agent starts each probe in its own slot across the interval).',
    [],
  );
  private readonly host = new Map<string, client.Gauge<string>>();
  private readonly collectorSeries = new Map<string, Sample[]>();
  /** Label sets the agent has written, per probe key, so targets that leave the config are removed. */
  private readonly seen = new Map<string, ProbeLabels>();

  constructor(version: string) {
    for (const [name, d] of Object.entries(HOST_GAUGES)) this.host.set(name, this.gauge(name, d.help, d.labels));
    // prom-client starts label-less gauges at 0: no sample until measured, never a made-up 0.
    for (const g of [...this.host.values(), this.roundDuration]) g.remove({});
    this.agentInfo.set({ version }, 1);
  }

  private gauge(name: string, help: string, labelNames: readonly string[]): client.Gauge<string> {
    return new Gauge({ name, help, labelNames, registers: this.regs });
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
    this.generation++;
    if (metrics.length === 0) {
      this.epoch++;
      this.urgent++;
    }
    for (const m of metrics) this.versions.set(m, (this.versions.get(m) ?? 0) + 1);
  }

  recordProbe(run: ProbeRun): void {
    this.changed(this.probeSuccess, this.probeDuration, this.probeLastRun);
    const key = `${run.job.target}\u0000${run.job.probe}\u0000${run.job.link}`;
    // The same labels object for a series every time: exposition.ts keeps its text with it.
    let l = this.seen.get(key);
    if (!l) this.seen.set(key, (l = { target: run.job.target, probe: run.job.probe, link: run.job.link }));
    const r = run.result;
    if (this.lastSuccess.get(key) !== r.success) this.urgent++;
    this.lastSuccess.set(key, r.success);
    this.probeSuccess.set(l, r.success ? 1 : 0);
    this.probeDuration.set(l, r.durationSeconds);
    this.probeLastRun.set(l, Date.parse(r.at) / 1000);
    if (run.job.job.kind === 'icmp') {
      this.changed(this.icmpSent, this.icmpReceived, this.icmpLoss, this.icmpRtt);
      // Counters exist from the first round, even when nothing was sent.
      this.icmpSent.inc(l, r.icmp?.sent ?? 0);
      this.icmpReceived.inc(l, r.icmp?.received ?? 0);
      // No echo sent (a name that does not resolve): no loss sample rather than a made-up one.
      if (r.icmp) this.icmpLoss.set(l, r.icmp.lossRatio);
      else this.icmpLoss.remove(l);
      for (const rtt of r.icmp?.rttSeconds ?? []) this.icmpRtt.observe(l, rtt);
      if (!r.icmp) this.icmpRtt.zero(l);
    }
    if (run.job.job.kind === 'http') {
      this.changed(this.httpStatus, this.httpPhase, this.tlsExpiry);
      if (r.http?.status !== undefined) this.httpStatus.set(l, r.http.status);
      else this.httpStatus.remove(l);
      for (const [phase, v] of Object.entries(r.http?.phases ?? {})) this.httpPhase.set(this.phaseLabels(key, l, phase), v);
      if (r.http?.certExpiry) this.tlsExpiry.set(l, Date.parse(r.http.certExpiry) / 1000);
    }
    if (run.job.job.kind === 'dns') {
      this.changed(this.dnsAnswers);
      if (r.dns) this.dnsAnswers.set(l, r.dns.answers);
      else this.dnsAnswers.remove(l);
    }
  }

  private readonly phaseSeries = new Map<string, Record<string, ProbeLabels & { phase: string }>>();
  private phaseLabels(key: string, l: ProbeLabels, phase: string): ProbeLabels & { phase: string } {
    let byPhase = this.phaseSeries.get(key);
    if (!byPhase) this.phaseSeries.set(key, (byPhase = {}));
    return (byPhase[phase] ??= { ...l, phase });
  }

  /** Removes every series of probes whose key is not in `keep`. */
  retainProbes(keep: ReadonlySet<string>): void {
    this.changed();
    for (const [key, l] of this.seen) {
      if (keep.has(key)) continue;
      for (const m of [
        this.probeSuccess,
        this.probeDuration,
        this.probeLastRun,
        this.icmpLoss,
        this.httpStatus,
        this.tlsExpiry,
        this.dnsAnswers,
      ])
        m.remove(l);
      this.icmpSent.remove(l);
      this.icmpReceived.remove(l);
      this.icmpRtt.remove(l);
      for (const pl of Object.values(this.phaseSeries.get(key) ?? {})) this.httpPhase.remove(pl);
      this.seen.delete(key);
      this.phaseSeries.delete(key);
      this.lastSuccess.delete(key);
    }
  }

  recordCollector(run: CollectorRun): void {
    this.changed(this.collectorSuccess, this.collectorDuration, ...this.host.values());
    const c = run.result.collector;
    this.collectorSuccess.set({ collector: c }, run.result.success ? 1 : 0);
    this.collectorDuration.set({ collector: c }, run.result.durationSeconds);
    // Replace the collector's series: a filesystem unmounted since is no longer reported.
    for (const s of this.collectorSeries.get(c) ?? []) this.host.get(s.metric)?.remove(s.labels);
    const samples = run.output?.samples ?? [];
    for (const s of samples) this.host.get(s.metric)?.set(s.labels, s.value);
    this.collectorSeries.set(c, samples);
  }

  setCheck(check: string, ok: boolean | null): void {
    this.changed(this.checkStatus);
    if (this.lastCheck.get(check) !== ok) this.urgent++;
    this.lastCheck.set(check, ok);
    if (ok === null) this.checkStatus.remove({ check });
    else this.checkStatus.set({ check }, ok ? 1 : 0);
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
   * `sansang_host_time_seconds` is written at the moment of the scrape, so Prometheus can compute
   * the clock offset against its own timestamp; the rest is rendered once per change.
   */
  async expose(accept: string | undefined): Promise<{ contentType: string; body: string }> {
    const om = !!accept && /application\/openmetrics-text/i.test(accept);
    const rendered = await this.rendered(om ? 'om' : 'text');
    const time = `# HELP sansang_host_time_seconds The host clock, Unix time, read at scrape time.\n# TYPE sansang_host_time_seconds gauge\nsansang_host_time_seconds ${Date.now() / 1000}\n`;
    const body = om ? `${rendered}${time}# EOF\n` : `${rendered}${time}`;
    return { contentType: om ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE, body };
  }
}
