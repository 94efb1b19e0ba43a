// The week report: per unit over a period, from what the recording rules wrote to Prometheus
// (share of time GO, NO-GO minutes, time to recover, shared incidents with their
// acknowledgements, the items that failed most), as a page that prints on A4 and as CSV.
// `weekReport()` for the CLI (`sansang report`), `weekReportRoutes()` for the board
// (`/report/week`, `/report/week.csv`). fetch.ts asks, figures.ts counts, render.ts writes.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type express from 'express';
import { InputError, SERIES, type Inventory } from '../../inventory/index.ts';
import { acksFromEntries } from './acks.ts';
import { fetchReportInput, ReportFetchError } from './fetch.ts';
import { computeFigures, type Acknowledgement, type ReportFigures } from './figures.ts';
import { localIso, parsePeriod, type Period } from './period.ts';
import { reportCsv, reportHtml, type Lang } from './render.ts';

export { acksFromEntries, acksFromLogFile } from './acks.ts';
export { computeFigures, type Acknowledgement, type ReportFigures, type ReportInput } from './figures.ts';
export { REPORT_QUERIES, ReportFetchError } from './fetch.ts';
export { parsePeriod, localIso, type Period } from './period.ts';
export { CSV_COLUMNS, type Lang } from './render.ts';

const css = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'week.css'));

export interface WeekReportOptions {
  inventory: Inventory;
  prometheus: string;
  period: Period;
  acks: readonly Acknowledgement[];
  timeoutMs?: number;
}

export interface WeekReport {
  figures: ReportFigures;
  /** What is wrong with the data, in the language asked for. */
  problems(lang: Lang): string[];
  csv(lang: Lang): string;
  /** The board's page (`query`: its own query string without `lang`, for its links), or without `query` a file that stands alone. */
  html(lang: Lang, query?: string): string;
}

export async function weekReport(o: WeekReportOptions): Promise<WeekReport> {
  const units = o.inventory.units.map((u) => u.code);
  const grid = { fromMs: o.period.fromMs, toMs: o.period.toMs, stepMs: o.period.stepMs };
  const input = await fetchReportInput({
    prometheus: o.prometheus,
    grid,
    units,
    acks: o.acks,
    ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
  });
  const figures = computeFigures(input);
  const generatedMs = Date.now();
  const problems = (lang: Lang): string[] => {
    const out: string[] = [];
    const none = figures.unitsWithoutData.length;
    if (none === units.length)
      out.push(
        lang === 'vi'
          ? `Prometheus ${o.prometheus} không có chuỗi ${SERIES.unitCode} nào trong kỳ: quy tắc ghi (recording rules) chưa được nạp, hoặc dữ liệu đã quá hạn lưu giữ. Mọi đơn vị được tính là KHÔNG RÕ.`
          : `Prometheus ${o.prometheus} holds no series of ${SERIES.unitCode} in the period: the recording rules were not loaded, or the data is past its retention. Every unit counts as UNKNOWN.`,
      );
    else if (none > 0)
      out.push(
        lang === 'vi'
          ? `${none} đơn vị không có dữ liệu nào trong kỳ (được tính là KHÔNG RÕ).`
          : `${none} units have no data at all in the period (counted as UNKNOWN).`,
      );
    return out;
  };
  const ctx = (lang: Lang) => ({ inventory: o.inventory, lang, prometheus: o.prometheus, generatedMs, problems: problems(lang) });
  return {
    figures,
    problems,
    csv: (lang) => reportCsv(figures, ctx(lang)),
    html: (lang, query) => reportHtml(figures, ctx(lang), query === undefined ? { css: css.toString('utf8') } : { query }),
  };
}

/** What the board gives the report: its inventory, its Prometheus, its log (for the acknowledgements). */
export interface WeekReportBoard {
  inventory: Inventory;
  prometheus: string | undefined;
  logEntries(): readonly unknown[];
}

/** Reports computed at once on a board: each reads a week of every unit; more wait for a later try. */
const MAX_AT_ONCE = 2;

/** `/report/week?from=…&to=…[&lang=en][&step=60]`, `/report/week.csv?…` and the page's stylesheet. */
export function weekReportRoutes(app: express.Express, board: WeekReportBoard): void {
  let running = 0;
  const lang = (q: Record<string, unknown>): Lang => (q.lang === 'en' ? 'en' : 'vi');
  const answer = async (req: express.Request, res: express.Response, kind: 'html' | 'csv') => {
    const q = req.query as Record<string, unknown>;
    const l = lang(q);
    const fail = (status: number, vi: string, en: string) =>
      res
        .status(status)
        .type('text/plain; charset=utf-8')
        .send(`${l === 'vi' ? vi : en}\n`);
    if (!board.prometheus) {
      fail(
        503,
        'Báo cáo tuần đọc dữ liệu từ Prometheus: hãy chạy bảng với --prometheus URL (hoặc dùng lệnh `sansang report --prometheus URL`).',
        'The week report reads Prometheus: start the board with --prometheus URL (or run `sansang report --prometheus URL`).',
      );
      return;
    }
    let period: Period;
    try {
      period = parsePeriod(q, board.inventory.province.timezone);
    } catch (e) {
      if (e instanceof InputError) {
        fail(400, `Tham số không hợp lệ: ${e.message}`, `Bad parameters: ${e.message}`);
        return;
      }
      throw e;
    }
    if (running >= MAX_AT_ONCE) {
      res.set('retry-after', '10');
      fail(429, 'Đang lập báo cáo khác: thử lại sau ít giây.', 'Other reports are being made: try again in a few seconds.');
      return;
    }
    running++;
    try {
      const r = await weekReport({
        inventory: board.inventory,
        prometheus: board.prometheus,
        period,
        acks: acksFromEntries(board.logEntries()),
      });
      const query = new URLSearchParams();
      for (const k of ['from', 'to', 'step']) if (typeof q[k] === 'string') query.set(k, q[k]);
      if (kind === 'csv')
        res
          .type('text/csv; charset=utf-8')
          .attachment(`sansang-week-report-${localIso(period.fromMs, board.inventory.province.timezone).slice(0, 10)}.csv`)
          .send(r.csv(l));
      else res.type('html').send(r.html(l, query.toString()));
    } catch (e) {
      if (e instanceof ReportFetchError) {
        fail(502, `Không đọc được Prometheus: ${e.message}`, `Cannot read Prometheus: ${e.message}`);
        return;
      }
      throw e;
    } finally {
      running--;
    }
  };
  app.get('/report/week', (req, res) => answer(req, res, 'html'));
  app.get('/report/week.csv', (req, res) => answer(req, res, 'csv'));
  app.get('/report/week.css', (_req, res) => {
    res.set('content-type', 'text/css; charset=utf-8').set('cache-control', 'no-cache').send(css);
  });
}
