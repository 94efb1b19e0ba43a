// The board's HTTP server (express 5): the page and its assets (nothing from the internet),
// the JSON the page reads, the event stream that tells it to refresh, sign-offs and maintenance
// windows (token required), the log a peer board pulls, the shift report, the assets CSV and
// /metrics.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import { InputRejected, type BoardCore } from './board.ts';
import { VERDICT_WORDS } from '../../inventory/index.ts';
import { STATE_ORDER } from '../states.ts';
import { assetsCsv, reportCsv, reportHtml, shiftSpan, type Lang } from './report.ts';
import { LogWriteError } from './store.ts';
import { TokenCheckBusy, type TokenBook } from './tokens.ts';
import { weekReportRoutes } from '../report/index.ts';

const pageDir = join(dirname(fileURLToPath(import.meta.url)), 'page');
const ASSETS: Record<string, string> = {
  '/': 'index.html',
  '/board.js': 'board.js',
  '/board.css': 'board.css',
  '/report.css': 'report.css',
};
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

// No inline script or style, nothing from elsewhere: a name that slipped through as markup still could not run.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

function bearer(req: Request): string {
  const h = req.get('authorization') ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m ? m[1]! : '';
}

/** Security headers on every answer. */
function hardened(app: express.Express): void {
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.set('content-security-policy', CSP);
    res.set('x-content-type-options', 'nosniff');
    res.set('referrer-policy', 'no-referrer');
    next();
  });
}

/** The page and its assets, and the states' vocabulary the page reads from the decision module. */
function pageRoutes(app: express.Express): void {
  const files = new Map(Object.entries(ASSETS).map(([route, file]) => [route, readFileSync(join(pageDir, file))]));
  for (const [route, file] of Object.entries(ASSETS))
    app.get(route, (_req, res) => {
      res.set('content-type', TYPES[file.split('.').pop()!]!);
      res.set('cache-control', 'no-cache');
      res.send(files.get(route));
    });
  const states = `'use strict';\n/* The four states, from dashboards/states.ts, and their words (inventory/remedies.ts). */\nconst SANSANG_STATES = ${JSON.stringify({ order: STATE_ORDER, words: VERDICT_WORDS })};\n`;
  app.get('/states.js', (_req, res) => {
    res.set('content-type', TYPES.js!);
    res.set('cache-control', 'no-cache');
    res.send(states);
  });
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
}

