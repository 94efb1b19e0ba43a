// A small client for Prometheus' instant-query API (GET /api/v1/query), over node:http(s).
import http from 'node:http';
import https from 'node:https';

export interface VectorSample {
  metric: Record<string, string>;
  value: number;
}

export class PrometheusError extends Error {
  override name = 'PrometheusError';
}

/** When Prometheus answered, by its own clock (its Date header, whole seconds), and when we sent and received. */
export interface ServerTime {
  dateMs: number;
  sentMs: number;
  receivedMs: number;
}

export function instantQuery(
  base: string,
  query: string,
  timeoutMs: number,
  onTime?: (t: ServerTime) => void,
  now: () => number = Date.now,
): Promise<VectorSample[]> {
  const url = new URL('api/v1/query', base.endsWith('/') ? base : `${base}/`);
  url.searchParams.set('query', query);
  const mod = url.protocol === 'https:' ? https : http;
  const sentMs = now();
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { headers: { accept: 'application/json' }, timeout: timeoutMs }, (res) => {
      const date = Date.parse(res.headers.date ?? '');
      if (onTime && Number.isFinite(date)) onTime({ dateMs: date, sentMs, receivedMs: now() });
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        let body: {
          status?: string;
          error?: string;
          data?: { resultType?: string; result?: { metric: Record<string, string>; value: [number, string] }[] };
        };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          reject(new PrometheusError(`${url.origin}: HTTP ${res.statusCode}, not JSON`));
          return;
        }
        if (body.status !== 'success' || !body.data) {
          reject(new PrometheusError(`${url.origin}: ${body.error ?? `HTTP ${res.statusCode}`}`));
          return;
        }
        if (body.data.resultType !== 'vector') {
          reject(new PrometheusError(`${url.origin}: expected a vector for ${query}, got ${body.data.resultType}`));
          return;
        }
        resolve((body.data.result ?? []).map((r) => ({ metric: r.metric, value: Number(r.value[1]) })));
      });
    });
    req.on('timeout', () => req.destroy(new PrometheusError(`${url.origin}: no answer within ${timeoutMs} ms`)));
    req.on('error', (e) =>
      reject(e instanceof PrometheusError ? e : new PrometheusError(`${url.origin}: ${(e as NodeJS.ErrnoException).code ?? e.message}`)),
    );
  });
}
