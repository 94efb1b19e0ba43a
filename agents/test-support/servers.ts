// Real listeners on loopback for the agent's tests and the bench: HTTP (200, 500, slow,
// redirect), HTTPS with a short-lived certificate made by openssl, a TCP listener, a DNS server.
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeName, readHeader } from '../probes/dns-wire.ts';

export interface Stand {
  port: number;
  close(): Promise<void>;
}

function closeServer(s: net.Server): Promise<void> {
  return new Promise((r) => {
    (s as http.Server).closeAllConnections?.();
    s.close(() => r());
  });
}

const handler: http.RequestListener = (req, res) => {
  const u = new URL(req.url ?? '/', 'http://x');
  if (u.pathname === '/ok') res.writeHead(200).end('ok');
  else if (u.pathname === '/fail') res.writeHead(500).end('fail');
  else if (u.pathname === '/slow') setTimeout(() => res.writeHead(200).end('late'), 30_000).unref();
  else if (u.pathname === '/old') res.writeHead(301, { location: `https://new.example.test${u.pathname}${u.search}` }).end();
  else res.writeHead(404).end();
};

export async function httpStand(host = '127.0.0.1'): Promise<Stand> {
  const s = http.createServer(handler);
  await new Promise<void>((r) => s.listen(0, host, r));
  return { port: (s.address() as AddressInfo).port, close: () => closeServer(s) };
}

export interface TlsMaterial {
  certFile: string;
  keyFile: string;
  dir: string;
  cleanup(): void;
}

/** A self-signed certificate for `name` and 127.0.0.1, valid for `days`, made with openssl. */
export function makeCertificate(name: string, days: number): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'sansang-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        String(days),
        '-subj',
        `/CN=${name}`,
        '-addext',
        `subjectAltName=DNS:${name},IP:127.0.0.1`,
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'pipe' },
    );
  } catch (e) {
    throw new Error(`openssl failed (install the Debian package openssl): ${(e as Error).message}`);
  }
  return { certFile, keyFile, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function httpsStand(tls: TlsMaterial, host = '127.0.0.1'): Promise<Stand> {
  const s = https.createServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, handler);
  await new Promise<void>((r) => s.listen(0, host, r));
  return { port: (s.address() as AddressInfo).port, close: () => closeServer(s) };
}

export async function tcpStand(host = '127.0.0.1'): Promise<Stand> {
  const s = net.createServer((c) => c.end());
  await new Promise<void>((r) => s.listen(0, host, r));
  return { port: (s.address() as AddressInfo).port, close: () => closeServer(s) };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(host = '127.0.0.1'): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, host, r));
  const port = (s.address() as AddressInfo).port;
  await closeServer(s);
  return port;
}

/** A DNS server answering A queries for the names given (NXDOMAIN otherwise); counts queries. */
export async function dnsStand(names: Record<string, string>, host = '127.0.0.1'): Promise<Stand & { queries: number }> {
  const sock = createSocket('udp4');
  const stand = { port: 0, queries: 0, close: () => new Promise<void>((r) => sock.close(() => r())) };
  sock.on('message', (msg, rinfo) => {
    stand.queries++;
    const h = readHeader(msg);
    if (!h) return;
    // Read the question name.
    const labels: string[] = [];
    let i = 12;
    while (i < msg.length && msg[i]! > 0) {
      labels.push(msg.subarray(i + 1, i + 1 + msg[i]!).toString('ascii'));
      i += msg[i]! + 1;
    }
    const question = msg.subarray(12, i + 5);
    const ip = names[labels.join('.').toLowerCase()];
    const head = Buffer.alloc(12);
    head.writeUInt16BE(h.id, 0);
    head.writeUInt16BE(0x8180 | (ip ? 0 : 3), 2);
    head.writeUInt16BE(1, 4);
    head.writeUInt16BE(ip ? 1 : 0, 6);
    const parts: Buffer[] = [head, question];
    if (ip) {
      const rr = Buffer.alloc(14);
      rr.writeUInt16BE(1, 0); // A
      rr.writeUInt16BE(1, 2); // IN
      rr.writeUInt32BE(60, 4);
      rr.writeUInt16BE(4, 8);
      ip.split('.').forEach((o, k) => rr.writeUInt8(Number(o), 10 + k));
      parts.push(encodeName(labels.join('.')), rr);
    }
    sock.send(Buffer.concat(parts), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, host, r));
  stand.port = sock.address().port;
  return stand;
}
