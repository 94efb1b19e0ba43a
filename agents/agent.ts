// The agent's core: the current configuration, the probe schedule, the checks, the metrics and
// the status document. A running agent ticks once an interval (node-cron) and gives each probe
// its own slot across the interval, so a failure is seen by the next slot, not at the next
// round, and no burst of probes leaves at once; the checks are judged at each tick from every
// probe's latest result. `agent check` runs one round of everything at once instead.
import cron, { type ScheduledTask } from 'node-cron';
import {
  StatusDocument,
  sayCause,
  sliceSiteChecks,
  type CollectorResult,
  type HostFacts,
  type ProbeResult,
  type SiteSliceDocument,
} from '../inventory/index.ts';
import { isIP } from 'node:net';
import { CheckBook, type RoundEvidence } from './checks.ts';
import { cronFor, loadConfig, type ConfigSource, type LoadedConfig } from './config.ts';
import { runCollector, type Collector, type CollectorRun } from './host/collector.ts';
import { defaultCollectors } from './host/collectors.ts';
import type { FilesystemUse } from './host/filesystem.ts';
import { gatherFacts } from './host/facts.ts';
import { buildJobs, jobKey, rollingOrder, runJob, runJobs, type ProbeJob, type ProbeRun } from './probes/index.ts';
import { Heartbeat, type HeartbeatChange, type HeartbeatTarget } from './probes/heartbeat.ts';
import { learnInterfaces } from './probes/link-state.ts';
import { AgentMetrics } from './registry.ts';
import { Pusher } from './push/pusher.ts';
import { durationMs } from './timeout.ts';
import { AGENT_VERSION } from './version.ts';

export interface AgentOptions {
  source: ConfigSource;
  collectors?: readonly Collector[];
  /** Gather host facts (at start and hourly). Default true. */
  facts?: boolean;
  /** Probes run at the same time, at most. */
  concurrency?: number;
  log?: (line: string) => void;
}

export interface RoundOutcome {
  probes: ProbeRun[];
  collectors: CollectorRun[];
  evidence: RoundEvidence;
}

export class Agent {
  readonly metrics: AgentMetrics;
  readonly startedAt = new Date();
  private config!: LoadedConfig;
  private jobs: ProbeJob[] = [];
  private checks!: CheckBook;
  /** The latest run of each job, by jobKey. */
  private latest = new Map<string, ProbeRun>();
  /** Jobs in flight, by jobKey: a slot never starts a job whose last run has not ended. */
  private inFlight = new Set<string>();
  private slotTimers = new Set<NodeJS.Timeout>();
  private collectorResults = new Map<string, CollectorResult>();
  private facts: HostFacts | null = null;
  private task: ScheduledTask | null = null;
  private factsTimer: NodeJS.Timeout | null = null;
  private running: Promise<RoundOutcome> | null = null;
  private heartbeat: Heartbeat | null = null;
  /** Pushes over the links the data center cannot reach, and asks which uplink carries the traffic (agents/push/). */
  private pusher: Pusher | null = null;
  private closed = false;
  private readonly offsetS = Math.random();
  readonly log: (line: string) => void;

  private constructor(private readonly opts: AgentOptions) {
    this.log = opts.log ?? ((l) => process.stderr.write(`${l}\n`));
    this.metrics = new AgentMetrics(AGENT_VERSION, this.collectors);
  }

  private get collectors(): readonly Collector[] {
    return this.opts.collectors ?? defaultCollectors;
  }

  /** Loads and validates the configuration; throws (InputError, InventoryError) when it is bad. */
  static async create(opts: AgentOptions): Promise<Agent> {
    const a = new Agent(opts);
    // Which interface carries each link's address, even one that is down now (link-state.ts).
    await learnInterfaces();
    a.apply(await loadConfig(opts.source));
    a.metrics.setReload(true);
    return a;
  }

  get slice(): SiteSliceDocument {
    return this.config.slice;
  }

  /** Directory relative file names of the configuration resolve against. */
  get baseDir(): string {
    return this.config.baseDir;
  }

  get intervalMs(): number {
    return durationMs(this.config.slice.agent.interval);
  }