/** What the page reads: the overview, a unit, the checklist, and the stream that says when to read again. */
function readRoutes(app: express.Express, board: BoardCore): void {
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, mode: board.mode, version: board.version, lastRefreshMs: board.lastRefreshMs });
  });

  app.get('/api/state', (req, res) => {
    const etag = `"v${board.version}-${board.current.at}"`;
    res.set('etag', etag);
    res.set('cache-control', 'no-cache');
    if (req.get('if-none-match') === etag) {
      res.status(304).end();
      return;
    }
    res.type('application/json').send(board.overviewJson());
  });

  app.get('/api/checklist', (_req, res) => {
    res.json(board.checklistCatalog());
  });

  app.get('/api/units/:code', (req, res) => {
    const u = board.unit(req.params.code);
    if (!u) {
      res.status(404).json({ error: 'unknown unit' });
      return;
    }
    res.json({ at: board.current.at, mode: board.mode, unit: u });
  });

  // Server-sent events: a small "changed" message; the page then reads /api/state.
  app.get('/api/events', (req, res) => {
    res.set({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    res.write(`retry: 3000\n\nevent: version\ndata: ${board.version}\n\n`);
    const off = board.onChange((v) => res.write(`event: version\ndata: ${v}\n\n`));
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    req.on('close', () => {
      off();
      clearInterval(ping);
    });
  });
}

/** The team behind the request's bearer token; answers 401/429 itself and gives undefined when there is none. */
async function teamOf(tokens: TokenBook, req: Request, res: Response): Promise<string | undefined> {
  const body = (req.body ?? {}) as { team?: unknown };
  let team: string | undefined;
  try {
    team = await tokens.verify(bearer(req), typeof body.team === 'string' && body.team ? body.team : undefined, req.socket.remoteAddress);
  } catch (e) {
    if (!(e instanceof TokenCheckBusy)) throw e;
    res.status(429).set('retry-after', '10').json({ error: e.message, code: 'tokens-busy' });
    return undefined;
  }
  if (!team) {
    const none = tokens.teams().length === 0;
    res
      .status(401)
      .set('www-authenticate', 'Bearer realm="sansang board"')
      .json({
        error: none ? 'this board has no tokens (--tokens FILE): sign-offs are disabled' : 'a valid team token is required',
        code: none ? 'no-tokens' : 'bad-token',
      });
    return undefined;
  }
  return team;
}

/** What a team writes (token required): sign-offs and maintenance windows; and the log a peer pulls. */
function logRoutes(app: express.Express, board: BoardCore, tokens: TokenBook): void {
  // The log holds names and notes: a team token is needed to read it (a peer board has one).
  app.get('/api/log', async (req, res) => {
    if (!(await teamOf(tokens, req, res))) return;
    res.json({ ...board.logSince(Number(req.query.since ?? 0)), now: new Date().toISOString() });
  });

  const json = express.json({ limit: '16kb' });
  // The page's sign-in: the token is checked at once, not at the first sign-off.
  app.post('/api/signin', json, async (req, res) => {
    const team = await teamOf(tokens, req, res);
    if (!team) return;
    res.json({ team });
  });

  app.post('/api/signoffs', json, async (req, res) => {
    const team = await teamOf(tokens, req, res);
    if (!team) return;
    const entry = await board.signoff(team, req.body ?? {});
    res.status(201).json(entry);
  });

  app.post('/api/acks', json, async (req, res) => {
    const team = await teamOf(tokens, req, res);
    if (!team) return;
    res.status(201).json(await board.acknowledge(team, req.body ?? {}));
  });

  app.post('/api/maintenance', json, async (req, res) => {
    const team = await teamOf(tokens, req, res);
    if (!team) return;
    const r = await board.setMaintenance(team, req.body ?? {});
    res.status(201).json(r);
  });
}

/** The shift report, the IT assets, and /metrics for Prometheus. */
function reportRoutes(app: express.Express, board: BoardCore, registry: Registry): void {
  const lang = (req: Request): Lang => (req.query.lang === 'en' ? 'en' : 'vi');
  app.get('/report', (req, res) => {
    res.type('html').send(reportHtml(board, shiftSpan(req.query), lang(req)));
  });
  app.get('/report.csv', (req, res) => {
    res
      .type('text/csv; charset=utf-8')
      .attachment('sansang-shift-report.csv')
      .send(reportCsv(board, shiftSpan(req.query), lang(req)));
  });
  app.get('/assets.csv', async (_req, res) => {
    res
      .type('text/csv; charset=utf-8')
      .attachment('sansang-assets.csv')
      .send(
        await assetsCsv(
          board,
          board.catalog.units.map((u) => u.unit.code),
        ),
      );
  });
  app.get('/units/:code/assets.csv', async (req, res) => {
    if (!board.catalog.byCode.has(req.params.code)) {
      res.status(404).json({ error: 'unknown unit' });
      return;
    }
    res
      .type('text/csv; charset=utf-8')
      .attachment(`sansang-assets-${req.params.code}.csv`)
      .send(await assetsCsv(board, [req.params.code]));
  });

  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
}

/** Not found, refused input (4xx with the reason), and anything else as a logged 500. */
function errorRoutes(app: express.Express): void {
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof InputRejected) {
      res.status(err.status).json({ error: err.message, ...(err.vi ? { error_vi: err.vi } : {}) });
      return;
    }
    if (err instanceof LogWriteError) {
      // Never 2xx for an entry that is not on disk, whole.
      process.stderr.write(`board: ${err.message}\n`);
      res.status(err.diskFull ? 507 : 500).json({ error: err.message, code: err.diskFull ? 'disk-full' : 'log-write' });
      return;
    }
    const e = err as { status?: number; type?: string; message?: string };
    if (e && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ error: e.message ?? 'bad request' });
      return;
    }
    process.stderr.write(`board: ${(err as Error)?.stack ?? String(err)}\n`);
    res.status(500).json({ error: 'internal error' });
  });
}

export function boardApp(board: BoardCore, tokens: TokenBook, registry: Registry): express.Express {
  const app = express();
  hardened(app);
  pageRoutes(app);
  readRoutes(app, board);
  logRoutes(app, board, tokens);
  reportRoutes(app, board, registry);
  // The week report (dashboards/report/): from the board's Prometheus, acknowledgements from its log.
  weekReportRoutes(app, { inventory: board.opts.inventory, prometheus: board.opts.prometheus, logEntries: () => board.log.entries() });
  if (board.push) board.push.routes(app);
  else
    app.all('/api/push/{*rest}', (_req, res) => {
      res.status(404).json({ error: 'this board receives no pushes (start it with --push-secret-file)', code: 'no-push' });
    });
  errorRoutes(app);
  return app;
}
