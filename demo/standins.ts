// Stand-ins for the services an inventory's sites must reach, started on loopback from the
// inventory's own probes: whatever the checklist looks at gets something real to answer it.
// Each one says it is a stand-in (an HTTP header, an SMTP-like banner), and each can be
// stopped, started and slowed down to inject a fault.
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { InputError, readUrlList, type Inventory, type Service } from '../inventory/index.ts';
import { answerDnsQuery } from './dns-answer.ts';
import { MailStandIn, type MailStandInOptions } from './mail-standin.ts';

/** An answer for one URL of a URL list: what the list expects of it. */
interface Route {
  status: number;
  location?: string;
  body?: string;
}

export interface TlsMaterial {
  cert: string;
  key: string;
}

type Listener = { kind: 'http' | 'https' | 'tcp' | 'dns'; host: string; port: number };

interface StandIn extends Listener {
  service: Service;
  /** How to answer HTTP: a status, and for legacy portals the origin to redirect to. */
  status: number;
  redirectOrigin?: string;
  /** Text the body must hold (the probe's expectBody, or a JSON document for expectJson). */
  body?: string;
  /** URL lists' rows on this listener, by path and query: each answers as its row expects. */
  routes: Map<string, Route>;
  running: boolean;
  delayMs: number;
  close?: () => Promise<void>;
}

export interface StandInOptions {
  /** Non-loopback addresses the stand-ins may listen on (the lab's services addresses). */
  allowAddresses?: readonly string[];
}

export class StandIns {
  private readonly items: StandIn[] = [];
  /** The mail stand-in of each address (SMTP, IMAP, POP3 and the canary's forwarding). */
  private readonly mail = new Map<string, { options: MailStandInOptions; services: Set<string>; server?: MailStandIn }>();
  /** URLs broken by a demo fault: they answer 404. */
  private readonly brokenUrls = new Set<string>();

