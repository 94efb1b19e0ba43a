// The agent's HTTP endpoints: /metrics (Prometheus text, or OpenMetrics when asked), /status
// (the status document, validated before it is served), /healthz. Listens only on the addresses
// given; optional basic auth (bcrypt hashes) and TLS, as in Prometheus' web config file.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { isIP, type AddressInfo } from 'node:net';
import { BcryptGate, InputError, type AgentSettings, type GateVerdict } from '../inventory/index.ts';
import type { Agent } from './agent.ts';

export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses HOST:PORT, [IPv6]:PORT or :PORT (all addresses). */
export function parseListen(s: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(s);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new InputError(`--listen ${s}: expected HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464`);
  const host = m[1] ?? (m[2] || '0.0.0.0');
  if (!isIP(host) && host !== 'localhost') throw new InputError(`--listen ${s}: the host must be an IP address`);
  return { host, port };
}

/** How a request's basic auth came out: `busy` when it was not checked, to keep the agent free. */
export type AuthVerdict = GateVerdict;

/**
 * Basic auth against a bcrypt hash, through a BcryptGate: credentials once checked, right or
 * wrong, are answered from memory; new ones are checked one at a time within a fifth of the
 * agent's time, each client address within half of that, waiting their turn a few seconds at
 * most, else the request gets 429 (inventory/bcrypt-gate.ts says why).
 */
export function basicAuthCheck(auth: NonNullable<AgentSettings['basicAuth']>, gate = new BcryptGate()) {
  return async (header: string | undefined, source = ''): Promise<AuthVerdict> => {
    if (!header?.startsWith('Basic ')) return 'denied';
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0 || decoded.slice(0, i) !== auth.username) return 'denied';
    return gate.check(header, decoded.slice(i + 1), auth.passwordHash, source);
  };
}

export interface AgentServer {
  urls: string[];
  close(): Promise<void>;
}

export async function serveAgent(agent: Agent, listen: readonly ListenAddress[], baseDir: string): Promise<AgentServer> {
  const settings = agent.slice.agent;
  const authOk = settings.basicAuth ? basicAuthCheck(settings.basicAuth) : null;
  const file = (f: string) => readFileSync(isAbsolute(f) ? f : resolvePath(baseDir, f));
  const tls = settings.tls ? { cert: file(settings.tls.certFile), key: file(settings.tls.keyFile) } : null;

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok\n');
      return;
    }
    const verdict = authOk ? await authOk(req.headers.authorization, req.socket.remoteAddress) : 'ok';
    if (verdict === 'busy') {
      res.writeHead(429, { 'retry-after': '10', 'content-type': 'text/plain' }).end('busy checking other credentials: try again later\n');
      return;
    }
    if (verdict === 'denied') {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="sansang agent"', 'content-type': 'text/plain' }).end('unauthorized\n');
      return;
    }
    try {
      if (path === '/metrics') {
        const { contentType, body } = await agent.metrics.expose(req.headers.accept);
        res.writeHead(200, { 'content-type': contentType }).end(req.method === 'HEAD' ? undefined : body);
      } else if (path === '/status') {
        res
          .writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
          .end(JSON.stringify(agent.status()));
      } else if (path === '/') {
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(
            `<!doctype html><meta charset="utf-8"><title>sansang agent</title><h1>sansang agent — ${agent.slice.site.id}</h1><ul><li><a href="metrics">/metrics</a><li><a href="status">/status</a><li><a href="healthz">/healthz</a></ul>\n`,
          );
      } else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`error: ${(e as Error).message}\n`);
    }
  };

  const servers: http.Server[] = [];
  const urls: string[] = [];
  try {
    for (const l of listen) {
      const s = tls ? https.createServer(tls, (q, r) => void handler(q, r)) : http.createServer((q, r) => void handler(q, r));
      s.keepAliveTimeout = 65_000;
      s.headersTimeout = 10_000;
      s.requestTimeout = 15_000;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(l.port, l.host, () => {
          s.off('error', reject);
          resolve();
        });
      });
      servers.push(s);
      const a = s.address() as AddressInfo;
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      urls.push(`${tls ? 'https' : 'http'}://${host}:${a.port}`);
    }
  } catch (e) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    const err = e as NodeJS.ErrnoException;
    throw new InputError(
      `cannot listen on ${listen.map((l) => `${l.host}:${l.port}`).join(', ')}: ${err.code === 'EADDRNOTAVAIL' ? 'that address is not on this machine' : err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`,
    );
  }
  return {
    urls,
    close: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((r) => {
              s.close(() => r());
              s.closeAllConnections();
            }),
        ),
      );
    },
  };
}
