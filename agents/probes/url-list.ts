// A URL list (inventory/url-list.ts): every URL that matters, old URL → expected outcome, checked
// in bulk each round with the HTTP prober (a redirect by its exact Location, a kept URL by its
// status and body). The requests are spread over the first part of the probe's time, at most
// `concurrency` at once, so a list of hundreds never leaves in one burst. The failure names the
// first URL that failed and how many did; the status document lists the first ones, and a series
// per failing URL lets an alert name them.
import { InputError, expectedOutcome, formatProblem, readUrlList, sayCause, type Cause, type UrlRow } from '../../inventory/index.ts';
import { TimeoutError, withTimeout } from '../timeout.ts';
import { probeHttp, type HttpSpec } from './http.ts';
import { configPath, probeKind, readCa } from './probe-kind.ts';
import { serviceOf, type Observation, type ProbeContext } from './types.ts';
import { AGENT_METRICS } from '../../inventory/index.ts';

export interface UrlListSpec {
  file: string;
  rows: readonly UrlRow[];
  /** Each row's HTTP spec, made once. */
  specs: readonly HttpSpec[];
  concurrency: number;
}

export interface UrlFailure {
  url: string;
  expected: string;
  got: string;
}
export interface UrlListObservation {
  total: number;
  failed: UrlFailure[];
}
type UrlListDetails = { urls: UrlListObservation };

/**
 * Causes that say the network or the server, not the URL's mapping, failed: when every URL fails
 * with one (or gets no answer at all), that is the probe's cause, as for any other probe.
 */
const NETWORK: ReadonlySet<Cause['kind']> = new Set<Cause['kind']>([
  'refused',
  'reset',
  'stalled',
  'no-address',
  'link-down',
  'interface-gone',
  'no-route',
  'route-blackhole',
  'route-unreachable',
  'route-prohibited',
  'net-unreachable',
  'host-unreachable',
  'filtered',
  'timeout',
  'resolve',
]);

/** How a failed row's answer reads, in each language: the status, where it redirects, what its body lacks, or why nothing came. */
function got(cause: Cause | undefined, status?: number, location?: string): { en: string; vi: string } {
  if (!cause) return { en: 'no answer in time', vi: 'không có trả lời kịp thời' };
  switch (cause.kind) {
    case 'status': {
      const t = `${cause.status}${location ? ` → ${location}` : ''}`;
      return { en: t, vi: t };
    }
    case 'redirect': {
      const t = `${status ?? ''} → ${cause.location ?? '(no Location)'}`.trim();
      return { en: t, vi: t.replace('(no Location)', '(không có Location)') };
    }
    case 'http-body':
      return { en: `${status ?? 200} without “${cause.expected}”`, vi: `${status ?? 200} không có “${cause.expected}”` };
    default:
      return { en: sayCause(cause, 'en').what, vi: sayCause(cause, 'vi').what };
  }
}