  /** What the pusher holds back for each receiver (tests and the bench). */
  get pushBacklog(): ReturnType<Pusher['backlog']> {
    return this.pusher?.backlog() ?? [];
  }

  get probeJobs(): readonly ProbeJob[] {
    return this.jobs;
  }

  private apply(cfg: LoadedConfig): void {
    const jobs = buildJobs(cfg.slice, cfg.baseDir);
    const items = sliceSiteChecks(cfg.slice).filter((i) => i.kind === 'edge');
    this.config = cfg;
    this.jobs = jobs;
    this.metrics.maxStaleMs = this.intervalMs;
    const keep = new Set(jobs.map(jobKey));
    this.metrics.retainProbes(keep);
    for (const k of [...this.latest.keys()]) if (!keep.has(k)) this.latest.delete(k);
    if (!this.checks) this.checks = new CheckBook(items);
    else for (const id of this.checks.setItems(items)) this.metrics.setCheck(id, null);
    // A running agent's heartbeat follows the configuration.
    if (this.task) this.startHeartbeat();
  }

  /**
   * What each link's heartbeat echoes: the gateway, and a data-center address (the ICMP probe
   * aimed at `agent.heartbeat.dataCenter`, else the link's first ICMP probe of an address).
   */
  heartbeatTargets(): HeartbeatTarget[] {
    const hb = this.slice.agent.heartbeat;
    if (!hb.enabled) return [];
    const out: HeartbeatTarget[] = [];
    for (const link of ['primary', 'backup'] as const) {
      const l = this.slice.site.links[link];
      if (!l) continue;
      const icmp = this.jobs.filter((j) => j.link === link && j.job.kind === 'icmp' && isIP(j.host));
      const gateway = icmp.find((j) => j.target === 'gateway');
      const services = icmp.filter((j) => j.target !== 'gateway');
      const dc = services.find((j) => j.host === hb.dataCenter) ?? services[0];
      for (const j of [gateway, dc]) {
        if (!j) continue;
        out.push({
          link,
          source: l.address,
          address: j.host,
          gateway: l.gateway,
          job: jobKey(j),
          ...(j.path.service ? { service: j.path.service } : {}),
          ...(j.path.operator ? { operator: j.path.operator } : {}),
        });
      }
    }
    return out;
  }

  private startHeartbeat(): void {
    const targets = this.heartbeatTargets();
    const same = this.heartbeat && JSON.stringify(this.heartbeat.targets) === JSON.stringify(targets);
    if (same || this.closed) return;
    this.heartbeat?.stop();
    this.heartbeat = null;
    if (targets.length === 0) return;
    const hb = this.slice.agent.heartbeat;
    this.heartbeat = new Heartbeat(targets, {
      everyMs: durationMs(hb.every),
      misses: hb.misses,
      onChange: (c) => this.onHeartbeat(c),
      log: this.log,
    });
    this.heartbeat.start();
  }

  /**
   * A heartbeat target went down: its probe fails now, with the echoes it missed, instead of at
   * its next slot; back up: its probe runs now, for real figures.
   */
  private onHeartbeat(c: HeartbeatChange): void {
    const job = this.jobs.find((j) => jobKey(j) === c.target.job);
    if (!job || this.closed) return;
    if (c.up) {
      void this.runSlot(job);
      return;
    }
    const cause = c.cause!;
    const icmp = { sent: c.misses, received: 0, rttSeconds: [] as number[] };
    const result: ProbeResult = {
      target: job.target,
      probe: job.probe,
      link: job.link,
      kind: job.statusKind,
      success: false,
      durationSeconds: c.silentSeconds,
      at: new Date().toISOString(),
      error: sayCause(cause, 'en').what,
      errorKind: cause.kind,
      cause,
      icmp: { ...icmp, lossRatio: 1 },
    };
    this.record({ job, result, observation: { success: false, cause, icmp } as ProbeRun['observation'] });
  }

