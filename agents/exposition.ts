// One prom-client metric as exposition text, the lines prom-client's Registry writes, written
// with less work: a series' label text is kept with its labels object (the registry keeps that
// object until the series is set again), so a render formats numbers, not labels. The agent
// renders its fifty-odd series of a dozen metrics every tick under V8's interpreter
// (`--no-opt`), where prom-client's generic path (entries, spreads, a regex per label value,
// per line) cost several milliseconds and the garbage a collection. The output is checked line
// for line against prom-client's own in agents/registry.test.ts.
import type client from 'prom-client';

type LabelValue = string | number;
type Labels = Record<string, LabelValue>;

/** What a metric's values look like inside prom-client: histograms share their series' labels. */
interface RawValue {
  value: number;
  labels?: Labels;
  sharedLabels?: Labels;
  metricName?: string;
}
interface RawMetric {
  name: string;
  help: string;
  type: string;
  values?: RawValue[];
}
/** prom-client's metrics, with the method its own Registry renders from (get() without copying histogram labels). */
type Renderable = client.Metric<string> & { getForPromString?: () => Promise<RawMetric> };

const escapeText = (s: string) => (s.includes('\\') || s.includes('\n') ? s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : s);
const escapeValue = (v: LabelValue) => (typeof v === 'string' ? escapeText(v).replace(/"/g, '\\"') : v);

function formatLabels(labels: Labels, exclude?: Labels): string {
  let out = '';
  for (const name in labels) {
    if (exclude && Object.hasOwn(exclude, name)) continue;
    out += `${out ? ',' : ''}${name}="${escapeValue(labels[name]!)}"`;
  }
  return out;
}

const labelText = new WeakMap<Labels, string>();
function cachedLabels(labels: Labels): string {
  let s = labelText.get(labels);
  if (s === undefined) labelText.set(labels, (s = formatLabels(labels)));
  return s;
}

/**
 * A histogram's sample: its own labels (`le`, or none for _sum and _count) then its series'.
 * The text is kept per series and `le`, as a series' buckets are the same at every render.
 */
const sharedText = new WeakMap<Labels, Map<LabelValue, string>>();
function withShared(own: Labels, shared: Labels): string {
  const keys = Object.keys(own);
  const le = keys.length === 0 ? '' : keys.length === 1 && keys[0] === 'le' && !Object.hasOwn(shared, 'le') ? own.le! : undefined;
  let byLe = sharedText.get(shared);
  if (le !== undefined && byLe?.has(le)) return byLe.get(le)!;
  const mine = formatLabels(own, shared);
  const theirs = cachedLabels(shared);
  const text = mine && theirs ? `${mine},${theirs}` : mine || theirs;
  if (le !== undefined) {
    if (!byLe) sharedText.set(shared, (byLe = new Map()));
    byLe.set(le, text);
  }
  return text;
}

/** As prom-client's getValueAsString (its "Nan" spelling included). */
function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'Nan';
  if (!Number.isFinite(v)) return v < 0 ? '-Inf' : '+Inf';
  return `${v}`;
}

/**
 * The metric's HELP, TYPE and sample lines, joined by newlines, as prom-client's
 * Registry.getMetricsAsString writes them; in OpenMetrics a counter's family is named without
 * `_total` and its samples with it.
 */
export async function formatMetric(metric: client.Metric<string>, openMetrics: boolean): Promise<string> {
  const m = metric as Renderable;
  const data: RawMetric = m.getForPromString ? await m.getForPromString() : ((await m.get()) as unknown as RawMetric);
  const counterOm = openMetrics && data.type === 'counter';
  const family = counterOm ? data.name.replace(/_total$/, '') : data.name;
  const name = escapeText(family);
  let out = `# HELP ${name} ${escapeText(data.help)}\n# TYPE ${name} ${data.type}`;
  for (const v of data.values ?? []) {
    const sample = counterOm ? `${v.metricName ?? name}_total` : (v.metricName ?? name);
    const own = v.labels ?? {};
    const labels = v.sharedLabels ? withShared(own, v.sharedLabels) : cachedLabels(own);
    out += `\n${sample}${labels ? `{${labels}}` : ''} ${formatValue(v.value)}`;
  }
  return out;
}
