// HTTP(S) with node:http/node:https (lighter than fetch over many probes): one request, no
// redirect following (the redirect itself is what legacy portals are judged on), the status,
// the Location, timing phases and the certificate's expiry. The body is never read.
import http from 'node:http';
import https from 'node:https';
import { checkServerIdentity, rootCertificates, type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import type { Socket } from 'node:net';
import { isSafeUrl } from '../../inventory/index.ts';
import { resolveTarget } from './resolve.ts';
import { ProbeFailure, classifySocketError, type HttpObservation, type ProbeContext, type ProbeObservation } from './types.ts';

export interface HttpSpec {
  url: string;
  hostHeader?: string;
  expectStatus: number[];
  expectRedirect?: string;
  /** Extra CA certificates (PEM text) trusted besides the system's. */
  ca?: string[];
}

export async function probeHttp(spec: HttpSpec, ctx: ProbeContext): Promise<ProbeObservation> {
  if (!isSafeUrl(spec.url)) throw new ProbeFailure(`refusing URL "${spec.url.slice(0, 80)}"`, 'other');
  const url = new URL(spec.url);
  const isHttps = url.protocol === 'https:';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const t0 = performance.now();
  const phases: Record<string, number> = {};
  const ip = await resolveTarget(host, ctx.sourceAddress);
  phases.resolve = (performance.now() - t0) / 1000;
  const serverName = spec.hostHeader ?? (ip === host ? undefined : host);

  return new Promise<ProbeObservation>((resolve) => {
    const obs: HttpObservation = { phases };
    let settled = false;
    const finish = (r: ProbeObservation) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      req.destroy();
      resolve({ ...r, http: obs });
    };
    const onAbort = () => finish({ success: false, error: 'timed out', errorKind: 'timeout' });
    const options: https.RequestOptions = {
      host: ip,
      port: url.port ? Number(url.port) : isHttps ? 443 : 80,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      localAddress: ctx.sourceAddress,
      agent: false,
      headers: { host: spec.hostHeader ?? url.host, 'user-agent': 'sansang-agent', accept: '*/*', connection: 'close' },
    };
    if (isHttps) {
      if (serverName && !isIP(serverName)) options.servername = serverName;
      if (spec.ca?.length) options.ca = [...rootCertificates, ...spec.ca];
      // Certificates are checked against the name asked for, even when the URL names an address.
      if (serverName) options.checkServerIdentity = (_h, cert) => checkServerIdentity(serverName, cert);
    }
    const req = (isHttps ? https : http).request(options);
    req.on('socket', (sock: Socket) => {
      const tStart = performance.now();
      sock.once('connect', () => {
        phases.connect = (performance.now() - tStart) / 1000;
      });
      if (isHttps) {
        sock.once('secureConnect', () => {
          phases.tls = (performance.now() - tStart) / 1000 - (phases.connect ?? 0);
          const cert = (sock as TLSSocket).getPeerCertificate();
          if (cert?.valid_to) obs.certExpiry = new Date(cert.valid_to);
        });
      }
    });
    req.once('response', (res) => {
      const total = (performance.now() - t0) / 1000;
      phases.processing = Math.max(0, total - (phases.resolve ?? 0) - (phases.connect ?? 0) - (phases.tls ?? 0));
      obs.status = res.statusCode;
      const loc = res.headers.location;
      if (loc) obs.location = loc.slice(0, 2048);
      res.destroy();
      const status = res.statusCode ?? 0;
      if (!spec.expectStatus.includes(status)) {
        finish({ success: false, error: `HTTP status ${status}, expected ${spec.expectStatus.join(' or ')}`, errorKind: 'status' });
      } else if (spec.expectRedirect !== undefined && obs.location !== spec.expectRedirect) {
        finish({
          success: false,
          error: `redirects to ${obs.location ?? '(no Location)'}, expected ${spec.expectRedirect}`,
          errorKind: 'redirect',
        });
      } else finish({ success: true });
    });
    req.once('error', (e) => {
      const c = classifySocketError(e);
      finish({ success: false, error: c.message, errorKind: c.kind });
    });
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    req.end();
  });
}
