// A line-by-line session with a mail server (SMTP, IMAP, POP3), shared by the mail probe kinds
// and the forwarding canary: a socket bound to the link's source address, TLS from the first
// byte or STARTTLS on request, the server certificate checked against the name asked for (as
// the HTTPS probe does) and its expiry kept. Every failure leaves as a ProbeFailure carrying its
// cause; a deadline that passes before the server said anything leaves as `Silent` (the caller
// names the timeout), one that passes after it connected is the service's own `stalled`.
import { connect as netConnect, isIP, type Socket } from 'node:net';
import {
  checkServerIdentity,
  connect as tlsConnect,
  createSecureContext,
  rootCertificates,
  type SecureContext,
  type TLSSocket,
} from 'node:tls';
import type { Cause } from '../../inventory/index.ts';
import { socketCause } from './diagnose.ts';
import { ProbeFailure, serviceOf, type ProbeContext } from './types.ts';

export type MailProtocol = 'smtp' | 'imap' | 'pop3';
export type MailSecurity = 'starttls' | 'tls' | 'none';

/** The protocols' TLS ports: a probe of one of them speaks TLS from the first byte unless told. */
const TLS_PORTS: Record<MailProtocol, number> = { smtp: 465, imap: 993, pop3: 995 };

export function defaultSecurity(protocol: MailProtocol, port: number): MailSecurity {
  return port === TLS_PORTS[protocol] ? 'tls' : 'starttls';
}

/** The deadline passed before the server said anything: the caller names the timeout. */
export class Silent extends Error {
  override name = 'Silent';
}

/** A line longer than this is no mail protocol's. */
const MAX_LINE = 8192;

/** The system's CAs and the extra ones, parsed once per list (building this is costly). */
const contexts = new WeakMap<readonly string[], SecureContext>();
export function secureContextOf(ca: readonly string[]): SecureContext | undefined {
  if (!ca.length) return undefined;
  let c = contexts.get(ca);
  if (!c) contexts.set(ca, (c = createSecureContext({ ca: [...rootCertificates, ...ca] })));
  return c;
}

export interface MailTarget {
  protocol: MailProtocol;
  /** The IP literal to connect to. */
  ip: string;
  port: number;
  security: MailSecurity;
  /** The name the certificate must carry; the address when none. */
  serverName?: string;
  secureContext?: SecureContext;
}

/** Text of a reply as a cause quotes it: one line, printable, at most 120 characters. */
export function quote(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  return s.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 120);
}

export class MailSession {
  private sock: Socket | TLSSocket;
  private buf = '';
  private lines: string[] = [];
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  /** Told when the session fails (a TLS handshake waiting). */
  private onFailure: (() => void) | null = null;
  private stage: 'connecting' | 'tls' | 'talking' = 'connecting';
  private readonly t0 = performance.now();
  /** The server certificate's notAfter, once TLS is up. */
  certExpiry?: Date;

  private constructor(
    private readonly t: MailTarget,
    private readonly ctx: ProbeContext,
  ) {
    const tls = t.security === 'tls';
    // Bound to the link's address first; TLS, when it starts at once, over that socket.
    const raw = netConnect({ host: t.ip, port: t.port, localAddress: ctx.sourceAddress });
    raw.once('connect', () => (this.stage = tls ? 'tls' : 'talking'));
    this.sock = raw;
    if (tls) {
      raw.on('error', this.onError);
      const secure = tlsConnect({ socket: raw, ...this.tlsOptions() });
      secure.once('secureConnect', () => this.secured(secure));
      this.sock = secure;
    }
    this.listen(this.sock);
    ctx.signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Opens a session; the greeting is the caller's to read. */
  static open(t: MailTarget, ctx: ProbeContext): MailSession {
    return new MailSession(t, ctx);
  }

  private get svc() {
    return { target: this.t.ip, ...serviceOf(this.ctx.path) };
  }

  private tlsOptions() {
    const name = this.t.serverName;
    return {
      ...(name && !isIP(name) ? { servername: name } : {}),
      ...(this.t.secureContext ? { secureContext: this.t.secureContext } : {}),
      // Checked against the name asked for, even when the target is an address.
      checkServerIdentity: (_h: string, cert: Parameters<typeof checkServerIdentity>[1]) => checkServerIdentity(name ?? this.t.ip, cert),
    };
  }

  private secured(s: TLSSocket): void {
    this.stage = 'talking';
    const cert = s.getPeerCertificate();
    if (cert?.valid_to) this.certExpiry = new Date(cert.valid_to);
  }

  private listen(s: Socket): void {
    s.setEncoding('latin1');
    s.on('data', this.onData);
    s.on('error', this.onError);
    s.on('close', this.onClose);
  }

  private unlisten(s: Socket): void {
    s.off('data', this.onData);
    s.off('error', this.onError);
    s.off('close', this.onClose);
  }

  private readonly onData = (chunk: string) => {
    this.buf += chunk;
    let i: number;
    while ((i = this.buf.indexOf('\n')) >= 0) {
      this.lines.push(this.buf.slice(0, i).replace(/\r$/, ''));
      this.buf = this.buf.slice(i + 1);
    }
    if (this.buf.length > MAX_LINE) this.fail(new ProbeFailure({ kind: 'protocol', ...this.svc }));
    this.wake?.();
  };

  private readonly onError = (e: Error) => {
    void socketCause(e, this.ctx, this.t.ip, this.t.port).then((cause) => {
      const named: Cause = cause.kind === 'tls' && this.t.serverName ? { ...cause, name: this.t.serverName } : cause;
      this.fail(new ProbeFailure(named));
    });
  };

  private readonly onClose = () => {
    // Closed by the server mid-session: what it said last is in the lines read.
    this.fail(new ProbeFailure({ kind: 'reset', ...this.svc }));
  };

  private readonly onAbort = () => {
    const seconds = (performance.now() - this.t0) / 1000;
    if (this.stage === 'connecting') this.fail(new Silent('deadline'));
    else this.fail(new ProbeFailure({ kind: 'stalled', phase: this.stage === 'tls' ? 'tls' : 'response', seconds, ...this.svc }));
  };

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.wake?.();
    this.onFailure?.();
  }

