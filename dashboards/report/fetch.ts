// The week report's fetching: three range queries (query_range with a step, a day at a time) of what the
// recording rules concluded, whatever the number of units: each unit's state code, the items
// NO-GO at each unit (only the NO-GO samples travel), and the shared-cause incidents. The
// answers are laid on the period's grid for figures.ts; nothing is computed here.
import http from 'node:http';
import https from 'node:https';
import { SERIES } from '../../inventory/index.ts';
import { STATE_CODE } from '../states.ts';
import { gridLength, type Acknowledgement, type Grid, type ReportInput } from './figures.ts';

/** The queries the report sends (each split into pieces of at most CHUNK_POINTS samples). */
export const REPORT_QUERIES = {
  unit: SERIES.unitCode,
  itemNogo: `${SERIES.unitCheckCode} == ${STATE_CODE.nogo}`,
  incident: SERIES.checkIncident,
} as const;

/**
 * Samples per series asked for in one query: a day at one a minute. Prometheus answers at most
 * 11,000; smaller pieces keep the answer being parsed small (a week of 130 units in one piece is
 * 21 MB of JSON and some 300 MB of heap), each folded into the grid before the next is asked.
 */
export const CHUNK_POINTS = 1440;

export class ReportFetchError extends Error {
  override name = 'ReportFetchError';
}

export interface MatrixSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

/** GET /api/v1/query_range, over node:http(s). */
export function rangeQuery(
  base: string,
  query: string,
  startS: number,
  endS: number,
  stepS: number,
  timeoutMs: number,
): Promise<MatrixSeries[]> {
  const url = new URL('api/v1/query_range', base.endsWith('/') ? base : `${base}/`);
  url.searchParams.set('query', query);
  url.searchParams.set('start', String(startS));
  url.searchParams.set('end', String(endS));
  url.searchParams.set('step', String(stepS));
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { headers: { accept: 'application/json' }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        let body: { status?: string; error?: string; data?: { resultType?: string; result?: MatrixSeries[] } };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          reject(new ReportFetchError(`${url.origin}: HTTP ${res.statusCode}, not JSON (is this Prometheus?)`));
          return;
        }
        if (body.status !== 'success' || !body.data) {
          reject(new ReportFetchError(`${url.origin}: ${body.error ?? `HTTP ${res.statusCode}`}`));
          return;
        }
        if (body.data.resultType !== 'matrix') {
          reject(new ReportFetchError(`${url.origin}: expected a matrix for ${query}, got ${body.data.resultType}`));
          return;
        }
        resolve(body.data.result ?? []);
      });
    });
    req.on('timeout', () => req.destroy(new ReportFetchError(`${url.origin}: no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (e) =>
      reject(e instanceof ReportFetchError ? e : new ReportFetchError(`${url.origin}: ${(e as NodeJS.ErrnoException).code ?? e.message}`)),
    );
  });
}

/** One query over the whole grid, in pieces: per series (by the labels named), its value at each grid index. */
export async function queryGrid(
  base: string,
  query: string,
  grid: Grid,
  keyOf: (metric: Record<string, string>) => string | null,
  timeoutMs: number,
  chunkPoints = CHUNK_POINTS,
): Promise<Map<string, (number | null)[]>> {
  const n = gridLength(grid);
  const out = new Map<string, (number | null)[]>();
  for (let i0 = 0; i0 < n; i0 += chunkPoints) {
    const i1 = Math.min(n, i0 + chunkPoints);
    // Grid instants are whole seconds when the period is; Prometheus takes fractions too.
    const start = (grid.fromMs + i0 * grid.stepMs) / 1000;
    const end = (grid.fromMs + (i1 - 1) * grid.stepMs) / 1000;
    const series = await rangeQuery(base, query, start, end, grid.stepMs / 1000, timeoutMs);
    for (const s of series) {
      const key = keyOf(s.metric);
      if (key === null) continue;
      let row = out.get(key);
      if (!row) out.set(key, (row = new Array<number | null>(n).fill(null)));
      for (const [t, v] of s.values) {
        const i = Math.round((t * 1000 - grid.fromMs) / grid.stepMs);
        const value = Number(v);
        if (i >= 0 && i < n && Number.isFinite(value)) row[i] = Math.max(row[i] ?? -Infinity, value);
      }
    }
  }
  return out;
}

export interface FetchOptions {
  prometheus: string;
  grid: Grid;
  /** The inventory's units, in its order. */
  units: readonly string[];
  acks: readonly Acknowledgement[];
  /** Per query (default 60 s). */
  timeoutMs?: number;
  /** Samples per series in one query (default CHUNK_POINTS; the bench compares). */
  chunkPoints?: number;
}

/** The report's input from Prometheus: the three queries, laid on the grid. */
export async function fetchReportInput(o: FetchOptions): Promise<ReportInput> {
  const timeoutMs = o.timeoutMs ?? 60_000;
  const chunk = o.chunkPoints ?? CHUNK_POINTS;
  const known = new Set(o.units);
  const [unitCodes, itemRows, incidents] = await Promise.all([
    queryGrid(o.prometheus, REPORT_QUERIES.unit, o.grid, (m) => (m.unit && known.has(m.unit) ? m.unit : null), timeoutMs, chunk),
    queryGrid(
      o.prometheus,
      REPORT_QUERIES.itemNogo,
      o.grid,
      (m) => (m.unit && known.has(m.unit) && m.check ? `${m.unit}\n${m.check}` : null),
      timeoutMs,
      chunk,
    ),
    queryGrid(o.prometheus, REPORT_QUERIES.incident, o.grid, (m) => m.check ?? null, timeoutMs, chunk),
  ]);
  const itemNogo = new Map<string, Map<string, boolean[]>>();
  for (const [key, row] of itemRows) {
    const [unit, check] = key.split('\n') as [string, string];
    let m = itemNogo.get(unit);
    if (!m) itemNogo.set(unit, (m = new Map()));
    m.set(
      check,
      row.map((v) => v === STATE_CODE.nogo),
    );
  }
  return { grid: o.grid, units: o.units, unitCodes, itemNogo, incidents, acks: o.acks };
}
