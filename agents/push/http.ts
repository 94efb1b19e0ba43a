// One HTTP exchange with a receiver (a board), from a given source address so it leaves over the
// link it is meant to prove. Never throws: a network failure is an answer with status 0.
import http from 'node:http';
import https from 'node:https';

export interface Exchange {
  status: number;
  retryAfterS: number | null;
  body: string;
  error?: string;
  sentMs: number;
  receivedMs: number;
}

export interface ExchangeOptions {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: Buffer;
  localAddress?: string;
  timeoutMs: number;
  ca?: Buffer;
}

export function exchange(url: URL, o: ExchangeOptions): Promise<Exchange> {
  const sentMs = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    // Set once the request exists; `done` may run before that (a request Node refuses at once).
    let timer: NodeJS.Timeout | undefined = undefined;
    const done = (e: Omit<Exchange, 'sentMs' | 'receivedMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...e, sentMs, receivedMs: Date.now() });
    };
    const mod = url.protocol === 'https:' ? https : http;
    let req: http.ClientRequest;
    try {
      req = mod.request(
        url,
        {
          method: o.method,
          headers: { ...o.headers, ...(o.body ? { 'content-length': String(o.body.length) } : {}) },
          agent: false,
          ...(o.localAddress ? { localAddress: o.localAddress } : {}),
          ...(o.ca ? { ca: o.ca } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size <= 64 * 1024) chunks.push(c);
          });
          res.on('error', (e) => done({ status: 0, retryAfterS: null, body: '', error: e.message }));
          res.on('end', () => {
            const ra = Number(res.headers['retry-after']);
            done({
              status: res.statusCode ?? 0,
              retryAfterS: Number.isFinite(ra) && ra >= 0 ? ra : null,
              body: Buffer.concat(chunks).toString('utf8'),
            });
          });
        },
      );
    } catch (e) {
      // Refused before any packet (an option Node will not take, e.g. a source address that is not
      // an address): an answer like any other failure, never a rejection the sender would not expect.
      done({ status: 0, retryAfterS: null, body: '', error: (e as Error).message });
      return;
    }
    timer = setTimeout(() => {
      done({ status: 0, retryAfterS: null, body: '', error: `no answer within ${o.timeoutMs} ms` });
      req.destroy();
    }, o.timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => done({ status: 0, retryAfterS: null, body: '', error: e.code ?? e.message }));
    req.end(o.body);
  });
}