  /** The next line the server sends. */
  async readLine(): Promise<string> {
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) return line;
      if (this.failure) throw this.failure;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = null;
    }
  }

  send(line: string): void {
    if (this.failure) throw this.failure;
    this.sock.write(`${line}\r\n`);
  }

  /** The server agreed to STARTTLS: the session goes on over TLS, the certificate checked. */
  async startTls(): Promise<void> {
    if (this.lines.length || this.buf) throw new ProbeFailure({ kind: 'protocol', ...this.svc });
    const plain = this.sock;
    this.unlisten(plain);
    this.stage = 'tls';
    const s = tlsConnect({ socket: plain, ...this.tlsOptions() });
    this.sock = s;
    this.listen(s);
    await new Promise<void>((resolve, reject) => {
      // A failure (an error, the close, the deadline) while the handshake runs ends the wait.
      this.onFailure = () => {
        s.off('secureConnect', ok);
        reject(this.failure!);
      };
      const ok = () => {
        this.onFailure = null;
        this.secured(s);
        resolve();
      };
      s.once('secureConnect', ok);
      if (this.failure) this.onFailure();
    });
  }

  close(): void {
    this.ctx.signal.removeEventListener('abort', this.onAbort);
    this.unlisten(this.sock);
    this.sock.on('error', () => undefined);
    this.sock.destroy();
  }

  /** A cause for a reply that is not the one the protocol expects. */
  replyCause(command: string, reply: string): Cause {
    return { kind: 'mail-reply', protocol: this.t.protocol, command, reply: quote(reply), ...this.svc };
  }

  greetingCause(greeting: string, expected?: string): Cause {
    return { kind: 'mail-greeting', protocol: this.t.protocol, greeting: quote(greeting), ...(expected ? { expected } : {}), ...this.svc };
  }

  noStartTls(): Cause {
    return { kind: 'mail-no-starttls', protocol: this.t.protocol, port: this.t.port, ...this.svc };
  }
}

// ---------------------------------------------------------------- each protocol's exchanges

/** An SMTP reply: its code and its lines' text (`250-PIPELINING` … `250 CHUNKING`). */
export async function smtpReply(s: MailSession): Promise<{ code: number; lines: string[]; text: string }> {
  const lines: string[] = [];
  for (let i = 0; i < 200; i++) {
    const line = await s.readLine();
    lines.push(line.slice(4));
    if (!/^\d{3}[ -]/.test(line) && !/^\d{3}$/.test(line)) return { code: 0, lines, text: line };
    if (line[3] !== '-') return { code: Number(line.slice(0, 3)), lines, text: line };
  }
  return { code: 0, lines, text: 'too many lines' };
}

