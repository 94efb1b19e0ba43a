// The forwarding canary: a message with a unique token is sent to the old address at each of
// the unit's old domains (`units[].email.oldDomains`), and must arrive in the new mailbox, read
// over IMAP with the password from a file. The delay is measured; past `maxDelay` the probe
// fails, naming the old and the new address. A mail system is not written to every round: one
// canary per `every`, and between two the last outcome stands. A canary that has not arrived
// when its run ends stays pending and is looked for at the next runs, until `maxDelay` passes.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isSafeTarget, type Cause } from '../../inventory/index.ts';
import { durationMs } from '../timeout.ts';
import {
  MailSession,
  Silent,
  defaultSecurity,
  heloName,
  imapCommand,
  imapHello,
  quote,
  secureContextOf,
  smtpHello,
  smtpReply,
  type MailProtocol,
  type MailSecurity,
} from './mail-session.ts';
import { configPath, probeKind, readCa } from './probe-kind.ts';
import { resolveTarget } from './resolve.ts';
import { ProbeFailure, serviceOf, type Observation, type ProbeContext } from './types.ts';

interface Endpoint {
  host: string;
  port: number;
  security: MailSecurity;
  serverName?: string;
}

export interface ForwardSpec {
  smtp: Endpoint;
  imap: Endpoint;
  username: string;
  /** The password file as the inventory names it (for a cause), and where it is. */
  passwordFile: string;
  passwordPath: string;
  /** The canary's sender and the new mailbox's address. */
  from: string;
  to: string;
  /** The old addresses, one per old domain of the unit. */
  oldAddresses: string[];
  maxDelayMs: number;
  everyMs: number;
  ca: readonly string[];
}

export interface ForwardObservation {
  /** The slowest canary's delay, when they arrived. */
  delaySeconds?: number;
  to: string;
}
type ForwardDetails = { forward: ForwardObservation };
type ForwardResult = Observation<ForwardDetails>;

/** The header that carries a canary's token: how it is found in the mailbox. */
export const CANARY_HEADER = 'X-Sansang-Canary';

interface Pending {
  token: string;
  from: string;
  sentAt: number;
}