  constructor(
    inv: Inventory,
    private readonly tls?: TlsMaterial,
    opts: StandInOptions = {},
  ) {
    const seen = new Set<string>();
    const forwarding = Object.fromEntries(inv.units.flatMap((u) => (u.email ? u.email.oldDomains.map((d) => [d, u.email!.domain]) : [])));
    const urlRows: { service: Service; url: URL; route: Route }[] = [];
    const mailOf = (host: string, service: Service) => {
      if (!isLoopback(host) && !opts.allowAddresses?.includes(host))
        throw new Error(`stand-in for ${service.id} would listen on ${host}: the demo only uses loopback addresses`);
      let m = this.mail.get(host);
      if (!m) {
        if (!tls) throw new Error(`the mail stand-in for ${service.id} needs the demo CA's certificate`);
        this.mail.set(host, (m = { options: { host, listeners: [], tls, forwarding, users: {} }, services: new Set() }));
      }
      m.services.add(service.id);
      return m.options;
    };
    const mailListener = (
      o: MailStandInOptions,
      port: number,
      protocol: 'smtp' | 'imap' | 'pop3',
      security?: 'starttls' | 'tls' | 'none',
    ) => {
      if (o.listeners.some((l) => l.port === port)) return;
      const tlsPort = { smtp: 465, imap: 993, pop3: 995 }[protocol];
      o.listeners.push({ port, protocol, security: security ?? (port === tlsPort ? 'tls' : 'starttls') });
    };
    for (const service of inv.services) {
      for (const p of service.probes) {
        let l: Listener | undefined;
        let status = 200;
        let redirectOrigin: string | undefined;
        let body: string | undefined;
        if (p.kind === 'smtp' || p.kind === 'imap' || p.kind === 'pop3') {
          mailListener(mailOf(p.host, service), p.port, p.kind, p.security);
          continue;
        }
        if (p.kind === 'mail-forward') {
          const o = mailOf(p.smtp.host, service);
          mailListener(o, p.smtp.port, 'smtp', p.smtp.security);
          const i = mailOf(p.imap.host, service);
          mailListener(i, p.imap.port, 'imap', p.imap.security);
          i.users[p.username] = readFileSync(p.passwordFile, 'utf8').replace(/\r?\n$/, '');
          continue;
        }
        if (p.kind === 'url-list') {
          const list = readUrlList(p.file);
          if (list.problems.length) throw new InputError(list.problems.map((x) => `${x.file}:${x.line}:${x.col} ${x.message}`).join('\n'));
          for (const r of list.rows) {
            const body = r.body && 'text' in r.body ? r.body.text : undefined;
            urlRows.push({
              service,
              url: new URL(r.url),
              route: { status: r.status, ...(r.location ? { location: r.location } : {}), ...(body ? { body } : {}) },
            });
          }
          continue;
        }
        if (p.kind === 'http') {
          const u = new URL(p.url);
          l = {
            kind: u.protocol === 'https:' ? 'https' : 'http',
            host: u.hostname,
            port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)),
          };
          status = p.expectStatus[0] ?? 200;
          if (p.expectRedirect) redirectOrigin = new URL(p.expectRedirect).origin;
          if (p.expectJson) body = JSON.stringify(jsonWith(p.expectJson.path, p.expectJson.equals));
          else if (p.expectBody) body = p.expectBody;
        } else if (p.kind === 'tcp') l = { kind: 'tcp', host: p.host, port: p.port };
        else if (p.kind === 'dns') l = { kind: 'dns', host: p.server, port: p.port };
        if (!l) continue; // ICMP: loopback answers by itself; a kind without a stand-in here has none
        if (!isLoopback(l.host) && !opts.allowAddresses?.includes(l.host))
          throw new Error(`stand-in for ${service.id} would listen on ${l.host}: the demo only uses loopback addresses`);
        const key = `${l.kind === 'dns' ? 'udp' : 'tcp'}:${l.host}:${l.port}`;
        if (seen.has(key)) continue;
        seen.add(key);
        this.items.push({
          ...l,
          service,
          status,
          redirectOrigin,
          ...(body !== undefined ? { body } : {}),
          routes: new Map(),
          running: false,
          delayMs: 0,
        });
      }
    }
    // A URL list's rows answer on the listener of their address and port (made if no probe made it).
    for (const { service, url, route } of urlRows) {
      const kind = url.protocol === 'https:' ? 'https' : 'http';
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const port = Number(url.port || (kind === 'https' ? 443 : 80));
      if (!isLoopback(host) && !opts.allowAddresses?.includes(host))
        throw new Error(`stand-in for ${service.id} would listen on ${host}: the demo only uses loopback addresses`);
      let item = this.items.find((i) => (i.kind === 'http' || i.kind === 'https') && i.host === host && i.port === port);
      if (!item) {
        item = { kind, host, port, service, status: 404, routes: new Map(), running: false, delayMs: 0 };
        this.items.push(item);
        seen.add(`tcp:${host}:${port}`);
      }
      item.routes.set(`${url.pathname}${url.search}`, route);
    }
  }

  /** The mail stand-ins, to start and stop with the rest. */
  private mailServers(): MailStandIn[] {
    return [...this.mail.values()].map((m) => (m.server ??= new MailStandIn(m.options)));
  }

  /** A demo fault: forwarding from an old domain lost (true) or back (false). */
  breakForwarding(oldDomain: string, broken: boolean): void {
    const servers = this.mailServers();
    if (!servers.length) throw new Error('no mail stand-in: the inventory has no mail probe');
    for (const m of servers) m.setBroken(oldDomain, broken);
  }

  /** A demo fault: a URL of a URL list answers 404 (true), or as its row expects again (false). */
  breakUrl(url: string, broken: boolean): void {
    const u = new URL(url);
    const known = this.items.some(
      (i) => i.routes.has(`${u.pathname}${u.search}`) && i.port === Number(u.port || (u.protocol === 'https:' ? 443 : 80)),
    );
    if (!known) throw new Error(`${url} is on no URL list of the inventory`);
    if (broken) this.brokenUrls.add(`${u.host}${u.pathname}${u.search}`);
    else this.brokenUrls.delete(`${u.host}${u.pathname}${u.search}`);
  }

  list(): readonly Readonly<StandIn>[] {
    return this.items;
  }

  async startAll(): Promise<void> {
    for (const s of this.items) await this.start(s.service.id);
    for (const m of this.mail.keys()) await this.startMail(m);
  }

  async stopAll(): Promise<void> {
    for (const s of this.items) await this.stop(s.service.id);
    for (const m of this.mailServers()) await m.stop();
  }

  private async startMail(host: string): Promise<void> {
    const m = this.mail.get(host)!;
    m.server ??= new MailStandIn(m.options);
    await m.server.start();
  }

  /** What the demo lists at start: each stand-in's kind, address and service. */
  describe(): { service: string; url: string }[] {
    return [
      ...this.items.map((s) => ({ service: s.service.id, url: `${s.kind}://${s.host}:${s.port}` })),
      ...[...this.mail.values()].flatMap((m) =>
        m.options.listeners.map((l) => ({ service: [...m.services].join(','), url: `${l.protocol}://${m.options.host}:${l.port}` })),
      ),
    ];
  }

  private of(serviceId: string): StandIn[] {
    const found = this.items.filter((s) => s.service.id === serviceId);
    if (!found.length)
      throw new Error(`no stand-in for service "${serviceId}"; services: ${[...new Set(this.items.map((s) => s.service.id))].join(', ')}`);
    return found;
  }

  async start(serviceId: string): Promise<void> {
    for (const s of this.of(serviceId)) if (!s.running) await this.listen(s);
  }

  async stop(serviceId: string): Promise<void> {
    for (const s of this.of(serviceId)) {
      if (!s.running) continue;
      s.running = false;
      await s.close?.();
    }
  }

  /** Answers late by `ms` (0 restores): slowness without netem. */
  slow(serviceId: string, ms: number): void {
    for (const s of this.of(serviceId)) s.delayMs = ms;
  }

  private async listen(s: StandIn): Promise<void> {
    if (s.kind === 'dns') {
      const sock = createSocket(s.host.includes(':') ? 'udp6' : 'udp4');
      sock.on('message', (msg, rinfo) => {
        const answer = answerDnsQuery(msg, '127.0.0.1');
        if (answer) setTimeout(() => sock.send(answer, rinfo.port, rinfo.address), s.delayMs);
      });
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind(s.port, s.host, () => resolve());
      });
      s.close = () => closeUdp(sock);
    } else if (s.kind === 'tcp') {
      const sockets = new Set<Socket>();
      const server = createTcpServer((c) => {
        sockets.add(c);
        c.on('close', () => sockets.delete(c));
        c.on('error', () => c.destroy());
        setTimeout(() => c.end(`220 sansang stand-in for ${ascii(s.service.name)}\r\n`), s.delayMs);
      });
      await listenOn(server, s.host, s.port);
      s.close = () => closeServer(server, sockets);
    } else {
      const handler = (req: IncomingMessage, res: ServerResponse) => {
        setTimeout(() => {
          res.setHeader('X-Sansang-Stand-In', s.service.id);
          const route = s.routes.get(req.url ?? '/');
          if (route && this.brokenUrls.has(`${req.headers.host ?? ''}${req.url ?? '/'}`)) {
            res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
            res.end('not found: this mapping was broken by a demo fault\n');
          } else if (route) {
            res.writeHead(route.status, {
              'Content-Type': 'text/plain; charset=utf-8',
              ...(route.location ? { Location: route.location } : {}),
            });
            res.end(route.body ?? `sansang stand-in for ${s.service.name}\n`);
          } else if (s.redirectOrigin) {
            res.writeHead(s.status, { Location: `${s.redirectOrigin}${req.url ?? '/'}` });
            res.end();
          } else {
            res.writeHead(s.status, { 'Content-Type': s.body?.startsWith('{') ? 'application/json' : 'text/plain; charset=utf-8' });
            res.end(s.body ?? `sansang stand-in for ${s.service.name}\n`);
          }
        }, s.delayMs);
      };
      if (s.kind === 'https' && !this.tls) throw new Error(`stand-in for ${s.service.id} needs the demo CA's certificate`);
      const server: HttpServer =
        s.kind === 'https' ? createHttpsServer({ cert: this.tls!.cert, key: this.tls!.key }, handler) : createHttpServer(handler);
      server.keepAliveTimeout = 1000;
      await listenOn(server, s.host, s.port);
      s.close = async () => {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      };
    }
    s.running = true;
  }
}

