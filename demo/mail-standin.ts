// The demo's mail stand-in, for a machine without Postfix and Dovecot: small servers of our own
// that speak enough SMTP, IMAP and POP3 for the probes (greeting, EHLO/CAPABILITY/CAPA, STARTTLS
// or TLS from the first byte with the demo CA's certificate) and for the forwarding canary (mail
// to an old domain delivered to the same mailbox at the new domain; IMAP LOGIN, SELECT, UID
// SEARCH HEADER, UID FETCH INTERNALDATE, UID STORE, EXPUNGE). Forwarding can be broken per old
// domain (a demo fault): mail to it is then accepted and lost, as a wrong alias would lose it.
// The probes' own tests run against Debian's Postfix and Dovecot (agents/probes/mail.test.ts).
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { TLSSocket, createSecureContext, type SecureContext } from 'node:tls';

export interface MailStandInOptions {
  host: string;
  /** Listeners: port → protocol and security. */
  listeners: { port: number; protocol: 'smtp' | 'imap' | 'pop3'; security: 'starttls' | 'tls' | 'none' }[];
  tls: { cert: string; key: string };
  /** Old domain → new domain. */
  forwarding: Record<string, string>;
  /** IMAP logins: username (the mailbox's address) → password. */
  users: Record<string, string>;
  /** The server's name in its greetings. */
  name?: string;
}

