// What the three mail kinds (smtp.ts, imap.ts, pop3.ts) share: the prober, which opens a session
// (TLS at once or STARTTLS, as the probe says or its port implies), reads and judges the greeting
// and says goodbye; the status it adds (the greeting, the certificate's expiry) and the metric it
// writes (the certificate's expiry, the same series as HTTPS, so the tls item and the alerts see it).
import { AGENT_METRICS, isSafeTarget } from '../../inventory/index.ts';
import {
  MailSession,
  Silent,
  defaultSecurity,
  heloName,
  imapCommand,
  imapHello,
  pop3Hello,
  secureContextOf,
  smtpHello,
  smtpReply,
  type MailProtocol,
  type MailSecurity,
} from './mail-session.ts';
import { readCa, type SpecContext } from './probe-kind.ts';
import { resolveTarget } from './resolve.ts';
import { ProbeFailure, type Observation, type ProbeContext } from './types.ts';
import type { ProbeResult } from '../../inventory/index.ts';

export interface MailSpec {
  protocol: MailProtocol;
  host: string;
  port: number;
  security: MailSecurity;
  expectGreeting?: string;
  serverName?: string;
  /** Extra CA certificates (PEM text) trusted besides the system's. */
  ca: readonly string[];
}

export interface MailObservation {
  greeting?: string;
  certExpiry?: Date;
}
type MailDetails = { mail: MailObservation };

interface MailProbeFields {
  host: string;
  port: number;
  security?: MailSecurity | undefined;
  expectGreeting?: string | undefined;
  serverName?: string | undefined;
  caFile?: string | undefined;
}

/** The prober's spec of a mail probe of `protocol`. */
export function mailSpec(protocol: MailProtocol, p: MailProbeFields, ctx: SpecContext): MailSpec {
  return {
    protocol,
    host: p.host,
    port: p.port,
    security: p.security ?? defaultSecurity(protocol, p.port),
    ...(p.expectGreeting ? { expectGreeting: p.expectGreeting } : {}),
    ...(p.serverName ? { serverName: p.serverName } : {}),
    ca: [...ctx.agentCa, ...(p.caFile ? [readCa(p.caFile, ctx.baseDir)] : [])],
  };
}

/** Opens a session, judges the greeting, secures it as asked, says goodbye. */
export async function probeMail(spec: MailSpec, ctx: ProbeContext): Promise<Observation<MailDetails>> {
  if (!isSafeTarget(spec.host)) throw new ProbeFailure({ kind: 'bad-target', target: spec.host.slice(0, 64) });
  const ip = await resolveTarget(spec.host, ctx.sourceAddress);
  const serverName = spec.serverName ?? (ip === spec.host ? undefined : spec.host);
  const s = MailSession.open(
    {
      protocol: spec.protocol,
      ip,
      port: spec.port,
      security: spec.security,
      ...(serverName ? { serverName } : {}),
      ...(spec.ca.length ? { secureContext: secureContextOf(spec.ca) } : {}),
    },
    ctx,
  );
  const mail: MailObservation = {};
  try {
    if (spec.protocol === 'smtp') {
      mail.greeting = await smtpHello(s, spec.security, heloName(ctx.sourceAddress), spec.expectGreeting);
      s.send('QUIT');
      await smtpReply(s).catch(() => undefined);
    } else if (spec.protocol === 'imap') {
      mail.greeting = await imapHello(s, spec.security, spec.expectGreeting);
      await imapCommand(s, 'c9', 'LOGOUT').catch(() => undefined);
    } else {
      mail.greeting = await pop3Hello(s, spec.security, spec.expectGreeting);
      s.send('QUIT');
      await s.readLine().catch(() => undefined);
    }
    if (s.certExpiry) mail.certExpiry = s.certExpiry;
    return { success: true, mail };
  } catch (e) {
    if (s.certExpiry) mail.certExpiry = s.certExpiry;
    if (e instanceof ProbeFailure) return { success: false, cause: e.failure, mail };
    if (e instanceof Silent) return { success: false, mail };
    throw e;
  } finally {
    s.close();
  }
}

/** The status a mail probe adds: the greeting, the certificate's expiry. */
export function mailStatus(result: ProbeResult, obs: Observation<MailDetails>): void {
  if (!obs.mail) return;
  if (obs.mail.greeting !== undefined) result.mail = { greeting: obs.mail.greeting.slice(0, 200) };
  const at = obs.mail.certExpiry;
  if (at && !Number.isNaN(at.getTime())) result.tls = { certExpiry: at.toISOString() };
}

/** The metric a mail probe writes: the certificate's expiry (the HTTPS probes' series). */
export const mailMetrics = {
  tlsExpiry: { type: 'gauge', name: AGENT_METRICS.tlsExpiry, help: 'Unix time the server certificate expires.' },
} as const;
