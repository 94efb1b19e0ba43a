// Loopback stand-ins for where Alertmanager delivers: a mail relay (SMTP with AUTH PLAIN/LOGIN),
// Telegram's bot API (any method, answered as Telegram does) and webhook receivers. Each records
// what it received, for tests that count notifications through the real Alertmanager.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Mail {
  user?: string;
  password?: string;
  from: string;
  to: string[];
  data: string;
}

export interface SmtpStandIn {
  port: number;
  mails: Mail[];
  close(): Promise<void>;
}

/** A mail relay on 127.0.0.1 that accepts every message (no TLS: loopback only). */
export async function startSmtpStandIn(): Promise<SmtpStandIn> {
  const mails: Mail[] = [];
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf = '';
    let mail: Mail = { from: '', to: [], data: '' };
    let auth: { user?: string; password?: string } = {};
    let state: 'cmd' | 'data' | 'plain' | 'login-user' | 'login-pass' = 'cmd';
    const say = (line: string) => sock.write(`${line}\r\n`);
    const plain = (b64: string) => {
      const [, user, password] = Buffer.from(b64, 'base64').toString('utf8').split('\0');
      auth = { user: user ?? '', password: password ?? '' };
      say('235 2.7.0 authenticated');
    };
    say('220 smtp-stand-in ESMTP (a stand-in on loopback)');
    sock.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (state === 'data') {
          if (line === '.') {
            mails.push({ ...mail, ...auth });
            mail = { from: '', to: [], data: '' };
            state = 'cmd';
            say('250 2.0.0 queued');
          } else mail.data += `${line.startsWith('..') ? line.slice(1) : line}\n`;
          continue;
        }
        if (state === 'plain') {
          state = 'cmd';
          plain(line);
          continue;
        }
        if (state === 'login-user') {
          auth.user = Buffer.from(line, 'base64').toString('utf8');
          state = 'login-pass';
          say('334 UGFzc3dvcmQ6');
          continue;
        }
        if (state === 'login-pass') {
          auth.password = Buffer.from(line, 'base64').toString('utf8');
          state = 'cmd';
          say('235 2.7.0 authenticated');
          continue;
        }
        const [verb = '', ...rest] = line.split(' ');
        switch (verb.toUpperCase()) {
          case 'EHLO':
            sock.write('250-smtp-stand-in\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n');
            break;
          case 'HELO':
            say('250 smtp-stand-in');
            break;
          case 'AUTH':
            if (rest[0]?.toUpperCase() === 'PLAIN') {
              if (rest[1]) plain(rest[1]);
              else {
                state = 'plain';
                say('334 ');
              }
            } else if (rest[0]?.toUpperCase() === 'LOGIN') {
              state = 'login-user';
              say('334 VXNlcm5hbWU6');
            } else say('504 5.5.4 unrecognised mechanism');
            break;
          case 'MAIL':
            mail.from = line.replace(/^MAIL FROM:\s*/i, '');
            say('250 2.1.0 ok');
            break;
          case 'RCPT':
            mail.to.push(line.replace(/^RCPT TO:\s*/i, ''));
            say('250 2.1.5 ok');
            break;
          case 'DATA':
            state = 'data';
            say('354 end data with <CR><LF>.<CR><LF>');
            break;
          case 'QUIT':
            say('221 2.0.0 bye');
            sock.end();
            break;
          default:
            say('250 ok');
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    mails,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface TelegramCall {
  token: string;
  method: string;
  body: Record<string, unknown>;
}

export interface HttpStandIn<T> {
  url: string;
  calls: T[];
  close(): Promise<void>;
}

async function listen(server: HttpServer): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const closer = (server: HttpServer) => () =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

function readBody(req: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** Telegram's bot API as Alertmanager calls it: POST {api_url}/bot{token}/{method}, answered ok. */
export async function startTelegramStandIn(): Promise<HttpStandIn<TelegramCall>> {
  const calls: TelegramCall[] = [];
  const server = createHttpServer(async (req, res) => {
    const text = await readBody(req);
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
    if (!m) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"ok":false,"error_code":404,"description":"Not Found"}');
      return;
    }
    let body: Record<string, unknown> = {};
    if ((req.headers['content-type'] ?? '').includes('json')) body = JSON.parse(text || '{}') as Record<string, unknown>;
    else body = Object.fromEntries(new URLSearchParams(text));
    calls.push({ token: decodeURIComponent(m[1]!), method: m[2]!, body });
    const chat = { id: Number(body.chat_id ?? 0), type: 'supergroup', title: 'stand-in' };
    const result =
      m[2] === 'getMe'
        ? { id: 1, is_bot: true, first_name: 'stand-in', username: 'standin_bot' }
        : { message_id: calls.length, date: Math.floor(Date.now() / 1000), chat, text: String(body.text ?? '') };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result }));
  });
  return { url: await listen(server), calls, close: closer(server) };
}

export interface WebhookCall {
  /** The path the notification was posted to (one per team in the tests). */
  path: string;
  at: number;
  receiver: string;
  status: string;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

/** Alertmanager's webhook receiver: records every notification, by path. */
export async function startWebhookStandIn(): Promise<HttpStandIn<WebhookCall>> {
  const calls: WebhookCall[] = [];
  const server = createHttpServer(async (req, res) => {
    const msg = JSON.parse((await readBody(req)) || '{}') as Omit<WebhookCall, 'path' | 'at'>;
    calls.push({ path: req.url ?? '/', at: Date.now(), receiver: msg.receiver, status: msg.status, alerts: msg.alerts ?? [] });
    res.end('ok');
  });
  return { url: await listen(server), calls, close: closer(server) };
}