/** SMTP: the greeting, EHLO, STARTTLS and EHLO again when asked; returns the greeting. */
export async function smtpHello(s: MailSession, security: MailSecurity, helo: string, expectGreeting?: string): Promise<string> {
  const greeting = await smtpReply(s);
  if (greeting.code !== 220) throw new ProbeFailure(s.greetingCause(greeting.text));
  if (expectGreeting && !greeting.text.toLowerCase().includes(expectGreeting.toLowerCase()))
    throw new ProbeFailure(s.greetingCause(greeting.text, expectGreeting));
  s.send(`EHLO ${helo}`);
  const ehlo = await smtpReply(s);
  if (ehlo.code !== 250) throw new ProbeFailure(s.replyCause('EHLO', ehlo.text));
  if (security === 'starttls') {
    if (!ehlo.lines.some((l) => /^STARTTLS\b/i.test(l))) throw new ProbeFailure(s.noStartTls());
    s.send('STARTTLS');
    const go = await smtpReply(s);
    if (go.code !== 220) throw new ProbeFailure(s.replyCause('STARTTLS', go.text));
    await s.startTls();
    s.send(`EHLO ${helo}`);
    const again = await smtpReply(s);
    if (again.code !== 250) throw new ProbeFailure(s.replyCause('EHLO', again.text));
  }
  return greeting.text;
}

/** SMTP's HELO name: this link's address as an address literal (RFC 5321, 4.1.3). */
export function heloName(sourceAddress: string): string {
  return isIP(sourceAddress) === 6 ? `[IPv6:${sourceAddress}]` : `[${sourceAddress}]`;
}

/** An IMAP command's tagged answer, with the untagged lines before it. */
export async function imapCommand(
  s: MailSession,
  tag: string,
  command: string,
): Promise<{ ok: boolean; untagged: string[]; text: string }> {
  s.send(`${tag} ${command}`);
  const untagged: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    const line = await s.readLine();
    if (line.startsWith(`${tag} `)) return { ok: /^\S+ OK\b/i.test(line), untagged, text: line };
    untagged.push(line);
  }
  throw new ProbeFailure(s.replyCause(command.split(' ')[0]!, 'too many lines'));
}

/** IMAP: the greeting, STARTTLS when asked; returns the greeting. */
export async function imapHello(s: MailSession, security: MailSecurity, expectGreeting?: string): Promise<string> {
  const greeting = await s.readLine();
  if (!/^\* (OK|PREAUTH)\b/i.test(greeting)) throw new ProbeFailure(s.greetingCause(greeting));
  if (expectGreeting && !greeting.toLowerCase().includes(expectGreeting.toLowerCase()))
    throw new ProbeFailure(s.greetingCause(greeting, expectGreeting));
  if (security === 'starttls') {
    const caps = /\[CAPABILITY ([^\]]*)\]/i.exec(greeting)?.[1] ?? (await imapCommand(s, 'c1', 'CAPABILITY')).untagged.join(' ');
    if (!/\bSTARTTLS\b/i.test(caps)) throw new ProbeFailure(s.noStartTls());
    const r = await imapCommand(s, 'c2', 'STARTTLS');
    if (!r.ok) throw new ProbeFailure(s.replyCause('STARTTLS', r.text));
    await s.startTls();
    const after = await imapCommand(s, 'c3', 'NOOP');
    if (!after.ok) throw new ProbeFailure(s.replyCause('NOOP', after.text));
  }
  return greeting;
}

/** POP3: the greeting, STLS when asked; returns the greeting. */
export async function pop3Hello(s: MailSession, security: MailSecurity, expectGreeting?: string): Promise<string> {
  const greeting = await s.readLine();
  if (!/^\+OK\b/i.test(greeting)) throw new ProbeFailure(s.greetingCause(greeting));
  if (expectGreeting && !greeting.toLowerCase().includes(expectGreeting.toLowerCase()))
    throw new ProbeFailure(s.greetingCause(greeting, expectGreeting));
  if (security === 'starttls') {
    s.send('CAPA');
    const first = await s.readLine();
    const caps: string[] = [];
    if (/^\+OK\b/i.test(first)) for (let l = await s.readLine(), i = 0; l !== '.' && i < 200; l = await s.readLine(), i++) caps.push(l);
    if (!caps.some((c) => /^STLS\b/i.test(c))) throw new ProbeFailure(s.noStartTls());
    s.send('STLS');
    const go = await s.readLine();
    if (!/^\+OK\b/i.test(go)) throw new ProbeFailure(s.replyCause('STLS', go));
    await s.startTls();
    s.send('NOOP');
    // NOOP is not valid before login: any answer (+OK or -ERR) says the server talks over TLS.
    const after = await s.readLine();
    if (!/^[+-]/.test(after)) throw new ProbeFailure(s.replyCause('NOOP', after));
  }
  return greeting;
}