export async function probeUrlList(spec: UrlListSpec, ctx: ProbeContext): Promise<Observation<UrlListDetails>> {
  const t0 = performance.now();
  const n = spec.rows.length;
  // Starts spread over 60 % of the probe's time; each request ends before the probe's deadline.
  const gapMs = n > 1 ? (ctx.timeoutMs * 0.6) / n : 0;
  const failed: { row: UrlRow; cause?: Cause; text: { en: string; vi: string } }[] = [];
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= n || ctx.signal.aborted) return;
      const wait = t0 + i * gapMs - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const row = spec.rows[i]!;
      const left = ctx.timeoutMs - (performance.now() - t0) - 100;
      if (left < 100 || ctx.signal.aborted) {
        failed.push({
          row,
          text: {
            en: 'not checked within the probe’s time (raise its timeout)',
            vi: 'chưa kiểm tra kịp trong thời gian của lượt đo (tăng timeout)',
          },
        });
        continue;
      }
      const ac = new AbortController();
      const own = Math.min(left, 5000);
      try {
        const obs = await withTimeout(probeHttp(spec.specs[i]!, { ...ctx, signal: ac.signal, timeoutMs: own }), own, ac, 50);
        if (!obs.success)
          failed.push({ row, ...(obs.cause ? { cause: obs.cause } : {}), text: got(obs.cause, obs.http?.status, obs.http?.location) });
      } catch (e) {
        if (e instanceof TimeoutError) failed.push({ row, text: got(undefined) });
        else {
          const cause = (e as { failure?: Cause }).failure;
          const other = String(e).slice(0, 120);
          failed.push({ row, ...(cause ? { cause } : {}), text: cause ? got(cause) : { en: other, vi: other } });
        }
      } finally {
        ac.abort();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(spec.concurrency, n) }, worker));
  failed.sort((a, b) => a.row.line - b.row.line);
  const urls: UrlListObservation = {
    total: n,
    failed: failed.map((f) => ({ url: f.row.url, expected: expectedOutcome(f.row), got: f.text.en.slice(0, 200) })),
  };
  if (!failed.length) return { success: true, urls };
  // Every URL failed the way the network or a server down fails: that is the cause (a cut link,
  // not a list); none answering at all is the run's timeout, diagnosed as any probe's.
  const first = failed[0]!;
  if (failed.length === n && failed.every((f) => !f.cause || NETWORK.has(f.cause.kind))) {
    const cause = failed.find((f) => f.cause)?.cause;
    return { success: false, ...(cause ? { cause } : {}), urls };
  }
  const cause: Cause = {
    kind: 'url-failed',
    url: first.row.url,
    expected: expectedOutcome(first.row),
    got: first.text.en.slice(0, 200),
    ...(first.text.vi !== first.text.en ? { gotVi: first.text.vi.slice(0, 200) } : {}),
    failing: failed.length,
    total: n,
    ...serviceOf(ctx.path),
  };
  return { success: false, cause, urls };
}

/** Failing URLs last written, per series (to remove the ones that pass again). */
const written = new WeakMap<object, Set<string>>();

/** The `url-list` kind: a series per failing URL, named by it. */
export const urlListKind = probeKind({
  kind: 'url-list',
  spec: (p, ctx): UrlListSpec => {
    const list = readUrlList(configPath(p.file, ctx.baseDir), p.file);
    if (list.problems.length) throw new InputError(list.problems.map(formatProblem).join('\n'));
    const ca = [...ctx.agentCa, ...(p.caFile ? [readCa(p.caFile, ctx.baseDir)] : [])];
    const specs = list.rows.map((r): HttpSpec => ({
      url: r.url,
      expectStatus: [r.status],
      ...(r.location ? { expectRedirect: r.location } : {}),
      ...(r.body && 'text' in r.body ? { expectBody: r.body.text } : {}),
      ...(r.body && 'regex' in r.body ? { expectBodyRegex: new RegExp(r.body.regex) } : {}),
      ca,
    }));
    return { file: p.file, rows: list.rows, specs, concurrency: p.concurrency };
  },
  probe: probeUrlList,
  files: ['file', 'caFile'],
  status(result, obs) {
    if (!obs.urls) return;
    result.urls = { total: obs.urls.total, failing: obs.urls.failed.length, failed: obs.urls.failed.slice(0, 20) };
  },
  metrics: {
    failing: { type: 'gauge', name: AGENT_METRICS.urlFailing, help: '1 for each URL of the list that fails, by URL.', label: 'url' },
  },
  record(m, series, r) {
    const before = written.get(series.labels) ?? new Set<string>();
    // A series per failing URL (the first 20 of a list): what an alert names; removed once it
    // passes. Only when the list's mappings are wrong: a network or a server that fails every URL
    // has its own alerts, not one per URL.
    const wrong = r.cause?.kind === 'url-failed' ? (r.urls?.failed ?? []) : [];
    const now = new Set(wrong.map((f) => f.url));
    for (const u of before) if (!now.has(u)) m.failing.remove(series.with('url', u));
    for (const u of now) m.failing.set(series.with('url', u), 1);
    written.set(series.labels, now);
  },
});
