// GET an agent's /status over node:http (undici's fetch costs tens of MB over thousands of
// requests; node:http stays light), with a hard timeout and a size limit. Never throws.
import http from 'node:http';
import https from 'node:https';
import { parseStatusDocument, type StatusDocument } from '../../inventory/index.ts';

export type StatusFetch =
  { ok: true; doc: StatusDocument; sentMs: number; receivedMs: number } | { ok: false; error: string; sentMs: number; receivedMs: number };

export interface FetchOptions {
  timeoutMs: number;
  /** `user:password` for agents behind basic auth. */
  basicAuth?: string;
  https?: { ca?: string | Buffer };
  agent?: http.Agent;
}

/** The most an answer of an agent or a peer board may weigh: beyond, it is cut off and refused. */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

export function statusUrl(address: string, port: number, secure = false): string {
  const host = address.includes(':') ? `[${address}]` : address;
  return `${secure ? 'https' : 'http'}://${host}:${port}/status`;
}

export function fetchStatus(address: string, port: number, opts: FetchOptions): Promise<StatusFetch> {
  const sentMs = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: { ok: true; doc: StatusDocument } | { ok: false; error: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, sentMs, receivedMs: Date.now() } as StatusFetch);
    };
    const mod = opts.https ? https : http;
    const req = mod.request(
      {
        host: address,
        port,
        path: '/status',
        method: 'GET',
        headers: {
          accept: 'application/json',
          ...(opts.basicAuth ? { authorization: `Basic ${Buffer.from(opts.basicAuth).toString('base64')}` } : {}),
        },
        ...(opts.agent ? { agent: opts.agent } : {}),
        ...(opts.https?.ca ? { ca: opts.https.ca } : {}),
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          done({ ok: false, error: `HTTP ${res.statusCode}` });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER_BYTES) {
            done({ ok: false, error: 'answer larger than 8 MB' });
            req.destroy();
            return;
          }
          chunks.push(c);
        });
        res.on('error', (e) => done({ ok: false, error: e.message }));
        res.on('end', () => {
          try {
            done({ ok: true, doc: parseStatusDocument(JSON.parse(Buffer.concat(chunks).toString('utf8'))) });
          } catch (e) {
            done({ ok: false, error: (e as Error).message.slice(0, 300) });
          }
        });
      },
    );
    const timer = setTimeout(() => {
      done({ ok: false, error: `no answer within ${opts.timeoutMs} ms` });
      req.destroy();
    }, opts.timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => done({ ok: false, error: e.code ?? e.message }));
    req.end();
  });
}