/** Per spec and link (source address): canaries not arrived yet, the last outcome, when the last were sent. */
interface CanaryState {
  pending: Pending[];
  sentAt: number;
  last?: ForwardResult;
}
const states = new WeakMap<ForwardSpec, Map<string, CanaryState>>();
function stateOf(spec: ForwardSpec, source: string): CanaryState {
  let bySource = states.get(spec);
  if (!bySource) states.set(spec, (bySource = new Map()));
  let s = bySource.get(source);
  if (!s) bySource.set(source, (s = { pending: [], sentAt: 0 }));
  return s;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((r) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      r();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

export async function probeForward(spec: ForwardSpec, ctx: ProbeContext): Promise<ForwardResult> {
  const state = stateOf(spec, ctx.sourceAddress);
  const now = Date.now();
  if (!state.pending.length && state.last && now - state.sentAt < spec.everyMs) return state.last;
  const svc = serviceOf(ctx.path);
  if (!spec.oldAddresses.length) return { success: false, cause: { kind: 'bad-target', target: 'units[].email.oldDomains' } };
  for (const h of [spec.smtp.host, spec.imap.host])
    if (!isSafeTarget(h)) return { success: false, cause: { kind: 'bad-target', target: h.slice(0, 64) } };
  let password: string;
  try {
    password = (await readFile(spec.passwordPath, 'utf8')).replace(/\r?\n$/, '');
  } catch {
    return { success: false, cause: { kind: 'file-unreadable', file: spec.passwordFile } };
  }
  const t0 = performance.now();
  // The run's own time, with room left for closing the sessions.
  const until = t0 + ctx.timeoutMs * 0.8;
  const found: { p: Pending; delaySeconds: number }[] = [];
  try {
    if (!state.pending.length) {
      state.sentAt = now;
      await sendCanaries(spec, ctx, state);
    }
    await collect(spec, ctx, password, state, found, until);
  } catch (e) {
    const cause = e instanceof ProbeFailure ? e.failure : undefined;
    if (!(e instanceof ProbeFailure) && !(e instanceof Silent)) throw e;
    // The canaries could not be sent, or the mailbox not read: that is this round's outcome.
    return (state.last = { success: false, ...(cause ? { cause } : {}), forward: { to: spec.to } });
  }
  const at = Date.now();
  const late = found.find((f) => f.delaySeconds * 1000 > spec.maxDelayMs);
  const overdue = state.pending.filter((p) => at - p.sentAt > spec.maxDelayMs);
  state.pending = state.pending.filter((p) => !overdue.includes(p));
  const worst = found.reduce((m, f) => Math.max(m, f.delaySeconds), 0);
  const limit = spec.maxDelayMs / 1000;
  let result: ForwardResult;
  if (overdue.length) {
    const p = overdue[0]!;
    const cause: Cause = { kind: 'mail-not-forwarded', from: p.from, to: spec.to, seconds: (at - p.sentAt) / 1000, ...svc };
    result = { success: false, cause, forward: { to: spec.to } };
  } else if (late) {
    const cause: Cause = { kind: 'mail-forward-slow', from: late.p.from, to: spec.to, seconds: late.delaySeconds, limit, ...svc };
    result = { success: false, cause, forward: { to: spec.to, delaySeconds: late.delaySeconds } };
  } else if (!state.pending.length) result = { success: true, forward: { to: spec.to, delaySeconds: worst } };
  else if (state.last)
    return state.last; // still on their way, within the limit: the last outcome stands
  else {
    // The first canaries, not arrived within this run: not forwarded yet, as far as anyone knows.
    const p = state.pending[0]!;
    const cause: Cause = { kind: 'mail-not-forwarded', from: p.from, to: spec.to, seconds: (at - p.sentAt) / 1000, ...svc };
    result = { success: false, cause, forward: { to: spec.to } };
  }
  return (state.last = result);
}

function session(protocol: MailProtocol, e: Endpoint, ip: string, spec: ForwardSpec, ctx: ProbeContext): MailSession {
  const serverName = e.serverName ?? (ip === e.host ? undefined : e.host);
  return MailSession.open(
    {
      protocol,
      ip,
      port: e.port,
      security: e.security,
      ...(serverName ? { serverName } : {}),
      ...(spec.ca.length ? { secureContext: secureContextOf(spec.ca) } : {}),
    },
    ctx,
  );
}

/** One message per old address, each with its own token, in one SMTP session. */
async function sendCanaries(spec: ForwardSpec, ctx: ProbeContext, state: CanaryState): Promise<void> {
  const ip = await resolveTarget(spec.smtp.host, ctx.sourceAddress);
  const s = session('smtp', spec.smtp, ip, spec, ctx);
  const svc = serviceOf(ctx.path);
  try {
    await smtpHello(s, spec.smtp.security, heloName(ctx.sourceAddress));
    for (const old of spec.oldAddresses) {
      const token = randomBytes(12).toString('hex');
      s.send(`MAIL FROM:<${spec.from}>`);
      const from = await smtpReply(s);
      if (from.code !== 250) throw new ProbeFailure(s.replyCause('MAIL FROM', from.text));
      s.send(`RCPT TO:<${old}>`);
      const rcpt = await smtpReply(s);
      if (rcpt.code !== 250 && rcpt.code !== 251)
        throw new ProbeFailure({ kind: 'mail-rejected', address: old, reply: quote(rcpt.text), ...svc });
      s.send('DATA');
      const data = await smtpReply(s);
      if (data.code !== 354) throw new ProbeFailure(s.replyCause('DATA', data.text));
      const sentAt = Date.now();
      for (const line of message(spec.from, old, token, new Date(sentAt))) s.send(line);
      s.send('.');
      const queued = await smtpReply(s);
      if (queued.code !== 250) throw new ProbeFailure(s.replyCause('DATA', queued.text));
      state.pending.push({ token, from: old, sentAt });
    }
    s.send('QUIT');
    await smtpReply(s).catch(() => undefined);
  } finally {
    s.close();
  }
}

function message(from: string, to: string, token: string, at: Date): string[] {
  return [
    `From: <${from}>`,
    `To: <${to}>`,
    `Subject: sansang forwarding canary ${token}`,
    `Date: ${at.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${token}@sansang.invalid>`,
    `${CANARY_HEADER}: ${token}`,
    '',
    'A test of the forwarding from an old address to the new mailbox, sent by the sansang agent.',
    'It is deleted as soon as it is found.',
  ];
}

/** IMAP: finds the pending canaries (polling until `until`), records their delay, deletes them. */
async function collect(
  spec: ForwardSpec,
  ctx: ProbeContext,
  password: string,
  state: CanaryState,
  found: { p: Pending; delaySeconds: number }[],
  until: number,
): Promise<void> {
  const ip = await resolveTarget(spec.imap.host, ctx.sourceAddress);
  const s = session('imap', spec.imap, ip, spec, ctx);
  const svc = { target: ip, ...serviceOf(ctx.path) };
  let tag = 0;
  const cmd = (c: string) => imapCommand(s, `f${++tag}`, c);
  try {
    await imapHello(s, spec.imap.security);
    const login = await cmd(`LOGIN ${imapString(spec.username)} ${imapString(password)}`);
    if (!login.ok) throw new ProbeFailure({ kind: 'mail-auth', username: spec.username, file: spec.passwordFile, ...svc });
    const select = await cmd('SELECT INBOX');
    if (!select.ok) throw new ProbeFailure(s.replyCause('SELECT', select.text));
    const gone: number[] = [];
    for (;;) {
      for (const p of [...state.pending]) {
        const search = await cmd(`UID SEARCH HEADER ${CANARY_HEADER} ${p.token}`);
        const uids = searchUids(search.untagged);
        if (!uids.length) continue;
        const fetched = await cmd(`UID FETCH ${uids.join(',')} (INTERNALDATE)`);
        const arrived = internalDate(fetched.untagged);
        // Seen in the run that sent it: the time we saw it; later, the server's own arrival time.
        const seenNow = p.sentAt >= state.sentAt && Date.now() - p.sentAt < ctx.timeoutMs;
        const delayMs = seenNow || arrived === undefined ? Date.now() - p.sentAt : arrived - p.sentAt;
        found.push({ p, delaySeconds: Math.max(0, delayMs) / 1000 });
        state.pending = state.pending.filter((q) => q !== p);
        gone.push(...uids);
      }
      if (!state.pending.length || performance.now() > until || ctx.signal.aborted) break;
      await sleep(250, ctx.signal);
    }
    // Canaries left behind by an earlier agent (restarted before finding them) go after a day.
    const day = new Date(Date.now() - 86_400_000);
    const stale = await cmd(`UID SEARCH HEADER ${CANARY_HEADER} "" BEFORE ${imapDate(day)}`);
    gone.push(...searchUids(stale.untagged));
    if (gone.length) {
      await cmd(`UID STORE ${gone.join(',')} +FLAGS.SILENT (\\Deleted)`);
      await cmd('EXPUNGE');
    }
    await cmd('LOGOUT').catch(() => undefined);
  } finally {
    s.close();
  }
}

/** An IMAP quoted string (RFC 3501: `"` and `\` escaped); line breaks never reach it. */
function imapString(s: string): string {
  return `"${s.replace(/[\r\n]/g, '').replace(/(["\\])/g, '\\$1')}"`;
}

function searchUids(untagged: readonly string[]): number[] {
  return untagged.flatMap((l) => (/^\* SEARCH\b/i.test(l) ? l.slice(8).trim().split(/\s+/).filter(Boolean).map(Number) : []));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const imapDate = (d: Date) => `${d.getUTCDate()}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()}`;

/** The earliest INTERNALDATE of a FETCH answer (`"30-Nov-2025 02:13:13 +0000"`), as epoch ms. */
function internalDate(untagged: readonly string[]): number | undefined {
  let best: number | undefined;
  for (const l of untagged) {
    const m = /INTERNALDATE "\s?(\d{1,2})-(\w{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})"/i.exec(l);
    if (!m) continue;
    const month = MONTHS.indexOf(m[2]!.charAt(0).toUpperCase() + m[2]!.slice(1).toLowerCase());
    const offset = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])) * 60_000;
    const t = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])) - offset;
    if (best === undefined || t < best) best = t;
  }
  return best;
}

