// Maintenance windows set on the board mute that unit's alerts in Alertmanager for the window
// only: one silence per window through Alertmanager's API v2 (POST /api/v2/silences).
import http from 'node:http';
import https from 'node:https';

export interface SilenceRequest {
  /** Label matchers (name = value); default from unit and site. */
  matchers?: Record<string, string>;
  unit?: string;
  site?: string;
  from: string;
  to: string;
  createdBy: string;
  comment: string;
}

/** Creates the silence; resolves with its id. */
export function createSilence(alertmanager: string, s: SilenceRequest, timeoutMs = 5000): Promise<string> {
  const url = new URL('api/v2/silences', alertmanager.endsWith('/') ? alertmanager : `${alertmanager}/`);
  const pairs = s.matchers ?? { ...(s.unit ? { unit: s.unit } : {}), ...(s.site ? { site: s.site } : {}) };
  const matchers = Object.entries(pairs).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }));
  const body = JSON.stringify({
    matchers,
    startsAt: new Date(s.from).toISOString(),
    endsAt: new Date(s.to).toISOString(),
    createdBy: s.createdBy,
    comment: s.comment,
  });
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) return reject(new Error(`Alertmanager ${url.origin}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
          try {
            const id = (JSON.parse(text) as { silenceID?: string }).silenceID;
            if (!id) throw new Error('no silenceID');
            resolve(id);
          } catch (e) {
            reject(new Error(`Alertmanager ${url.origin}: unexpected answer: ${(e as Error).message}`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`Alertmanager ${url.origin}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Ends a silence now (DELETE /api/v2/silence/ID): an acknowledgement cleared by recovery. */
export function expireSilence(alertmanager: string, id: string, timeoutMs = 5000): Promise<void> {
  const url = new URL(`api/v2/silence/${encodeURIComponent(id)}`, alertmanager.endsWith('/') ? alertmanager : `${alertmanager}/`);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { method: 'DELETE', timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () =>
        // 200: expired now; 500 "already expired" on some versions is as good.
        res.statusCode === 200 || res.statusCode === 500
          ? resolve()
          : reject(new Error(`Alertmanager ${url.origin}: HTTP ${res.statusCode}`)),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`Alertmanager ${url.origin}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
