// The data center's side of the lab tests, run inside its namespace (`ip netns exec DC node
// --import tsx far-side.ts CERT KEY [ADDRESS]`): real listeners for every probe kind on the
// services address (the mail servers are the demo's mail stand-in), and beside them the servers that hang: a TCP server that accepts and never
// sends a byte (a TLS handshake that stalls, an HTTP request never answered) and a DNS server
// that never answers. Prints the ports as one JSON line once everything listens; stops on SIGTERM.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { MailStandIn } from '../../demo/mail-standin.ts';
import { dnsStand, httpStand, httpsStand, tcpStand, type TlsMaterial } from '../../agents/test-support/servers.ts';

const [certFile, keyFile, up = '198.18.9.1'] = process.argv.slice(2);
if (!certFile || !keyFile) throw new Error('usage: far-side.ts CERT KEY [ADDRESS]');
const tls: TlsMaterial = { certFile, keyFile, dir: '', cleanup: () => undefined };

const http = await httpStand(up);
const https = await httpsStand(tls, up);
const tcp = await tcpStand(up);
const dns = await dnsStand({ 'portal.test': up }, up);
// SMTP, IMAP and POP3 with STARTTLS; mail to old.test is forwarded to the canary's mailbox at new.test.
const mail = new MailStandIn({
  host: up,
  listeners: [
    { port: 0, protocol: 'smtp', security: 'starttls' },
    { port: 0, protocol: 'imap', security: 'starttls' },
    { port: 0, protocol: 'pop3', security: 'starttls' },
  ],
  tls: { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') },
  forwarding: { 'old.test': 'new.test' },
  users: { 'canary@new.test': 'canary-password' },
  name: 'portal.test',
});
await mail.start();
const [smtp, imap, pop3] = mail.ports();

// Accepts, reads, never writes: every socket is kept open until the process ends.
const held = new Set<Socket>();
const stall = createServer((c) => {
  held.add(c);
  c.on('error', () => c.destroy());
  c.on('close', () => held.delete(c));
  c.resume();
});
await new Promise<void>((r) => stall.listen(0, up, r));
const silent = createSocket('udp4');
silent.on('message', () => undefined);
await new Promise<void>((r) => silent.bind(0, up, r));

const ports = {
  http: http.port,
  https: https.port,
  tcp: tcp.port,
  dns: dns.port,
  smtp,
  imap,
  pop3,
  stall: (stall.address() as { port: number }).port,
  silentDns: silent.address().port,
};
process.stdout.write(`${JSON.stringify(ports)}\n`);
process.on('SIGTERM', () => process.exit(0));
