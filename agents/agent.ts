// The agent's core: the current configuration, one round (probes and collectors in parallel,
// each bounded by its own deadline), the checks, the metrics and the status document. The
// scheduler (node-cron) and the HTTP server sit on top of it; `agent check` runs one round.
import cron, { type ScheduledTask } from 'node-cron';
import {
  StatusDocument,
  sliceSiteChecks,
  type CollectorResult,
  type HostFacts,
  type ProbeResult,
  type SiteSliceDocument,
} from '../inventory/index.ts';
import { CheckBook, type RoundEvidence } from './checks.ts';
import { cronFor, loadConfig, type ConfigSource, type LoadedConfig } from './config.ts';
import { defaultCollectors, runCollector, type Collector, type CollectorRun, type FilesystemUse } from './host/collectors.ts';
import { gatherFacts } from './host/facts.ts';
import { buildJobs, jobKey, runJobs, type ProbeJob, type ProbeRun } from './probes/index.ts';
import { AgentMetrics } from './registry.ts';
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
  readonly metrics = new AgentMetrics(AGENT_VERSION);
  readonly startedAt = new Date();
  private config!: LoadedConfig;
  private jobs: ProbeJob[] = [];
  private checks!: CheckBook;
  private results = new Map<string, ProbeResult>();
  private collectorResults = new Map<string, CollectorResult>();
  private facts: HostFacts | null = null;
  private task: ScheduledTask | null = null;
  private factsTimer: NodeJS.Timeout | null = null;
  private running: Promise<RoundOutcome> | null = null;
  private closed = false;
  private readonly offsetS = Math.random();
  readonly log: (line: string) => void;

  private constructor(private readonly opts: AgentOptions) {
    this.log = opts.log ?? ((l) => process.stderr.write(`${l}\n`));
  }

  /** Loads and validates the configuration; throws (InputError, InventoryError) when it is bad. */
  static async create(opts: AgentOptions): Promise<Agent> {
    const a = new Agent(opts);
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

  get probeJobs(): readonly ProbeJob[] {
    return this.jobs;
  }

  private apply(cfg: LoadedConfig): void {
    const jobs = buildJobs(cfg.slice, cfg.baseDir);
    const items = sliceSiteChecks(cfg.slice).filter((i) => i.kind === 'edge');
    this.config = cfg;
    this.jobs = jobs;
    const keep = new Set(jobs.map(jobKey));
    this.metrics.retainProbes(keep);
    for (const k of [...this.results.keys()]) if (!keep.has(k)) this.results.delete(k);
    if (!this.checks) this.checks = new CheckBook(items);
    else for (const id of this.checks.setItems(items)) this.metrics.setCheck(id, null);
  }

  /** SIGHUP: a bad new configuration is refused and the old one keeps running. */
  async reload(): Promise<boolean> {
    try {
      const cfg = await loadConfig(this.opts.source);
      const wasInterval = this.intervalMs;
      this.apply(cfg);
      this.metrics.setReload(true);
      if (this.task && this.intervalMs !== wasInterval) this.schedule();
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
    const collectorTimeout = Math.min(10_000, Math.floor(this.intervalMs * 0.8));
    const [probes, collectors] = await Promise.all([
      runJobs(jobs, this.opts.concurrency ?? 64, (r) => {
        // A job of a configuration replaced during the round is dropped, not recorded.
        if (!this.jobs.includes(r.job)) return;
        this.results.set(jobKey(r.job), r.result);
        this.metrics.recordProbe(r);
      }),
      Promise.all((this.opts.collectors ?? defaultCollectors).map((c) => runCollector(c, collectorTimeout))),
    ]);
    for (const c of collectors) {
      this.collectorResults.set(c.result.collector, c.result);
      this.metrics.recordCollector(c);
    }
    const fsRun = collectors.find((c) => c.result.collector === 'filesystem');
    const filesystems: FilesystemUse[] | { error: string } = fsRun?.output?.filesystems ?? {
      error: fsRun?.result.error ?? 'the filesystem collector did not run',
    };
    const evidence: RoundEvidence = { probes: probes.filter((p) => this.jobs.includes(p.job)), filesystems, now: new Date() };
    for (const c of this.checks.round(evidence)) this.metrics.setCheck(c.check, c.ok);
    this.metrics.setRoundDuration((performance.now() - t0) / 1000);
    // Off the next scrape's path: render the round's figures now, once pending I/O has been served.
    setImmediate(() => void this.metrics.prerender().catch(() => undefined));
    return { probes, collectors, evidence };
  }

  /** Starts the schedule: a first round now, then every interval at this agent's offset. */
  start(): void {
    this.schedule();
    void this.round().catch((e: unknown) => this.log(`sansang agent: round failed: ${String(e)}`));
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
        await this.round();
      },
      // noOverlap: a round never starts while the last one runs; a little random delay on top of
      // the fixed offset spreads agents further.
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
        const r = this.results.get(jobKey(j));
        return r ? [r] : [];
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
    if (this.factsTimer) clearInterval(this.factsTimer);
    await this.task?.destroy();
    this.task = null;
  }
}
