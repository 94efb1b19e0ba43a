// The national board's HTTP server: its page (national.js, with the provincial board's stylesheet),
// and the JSON the page reads. Read-only: no tokens, no writes. The same security headers as the
// provincial board (no inline script or style, nothing from elsewhere).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { STATE_ORDER } from '../states.ts';
import type { NationalCore } from './core.ts';

const here = dirname(fileURLToPath(import.meta.url));
const ASSETS: Record<string, string> = {
  '/': join(here, 'page', 'index.html'),
  '/national.js': join(here, 'page', 'national.js'),
  // The provincial board's look: the same states, the same colours.
  '/board.css': join(here, '..', 'board', 'page', 'board.css'),
};
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

export function nationalApp(core: NationalCore): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.set('content-security-policy', CSP);
    res.set('x-content-type-options', 'nosniff');
    res.set('referrer-policy', 'no-referrer');
    next();
  });
  const files = new Map(Object.entries(ASSETS).map(([route, file]) => [route, readFileSync(file)]));
  for (const [route, file] of Object.entries(ASSETS))
    app.get(route, (_req, res) => {
      res.set('content-type', TYPES[file.split('.').pop()!]!);
      res.set('cache-control', 'no-cache');
      res.send(files.get(route));
    });
  const states = `'use strict';\n/* The four states, from dashboards/states.ts. */\nconst SANSANG_STATES = ${JSON.stringify({ order: STATE_ORDER })};\n`;
  app.get('/states.js', (_req, res) => {
    res.set('content-type', TYPES.js!);
    res.set('cache-control', 'no-cache');
    res.send(states);
  });
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, startedAt: core.startedAt, at: core.evaluation.at, queriesSent: core.source.queriesSent });
  });
  app.get('/api/national', (_req, res) => {
    res.set('content-type', 'application/json; charset=utf-8');
    res.set('cache-control', 'no-cache');
    res.send(core.overview());
  });
  app.get('/api/provinces/:code', (req, res) => {
    const p = core.province(req.params.code);
    if (!p) {
      res.status(404).json({ error: `no province ${req.params.code} in the national inventory` });
      return;
    }
    res.json(p);
  });
  app.get('/api/provinces/:code/units/:unit', (req, res) => {
    const u = core.unit(req.params.code, req.params.unit);
    if (!u) {
      res.status(404).json({ error: `no unit ${req.params.unit} of province ${req.params.code}` });
      return;
    }
    res.json(u);
  });
  return app;
}