export function isLoopback(host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::1' || host === 'localhost';
}

function ascii(s: string): string {
  return s.normalize('NFD').replace(/[^\x20-\x7e]/g, '');
}

function listenOn(server: TcpServer | HttpServer, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new InputError(`${host}:${port} is already in use: is another demo running? (stop it, or free the port)`)
          : e,
      );
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
}

function closeServer(server: TcpServer, sockets: Set<Socket>): Promise<void> {
  for (const c of sockets) c.destroy();
  return new Promise((r) => server.close(() => r()));
}

function closeUdp(sock: UdpSocket): Promise<void> {
  return new Promise((r) => sock.close(() => r()));
}

/** A JSON document with `equals` at `path` (`status`, `data.items[0].state`): what an API stand-in answers. */
export function jsonWith(path: string, equals: unknown): unknown {
  const steps = path.replace(/^\$\.?/, '').match(/[^.[\]]+|\[\d+\]/g) ?? [];
  const root: Record<string, unknown> = {};
  let cur: Record<string | number, unknown> | unknown[] = root;
  steps.forEach((step, i) => {
    const key: string | number = step.startsWith('[') ? Number(step.slice(1, -1)) : step;
    const last = i === steps.length - 1;
    const nextIsIndex = !last && steps[i + 1]!.startsWith('[');
    const value = last ? equals : nextIsIndex ? [] : {};
    (cur as Record<string | number, unknown>)[key] = value;
    if (!last) cur = value as Record<string, unknown>;
  });
  return root;
}
