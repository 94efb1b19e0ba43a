// What a host collector is, and how one runs: each is isolated (as node_exporter's), under its own
// timeout, with its own success and duration, so a stuck mount or a slow call fails that
// collector only and never stalls the round or the scrape. Each declares the gauges it writes
// (name, help, labels); AgentMetrics builds them from the declarations, and a sample of a
// metric its collector does not declare, or with other labels, fails the collector, saying so.
import type { CollectorResult } from '../../inventory/index.ts';
import type { HostMetricDeclaration } from '../metric-declarations.ts';
import { withTimeout } from '../timeout.ts';
import type { FilesystemUse } from './filesystem.ts';

export interface Sample {
  metric: string;
  labels: Record<string, string>;
  value: number;
}

export interface CollectorOutput {
  samples: Sample[];
  filesystems?: FilesystemUse[];
}

export interface Collector {
  name: string;
  /** Every gauge the collector writes; no other may appear in its samples. */
  metrics: readonly HostMetricDeclaration[];
  collect(): Promise<CollectorOutput>;
}

export interface CollectorRun {
  result: CollectorResult;
  output?: CollectorOutput;
}

const declarations = new WeakMap<Collector, Map<string, ReadonlySet<string>>>();

/** Throws when a sample is of a metric the collector does not declare, or has other labels. */
export function checkSamples(c: Collector, samples: readonly Sample[]): void {
  let declared = declarations.get(c);
  if (!declared) declarations.set(c, (declared = new Map(c.metrics.map((d) => [d.name, new Set(d.labels)]))));
  for (const s of samples) {
    const labels = declared.get(s.metric);
    if (!labels) throw new Error(`collector ${c.name} wrote ${s.metric}, a metric it does not declare`);
    const names = Object.keys(s.labels);
    if (names.length !== labels.size || !names.every((n) => labels.has(n)))
      throw new Error(
        `collector ${c.name} wrote ${s.metric} labelled ${names.join(', ') || '(none)'}, not ${[...labels].join(', ') || '(none)'}`,
      );
  }
}

/** Runs one collector; a throw, a hang or an undeclared metric becomes that collector's failure with a reason. */
export async function runCollector(c: Collector, timeoutMs: number): Promise<CollectorRun> {
  const t0 = performance.now();
  try {
    const output = await withTimeout(
      Promise.resolve().then(() => c.collect()),
      timeoutMs,
    );
    checkSamples(c, output.samples);
    return { result: { collector: c.name, success: true, durationSeconds: (performance.now() - t0) / 1000 }, output };
  } catch (e) {
    return {
      result: {
        collector: c.name,
        success: false,
        durationSeconds: (performance.now() - t0) / 1000,
        error: (e as Error)?.message ?? String(e),
      },
    };
  }
}
