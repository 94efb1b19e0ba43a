// Stand-ins for the services an inventory's sites must reach, started on loopback from the
// inventory's own probes: whatever the checklist looks at gets something real to answer it.
// Each one says it is a stand-in (an HTTP header, an SMTP-like banner), and each can be
// stopped, started and slowed down to inject a fault.
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { InputError, type Inventory, type Service } from '../inventory/index.ts';
import { answerDnsQuery } from './dns-answer.ts';

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

  constructor(
    inv: Inventory,
    private readonly tls?: TlsMaterial,
    opts: StandInOptions = {},
  ) {
    const seen = new Set<string>();
    for (const service of inv.services) {
      for (const p of service.probes) {
        let l: Listener | undefined;
        let status = 200;
        let redirectOrigin: string | undefined;
        if (p.kind === 'http') {
          const u = new URL(p.url);
          l = {
            kind: u.protocol === 'https:' ? 'https' : 'http',
            host: u.hostname,
            port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)),
          };
          status = p.expectStatus[0] ?? 200;
          if (p.expectRedirect) redirectOrigin = new URL(p.expectRedirect).origin;
        } else if (p.kind === 'tcp') l = { kind: 'tcp', host: p.host, port: p.port };
        else if (p.kind === 'dns') l = { kind: 'dns', host: p.server, port: p.port };
        if (!l) continue; // ICMP: loopback answers by itself; a kind without a stand-in here has none
        if (!isLoopback(l.host) && !opts.allowAddresses?.includes(l.host))
          throw new Error(`stand-in for ${service.id} would listen on ${l.host}: the demo only uses loopback addresses`);
        const key = `${l.kind === 'dns' ? 'udp' : 'tcp'}:${l.host}:${l.port}`;
        if (seen.has(key)) continue;
        seen.add(key);
        this.items.push({ ...l, service, status, redirectOrigin, running: false, delayMs: 0 });
      }
    }
  }

  list(): readonly Readonly<StandIn>[] {
    return this.items;
  }

  async startAll(): Promise<void> {
    for (const s of this.items) await this.start(s.service.id);
  }

  async stopAll(): Promise<void> {
    for (const s of this.items) await this.stop(s.service.id);
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
          if (s.redirectOrigin) {
            res.writeHead(s.status, { Location: `${s.redirectOrigin}${req.url ?? '/'}` });
            res.end();
          } else {
            res.writeHead(s.status, { 'Content-Type': 'text/plain; charset=utf-8' });
            res.end(`sansang stand-in for ${s.service.name}\n`);
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