  /** SIGHUP: a bad new configuration is refused and the old one keeps running. */
  async reload(): Promise<boolean> {
    try {
      const cfg = await loadConfig(this.opts.source);
      const wasInterval = this.intervalMs;
      this.apply(cfg);
      this.metrics.setReload(true);
      if (this.task && this.intervalMs !== wasInterval) this.schedule();
      if (this.task) await this.startPusher();
      this.log(`sansang agent: configuration reloaded: ${this.jobs.length} probes, ${this.checks.ids.length} checks`);
      return true;
    } catch (e) {
      this.metrics.setReload(false);
      this.log(`sansang agent: new configuration refused, the previous one keeps running: ${(e as Error).message}`);
      return false;
    }
  }

  /** One round of every probe and collector; concurrent calls share the round in flight. */
  round(): Promise<RoundOutcome> {
    if (this.running) return this.running;
    this.running = this.doRound().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async doRound(): Promise<RoundOutcome> {
    const t0 = performance.now();
    const jobs = this.jobs;
    const [probes, collectors] = await Promise.all([
      runJobs(jobs, this.opts.concurrency ?? 64, (r) => this.record(r)),
      this.runCollectors(),
    ]);
    const evidence: RoundEvidence = {
      probes: probes.filter((p) => this.jobs.includes(p.job)),
      filesystems: this.filesystems(collectors),
      now: new Date(),
    };
    this.judge(evidence);
    this.metrics.setRoundDuration((performance.now() - t0) / 1000);
    return { probes, collectors, evidence };
  }

  /** Keeps a run as its job's latest and in the metrics; a job of a configuration replaced meanwhile is dropped. */
  private record(r: ProbeRun): boolean {
    if (!this.jobs.includes(r.job)) return false;
    this.latest.set(jobKey(r.job), r);
    this.metrics.recordProbe(r);
    return true;
  }

  private async runCollectors(): Promise<CollectorRun[]> {
    const timeout = Math.min(10_000, Math.floor(this.intervalMs * 0.8));
    const runs = await Promise.all(this.collectors.map((c) => runCollector(c, timeout)));
    for (const c of runs) {
      this.collectorResults.set(c.result.collector, c.result);
      this.metrics.recordCollector(c);
    }
    return runs;
  }

  private filesystems(collectors: readonly CollectorRun[]): FilesystemUse[] | { error: string } {
    const fsRun = collectors.find((c) => c.result.collector === 'filesystem');
    return fsRun?.output?.filesystems ?? { error: fsRun?.result.error ?? 'the filesystem collector did not run' };
  }

  private judge(evidence: RoundEvidence): void {
    const router = this.slice.site.router;
    const ev: RoundEvidence = router ? { ...evidence, uplink: this.pusher?.uplink ?? null, router: router.uplinks } : evidence;
    for (const c of this.checks.round(ev)) this.metrics.setCheck(c.check, c.ok);
  }

  /** Starts (or, after a reload, starts again) what the agent sends the data center itself. */
  private async startPusher(): Promise<void> {
    this.pusher?.close();
    this.pusher = null;
    if (this.closed || !Pusher.needed(this.slice)) return;
    this.pusher = await Pusher.create({
      slice: this.slice,
      baseDir: this.baseDir,
      metrics: this.metrics,
      exposition: async () => (await this.metrics.expose(undefined)).body,
      status: () => this.status(),
      log: this.log,
      intervalMs: this.intervalMs,
    });
  }

  /**
   * One tick of a running agent: every job gets a slot, evenly spaced across the interval in
   * rollingOrder; the collectors run now, and then the checks are judged from the latest result
   * of every probe. A job's timeout is below the interval, so its run ends before its next slot.
   */
  private async tick(): Promise<void> {
    if (this.closed) return;
    const t0 = performance.now();
    const jobs = rollingOrder(this.jobs);
    const slotMs = this.intervalMs / Math.max(1, jobs.length);
    let pending = jobs.length;
    const ended = () => {
      if (--pending === 0) this.metrics.setRoundDuration((performance.now() - t0) / 1000);
    };
    jobs.forEach((job, i) => {
      const timer = setTimeout(
        () => {
          this.slotTimers.delete(timer);
          void this.runSlot(job).finally(ended);
        },
        Math.round(i * slotMs),
      );
      this.slotTimers.add(timer);
    });
    // Which uplink a dual-WAN router uses, asked while the collectors run (a failover is told within the tick).
    const asked = this.pusher?.askUplink();
    this.lastFilesystems = this.filesystems(await this.runCollectors());
    await asked;
    if (this.closed) return;
    this.unjudged = !this.judgeLatest();
    // What a scrape would have taken, sent over the links the data center cannot reach.
    void this.pusher?.push().catch((e: unknown) => this.log(`sansang agent: push failed: ${String(e)}`));
    // The figures that moved since the last tick, rendered once pending I/O has been served.
    setImmediate(() => void this.metrics.prerender().catch(() => undefined));
  }

  private lastFilesystems: RoundEvidence['filesystems'] | null = null;
  /** The last tick could not judge the items: the first probe to complete the set judges them. */
  private unjudged = false;

  /**
   * Judges the items from every probe's latest result. Until every job has one (at start, after
   * a reload) they are not judged: a probe that has not run yet is no evidence against its link.
   */
  private judgeLatest(): boolean {
    const probes = this.jobs.flatMap((j) => this.latest.get(jobKey(j)) ?? []);
    if (probes.length < this.jobs.length || !this.lastFilesystems) return false;
    this.judge({ probes, filesystems: this.lastFilesystems, now: new Date(), rolling: true });
    return true;
  }

  private async runSlot(job: ProbeJob): Promise<void> {
    const key = jobKey(job);
    // A job of a configuration replaced since the tick, or one still running, keeps its result.
    if (this.closed || !this.jobs.includes(job) || this.inFlight.has(key)) return;
    this.inFlight.add(key);
    try {
      const r = await runJob(job);
      if (!this.closed && this.record(r) && this.unjudged) this.unjudged = !this.judgeLatest();
    } finally {
      this.inFlight.delete(key);
    }
  }

  /** Starts the schedule: a first tick now, then every interval at this agent's offset. */
  async start(): Promise<void> {
    await this.startPusher();
    this.schedule();
    this.startHeartbeat();
    void this.tick().catch((e: unknown) => this.log(`sansang agent: tick failed: ${String(e)}`));
    if (this.opts.facts ?? true) {
      const refresh = () => {
        gatherFacts().then(
          (f) => (this.facts = f),
          () => undefined,
        );
      };
      refresh();
      this.factsTimer = setInterval(refresh, 3_600_000);
      this.factsTimer.unref();
    }
  }

  private schedule(): void {
    void this.task?.destroy();
    const expr = cronFor(this.intervalMs, this.offsetS * Math.min(this.intervalMs / 1000, 3600));
    this.task = cron.schedule(
      expr,
      async () => {
        if (this.closed) return;
        await this.tick();
      },
      // noOverlap: a tick never starts while the last one's collectors run; a little random delay
      // on top of the fixed offset spreads agents further.
      {
        noOverlap: true,
        maxRandomDelay: Math.min(1000, Math.floor(this.intervalMs * 0.05)),
        name: `sansang-agent-${this.config.slice.site.id}-${process.pid}-${Math.random()}`,
      },
    );
  }

  status(): StatusDocument {
    const doc: StatusDocument = {
      schemaVersion: 1,
      agent: {
        version: AGENT_VERSION,
        unit: this.slice.unit.code,
        site: this.slice.site.id,
        startedAt: this.startedAt.toISOString(),
        now: new Date().toISOString(),
        intervalSeconds: this.intervalMs / 1000,
      },
      probes: this.jobs.flatMap((j) => {
        const r = this.latest.get(jobKey(j));
        return r ? [r.result] : [];
      }),
      checks: this.checks.results(),
      collectors: [...this.collectorResults.values()],
      host: this.facts,
    };
    // The board reads this with the same schema: never serve a document it would refuse.
    return StatusDocument.parse(doc);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.pusher?.close();
    this.pusher = null;
    this.heartbeat?.stop();
    this.heartbeat = null;
    if (this.factsTimer) clearInterval(this.factsTimer);
    for (const t of this.slotTimers) clearTimeout(t);
    this.slotTimers.clear();
    await this.task?.destroy();
    this.task = null;
  }
}
