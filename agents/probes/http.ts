// HTTP(S) with node:http/node:https (lighter than fetch over many probes): one request, no
// redirect following (the redirect itself is what legacy portals are judged on), the status,
// the Location, timing phases and the certificate's expiry. The request may have its method,
// headers (a token from a file) and body; the answer's body is read only when the probe judges
// it (text, a regular expression, a JSON value), and at most MAX_BODY of it.
import http from 'node:http';
import https from 'node:https';
import { checkServerIdentity, createSecureContext, rootCertificates, type SecureContext, type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import type { Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { AGENT_METRICS, isSafeUrl, type Cause } from '../../inventory/index.ts';
import { AGENT_VERSION } from '../version.ts';
import { configPath, probeKind, readCa } from './probe-kind.ts';
import { resolveTarget } from './resolve.ts';
import { socketCause } from './diagnose.ts';
import { ProbeFailure, serviceOf, type Observation, type ProbeContext, type ProbeObservation } from './types.ts';

export interface HttpObservation {
  status?: number;
  location?: string;
  /** The server certificate's notAfter, for HTTPS. */
  certExpiry?: Date;
  /** Seconds spent in each phase: resolve, connect, tls, processing (to first byte); the body's is the rest of the probe's duration. */
  phases: Record<string, number>;
}

type HttpDetails = { http: HttpObservation };

export interface HttpSpec {
  url: string;
  hostHeader?: string;
  expectStatus: number[];
  expectRedirect?: string;
  /** Extra CA certificates (PEM text) trusted besides the system's. */
  ca?: string[];
  method?: string;
  headers?: Readonly<Record<string, string>>;
  requestBody?: string;
  /** A token read from a file at each request, sent in `header` after `prefix`. */
  token?: { file: string; path: string; header: string; prefix: string };
  expectBody?: string;
  expectBodyRegex?: RegExp;
  expectJson?: { path: string; equals: string | number | boolean | null };
}

/** The most of a body read for judging it: a portal's page, an API's answer. */
export const MAX_BODY = 1024 * 1024;

const USER_AGENT = `sansang-agent/${AGENT_VERSION}`;

interface Target {
  isHttps: boolean;
  host: string;
  port: number;
  path: string;
  hostHeader: string;
  /** The system's CAs and the spec's, parsed once: building this is costly (over a hundred certificates). */
  secureContext?: SecureContext;
}

/**
 * A spec's URL, checked and taken apart once: a spec lives as long as its configuration, and a
 * running agent probes it every round (the agent runs without the optimising compiler).
 */
const targets = new WeakMap<HttpSpec, Target | null>();
function targetOf(spec: HttpSpec): Target | null {
  let t = targets.get(spec);
  if (t !== undefined) return t;
  if (!isSafeUrl(spec.url)) t = null;
  else {
    const url = new URL(spec.url);
    const isHttps = url.protocol === 'https:';
    t = {
      isHttps,
      host: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port ? Number(url.port) : isHttps ? 443 : 80,
      path: `${url.pathname}${url.search}`,
      hostHeader: spec.hostHeader ?? url.host,
      ...(isHttps && spec.ca?.length ? { secureContext: createSecureContext({ ca: [...rootCertificates, ...spec.ca] }) } : {}),
    };
  }
  targets.set(spec, t);
  return t;
}

export async function probeHttp(spec: HttpSpec, ctx: ProbeContext): Promise<Observation<HttpDetails>> {
  const target = targetOf(spec);
  if (!target) throw new ProbeFailure({ kind: 'bad-target', target: spec.url.slice(0, 80) });
  const { isHttps, host, port } = target;
  const t0 = performance.now();
  const phases: Record<string, number> = {};
  const ip = await resolveTarget(host, ctx.sourceAddress);
  phases.resolve = (performance.now() - t0) / 1000;
  const serverName = spec.hostHeader ?? (ip === host ? undefined : host);
  const svc = () => ({ target: ip, ...serviceOf(ctx.path) });
  const extra: Record<string, string> = { ...spec.headers };
  if (spec.token) {
    try {
      extra[spec.token.header.toLowerCase()] = `${spec.token.prefix}${(await readFile(spec.token.path, 'utf8')).trim()}`;
    } catch {
      throw new ProbeFailure({ kind: 'file-unreadable', file: spec.token.file });
    }
  }
  if (spec.requestBody !== undefined) extra['content-length'] = String(Buffer.byteLength(spec.requestBody));
  const judgesBody = spec.expectBody !== undefined || spec.expectBodyRegex !== undefined || spec.expectJson !== undefined;

  return new Promise<Observation<HttpDetails>>((resolve) => {
    const obs: HttpObservation = { phases };
    let settled = false;
    /** How far the exchange got: what a deadline that passes says about it. */
    let stage: 'connecting' | 'tls' | 'waiting' | 'reading' = 'connecting';
    const finish = (r: ProbeObservation) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      req.destroy();
      resolve({ ...r, http: obs });
    };
    const elapsed = () => (performance.now() - t0) / 1000;
    const onAbort = () => {
      // Connected, but the handshake or the answer never came: the service hangs, not the network.
      if (stage !== 'connecting')
        finish({ success: false, cause: { kind: 'stalled', phase: stage === 'tls' ? 'tls' : 'response', seconds: elapsed(), ...svc() } });
      else finish({ success: false });
    };
    const fail = (e: unknown) => {
      if (settled) return;
      void socketCause(e, ctx, ip, port).then((cause) =>
        finish({ success: false, cause: cause.kind === 'tls' && serverName ? { ...cause, name: serverName } : cause }),
      );
    };
    // tls.connect takes a secureContext; the https typings do not list it.
    const options: https.RequestOptions & { secureContext?: SecureContext } = {
      host: ip,
      port,
      path: target.path,
      method: spec.method ?? 'GET',
      localAddress: ctx.sourceAddress,
      agent: false,
      headers: { host: target.hostHeader, 'user-agent': USER_AGENT, accept: '*/*', connection: 'close', ...lower(extra) },
    };
    if (isHttps) {
      if (serverName && !isIP(serverName)) options.servername = serverName;
      if (target.secureContext) options.secureContext = target.secureContext;
      // Certificates are checked against the name asked for, even when the URL names an address.
      if (serverName) options.checkServerIdentity = (_h, cert) => checkServerIdentity(serverName, cert);
    }
    const req = (isHttps ? https : http).request(options);
    req.on('socket', (sock: Socket) => {
      const tStart = performance.now();
      sock.once('connect', () => {
        phases.connect = (performance.now() - tStart) / 1000;
        stage = isHttps ? 'tls' : 'waiting';
      });
      if (isHttps) {
        sock.once('secureConnect', () => {
          phases.tls = (performance.now() - tStart) / 1000 - (phases.connect ?? 0);
          stage = 'waiting';
          const cert = (sock as TLSSocket).getPeerCertificate();
          if (cert?.valid_to) obs.certExpiry = new Date(cert.valid_to);
        });
      }
    });
    req.once('response', (res) => {
      stage = 'reading';
      const firstByte = elapsed();
      phases.processing = Math.max(0, firstByte - (phases.resolve ?? 0) - (phases.connect ?? 0) - (phases.tls ?? 0));
      obs.status = res.statusCode;
      const loc = res.headers.location;
      if (loc) obs.location = loc.slice(0, 2048);
      const status = res.statusCode ?? 0;
      if (!spec.expectStatus.includes(status)) {
        res.destroy();
        finish({ success: false, cause: { kind: 'status', status, expected: spec.expectStatus, ...svc() } });
        return;
      }
      if (spec.expectRedirect !== undefined && obs.location !== spec.expectRedirect) {
        res.destroy();
        const location = obs.location === undefined ? {} : { location: obs.location };
        finish({ success: false, cause: { kind: 'redirect', expected: spec.expectRedirect, ...location, ...svc() } });
        return;
      }
      res.on('error', fail);
      if (judgesBody) {
        // Read (at most MAX_BODY) and judged: a 200 with an error page, or {"status":"down"}, fails.
        const chunks: Buffer[] = [];
        let size = 0;
        const judge = () => {
          const cause = bodyCause(spec, Buffer.concat(chunks).toString('utf8'), svc());
          finish(cause ? { success: false, cause } : { success: true });
        };
        res.on('data', (c: Buffer) => {
          if (size >= MAX_BODY) return;
          chunks.push(c);
          size += c.length;
          if (size >= MAX_BODY) judge();
        });
        res.once('end', judge);
      } else {
        // The body is read and dropped (no JavaScript sees it): the probe's duration is the whole
        // answer's time; one that takes longer than the probe's time is a stalled answer.
        res.once('end', () => finish({ success: true }));
        res.resume();
      }
      res.once('aborted', () => fail(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
    });
    req.on('error', fail);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    req.end(spec.requestBody);
  });
}

const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

/** The first expectation the body fails, as a cause; none when it meets them all. */
export function bodyCause(
  spec: Pick<HttpSpec, 'expectBody' | 'expectBodyRegex' | 'expectJson'>,
  body: string,
  svc: { target: string; service?: string; operator?: string },
): Cause | undefined {
  if (spec.expectBody !== undefined && !body.includes(spec.expectBody))
    return { kind: 'http-body', expected: spec.expectBody.slice(0, 80), ...svc };
  if (spec.expectBodyRegex && !spec.expectBodyRegex.test(body))
    return { kind: 'http-body', expected: `/${spec.expectBodyRegex.source.slice(0, 80)}/`, ...svc };
  if (spec.expectJson) {
    const { path, equals } = spec.expectJson;
    const expected = JSON.stringify(equals);
    let value: unknown;
    try {
      value = jsonAt(JSON.parse(body), path);
    } catch {
      return { kind: 'http-json', path, expected, ...svc };
    }
    if (value !== equals)
      return {
        kind: 'http-json',
        path,
        expected,
        ...(value === undefined ? {} : { got: String(JSON.stringify(value)).slice(0, 80) }),
        ...svc,
      };
  }
  return undefined;
}

/** The value at a JSON path (`status`, `$.data.items[0].state`); undefined when there is none. */
export function jsonAt(doc: unknown, path: string): unknown {
  const steps = path.replace(/^\$\.?/, '').match(/[^.[\]]+|\[\d+\]/g) ?? [];
  let v: unknown = doc;
  for (const step of steps) {
    if (v === null || typeof v !== 'object') return undefined;
    const key = step.startsWith('[') ? Number(step.slice(1, -1)) : step;
    v =
      Array.isArray(v) && typeof key === 'number'
        ? v[key]
        : Object.hasOwn(v, key)
          ? (v as Record<string | number, unknown>)[key]
          : undefined;
  }
  return v;
}

/** The `http` kind: the answer's status, each phase's time and, over HTTPS, the certificate's expiry. */
export const httpKind = probeKind({
  kind: 'http',
  spec: (p, ctx): HttpSpec => ({
    url: p.url,
    hostHeader: p.hostHeader,
    expectStatus: p.expectStatus,
    expectRedirect: p.expectRedirect,
    ca: [...ctx.agentCa, ...(p.caFile ? [readCa(p.caFile, ctx.baseDir)] : [])],
    ...(p.method ? { method: p.method } : {}),
    ...(p.headers ? { headers: p.headers } : {}),
    ...(p.requestBody !== undefined ? { requestBody: p.requestBody } : {}),
    ...(p.tokenFile
      ? {
          token: {
            file: p.tokenFile,
            path: configPath(p.tokenFile, ctx.baseDir),
            header: p.tokenHeader ?? 'Authorization',
            prefix: p.tokenPrefix ?? 'Bearer ',
          },
        }
      : {}),
    ...(p.expectBody !== undefined ? { expectBody: p.expectBody } : {}),
    ...(p.expectBodyRegex !== undefined ? { expectBodyRegex: new RegExp(p.expectBodyRegex) } : {}),
    ...(p.expectJson ? { expectJson: p.expectJson } : {}),
  }),
  probe: probeHttp,
  files: ['caFile', 'tokenFile'],
  status(result, obs) {
    if (!obs.http) return;
    const { status, location, certExpiry, phases } = obs.http;
    result.http = { phases };
    if (status !== undefined) result.http.status = status;
    if (location !== undefined) result.http.location = location;
    if (certExpiry && !Number.isNaN(certExpiry.getTime())) result.http.certExpiry = certExpiry.toISOString();
  },
  metrics: {
    status: { type: 'gauge', name: AGENT_METRICS.httpStatus, help: 'HTTP status of the last answer.' },
    phase: { type: 'gauge', name: AGENT_METRICS.httpPhase, help: 'Time spent in each phase of the last HTTP request.', label: 'phase' },
    tlsExpiry: { type: 'gauge', name: AGENT_METRICS.tlsExpiry, help: 'Unix time the server certificate expires.' },
  },
  record(m, series, r) {
    if (r.http?.status !== undefined) m.status.set(series.labels, r.http.status);
    else m.status.remove(series.labels);
    const phases = r.http?.phases;
    if (phases) for (const phase in phases) m.phase.set(series.with('phase', phase), phases[phase]!);
    if (r.http?.certExpiry) m.tlsExpiry.set(series.labels, Date.parse(r.http.certExpiry) / 1000);
  },
});