/** The `mail-forward` kind: the canary's delay. */
export const mailForwardKind = probeKind({
  kind: 'mail-forward',
  spec: (p, ctx): ForwardSpec => {
    const email = ctx.unitEmail;
    const endpoint = (protocol: MailProtocol, e: typeof p.smtp): Endpoint => ({
      host: e.host,
      port: e.port,
      security: e.security ?? defaultSecurity(protocol, e.port),
      ...(e.serverName ? { serverName: e.serverName } : {}),
    });
    return {
      smtp: endpoint('smtp', p.smtp),
      imap: endpoint('imap', p.imap),
      username: p.username,
      passwordFile: p.passwordFile,
      passwordPath: configPath(p.passwordFile, ctx.baseDir),
      from: `${p.mailbox}@${email?.domain ?? 'invalid'}`,
      to: `${p.mailbox}@${email?.domain ?? 'invalid'}`,
      oldAddresses: (email?.oldDomains ?? []).map((d) => `${p.mailbox}@${d}`),
      maxDelayMs: durationMs(p.maxDelay),
      everyMs: durationMs(p.every),
      ca: [...ctx.agentCa, ...(p.caFile ? [readCa(p.caFile, ctx.baseDir)] : [])],
    };
  },
  probe: probeForward,
  files: ['caFile', 'passwordFile'],
  status(result, obs) {
    if (!obs.forward) return;
    result.mail = { to: obs.forward.to, ...(obs.forward.delaySeconds !== undefined ? { delaySeconds: obs.forward.delaySeconds } : {}) };
  },
  metrics: {
    delay: {
      type: 'gauge',
      name: 'sansang_probe_mail_forward_delay_seconds',
      help: 'How long the last canaries took to reach the new mailbox.',
    },
  },
  record(m, { labels }, r) {
    if (r.mail?.delaySeconds !== undefined) m.delay.set(labels, r.mail.delaySeconds);
    else m.delay.remove(labels);
  },
});