interface Message {
  uid: number;
  at: Date;
  headers: string;
  deleted: boolean;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');
const internalDate = (d: Date) =>
  `${pad(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;

export class MailStandIn {
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly boxes = new Map<string, Message[]>();
  private readonly broken = new Set<string>();
  private readonly context: SecureContext;
  private nextUid = 1;
  private readonly name: string;

  constructor(private readonly o: MailStandInOptions) {
    this.context = createSecureContext({ cert: o.tls.cert, key: o.tls.key });
    this.name = o.name ?? 'mail.sansang-demo.invalid';
  }

  async start(): Promise<void> {
    for (const l of this.o.listeners) {
      const server = createServer((c) => this.accept(c, l.protocol, l.security));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(l.port, this.o.host, () => resolve());
      });
      this.servers.push(server);
    }
  }

  /** The ports listened on, in the order of the listeners (a listener asked for port 0 gets one). */
  ports(): number[] {
    return this.servers.map((s) => (s.address() as AddressInfo).port);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  }

  /** A demo fault: mail to this old domain is accepted and lost (true), or forwarded again (false). */
  setBroken(oldDomain: string, broken: boolean): void {
    if (!(oldDomain in this.o.forwarding))
      throw new Error(`no forwarding from ${oldDomain}; old domains: ${Object.keys(this.o.forwarding).join(', ')}`);
    if (broken) this.broken.add(oldDomain);
    else this.broken.delete(oldDomain);
  }

  private box(address: string): Message[] {
    let b = this.boxes.get(address);
    if (!b) this.boxes.set(address, (b = []));
    return b;
  }

  private known(domain: string): boolean {
    return domain in this.o.forwarding || Object.values(this.o.forwarding).includes(domain);
  }

  private deliver(rcpt: string, headers: string): void {
    const at = rcpt.lastIndexOf('@');
    const local = rcpt.slice(0, at);
    const domain = rcpt.slice(at + 1);
    if (this.broken.has(domain)) return;
    const target = this.o.forwarding[domain] ? `${local}@${this.o.forwarding[domain]}` : rcpt;
    this.box(target).push({ uid: this.nextUid++, at: new Date(), headers, deleted: false });
  }

  private accept(raw: Socket, protocol: 'smtp' | 'imap' | 'pop3', security: 'starttls' | 'tls' | 'none'): void {
    let sock: Socket = raw;
    let secure = false;
    let buf = '';
    this.sockets.add(raw);
    raw.on('close', () => this.sockets.delete(raw));
    raw.on('error', () => raw.destroy());
    const write = (s: string) => sock.writable && sock.write(s.endsWith('\r\n') ? s : `${s}\r\n`);
    const upgrade = () => {
      raw.removeAllListeners('data');
      const t = new TLSSocket(raw, { isServer: true, secureContext: this.context });
      t.on('error', () => raw.destroy());
      t.on('data', onData);
      sock = t;
      secure = true;
    };
    const session =
      protocol === 'smtp'
        ? this.smtp(write, upgrade, () => secure, security)
        : protocol === 'imap'
          ? this.imap(write, upgrade, () => secure, security)
          : this.pop3(write, upgrade, () => secure, security);
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.length > 1_000_000) return raw.destroy();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).replace(/\r$/, '');
        buf = buf.slice(i + 1);
        if (session.line(line) === 'close') {
          sock.end();
          return;
        }
      }
    };
    if (security === 'tls') upgrade();
    else raw.on('data', onData);
    session.greet();
  }

  private smtp(write: (s: string) => void, upgrade: () => void, secure: () => boolean, security: string) {
    let rcpts: string[] = [];
    let data: string[] | null = null;
    return {
      greet: () => write(`220 ${this.name} ESMTP sansang stand-in`),
      line: (l: string): 'close' | void => {
        if (data) {
          if (l !== '.') {
            data.push(l.startsWith('..') ? l.slice(1) : l);
            return;
          }
          const headers = data.slice(0, Math.max(0, data.indexOf(''))).join('\r\n');
          for (const r of rcpts) this.deliver(r, headers);
          data = null;
          rcpts = [];
          write('250 2.0.0 Ok: queued');
          return;
        }
        const cmd = l.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO' || cmd === 'HELO') {
          const tls = security === 'starttls' && !secure() ? ['250-STARTTLS'] : [];
          write([`250-${this.name}`, ...tls, '250 8BITMIME'].join('\r\n'));
        } else if (cmd === 'STAR' && security === 'starttls' && !secure()) {
          write('220 2.0.0 Ready to start TLS');
          upgrade();
        } else if (cmd === 'MAIL') {
          rcpts = [];
          write('250 2.1.0 Ok');
        } else if (cmd === 'RCPT') {
          const addr = /<([^>]*)>/.exec(l)?.[1]?.toLowerCase() ?? '';
          if (!this.known(addr.slice(addr.lastIndexOf('@') + 1))) write(`554 5.7.1 <${addr}>: Relay access denied`);
          else {
            rcpts.push(addr);
            write('250 2.1.5 Ok');
          }
        } else if (cmd === 'DATA') {
          data = [];
          write('354 End data with <CR><LF>.<CR><LF>');
        } else if (cmd === 'RSET' || cmd === 'NOOP') write('250 2.0.0 Ok');
        else if (cmd === 'QUIT') {
          write('221 2.0.0 Bye');
          return 'close';
        } else write('502 5.5.2 Error: command not recognized');
      },
    };
  }

  private imap(write: (s: string) => void, upgrade: () => void, secure: () => boolean, security: string) {
    let user: string | null = null;
    const caps = () => `IMAP4rev1${security === 'starttls' && !secure() ? ' STARTTLS LOGINDISABLED' : ' AUTH=PLAIN'}`;
    const strings = (s: string) => [...s.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1'));
    return {
      greet: () => write(`* OK [CAPABILITY ${caps()}] sansang stand-in ready`),
      line: (l: string): 'close' | void => {
        const [tag = '*', command = '', ...rest] = strings(l);
        const C = command.toUpperCase();
        const ok = (t = 'completed') => write(`${tag} OK ${C} ${t}`);
        const uidCmd = C === 'UID' ? (rest.shift() ?? '').toUpperCase() : '';
        const box = user ? this.box(user) : [];
        if (C === 'CAPABILITY') {
          write(`* CAPABILITY ${caps()}`);
          ok();
        } else if (C === 'NOOP') ok();
        else if (C === 'STARTTLS' && security === 'starttls' && !secure()) {
          ok('begin TLS now');
          upgrade();
        } else if (C === 'LOGIN') {
          const [u = '', p = ''] = rest;
          if (security === 'starttls' && !secure()) write(`${tag} NO [PRIVACYREQUIRED] LOGIN needs TLS`);
          else if (this.o.users[u] !== undefined && this.o.users[u] === p) {
            user = u;
            ok('logged in');
          } else write(`${tag} NO [AUTHENTICATIONFAILED] Authentication failed.`);
        } else if (!user && C !== 'LOGOUT') write(`${tag} BAD not logged in`);
        else if (C === 'SELECT' || C === 'EXAMINE') {
          write(`* ${box.length} EXISTS`);
          write(`${tag} OK [READ-WRITE] ${C} completed`);
        } else if (uidCmd === 'SEARCH') {
          // HEADER name value [BEFORE date]: what the canary asks.
          const header = rest[0]?.toUpperCase() === 'HEADER' ? { name: rest[1]!.toLowerCase(), value: rest[2] ?? '' } : null;
          const beforeAt = rest.findIndex((r) => r.toUpperCase() === 'BEFORE');
          const before = beforeAt >= 0 ? Date.parse(`${rest[beforeAt + 1]!.replace(/-/g, ' ')} UTC`) : NaN;
          const hits = box.filter((m) => {
            if (m.deleted) return false;
            if (header) {
              const h = m.headers.split('\r\n').find((x) => x.toLowerCase().startsWith(`${header.name}:`));
              if (!h || !h.slice(header.name.length + 1).includes(header.value)) return false;
            }
            return Number.isNaN(before) || m.at.getTime() < before;
          });
          write(`* SEARCH${hits.map((m) => ` ${m.uid}`).join('')}`);
          ok();
        } else if (uidCmd === 'FETCH') {
          const uids = new Set((rest[0] ?? '').split(',').map(Number));
          box.forEach((m, i) => uids.has(m.uid) && write(`* ${i + 1} FETCH (UID ${m.uid} INTERNALDATE "${internalDate(m.at)}")`));
          ok();
        } else if (uidCmd === 'STORE') {
          const uids = new Set((rest[0] ?? '').split(',').map(Number));
          for (const m of box) if (uids.has(m.uid)) m.deleted = true;
          ok();
        } else if (C === 'EXPUNGE') {
          const keep = box.filter((m) => !m.deleted);
          box.splice(0, box.length, ...keep);
          ok();
        } else if (C === 'LOGOUT') {
          write('* BYE sansang stand-in logging out');
          ok();
          return 'close';
        } else write(`${tag} BAD unknown command`);
      },
    };
  }

  private pop3(write: (s: string) => void, upgrade: () => void, secure: () => boolean, security: string) {
    return {
      greet: () => write('+OK sansang stand-in ready'),
      line: (l: string): 'close' | void => {
        const C = l.split(' ')[0]!.toUpperCase();
        if (C === 'CAPA') write(['+OK', ...(security === 'starttls' && !secure() ? ['STLS'] : []), 'USER', '.'].join('\r\n'));
        else if (C === 'STLS' && security === 'starttls' && !secure()) {
          write('+OK begin TLS');
          upgrade();
        } else if (C === 'QUIT') {
          write('+OK bye');
          return 'close';
        } else write('-ERR not supported by the stand-in');
      },
    };
  }
}
