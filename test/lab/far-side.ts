// The data center's side of the lab tests, run inside its namespace (`ip netns exec DC node
// --import tsx far-side.ts CERT KEY [ADDRESS]`): real listeners for every probe kind on the
// services address, and beside them the servers that hang: a TCP server that accepts and never
// sends a byte (a TLS handshake that stalls, an HTTP request never answered) and a DNS server
// that never answers. Prints the ports as one JSON line once everything listens; stops on SIGTERM.
import { createSocket } from 'node:dgram';
import { createServer, type Socket } from 'node:net';
import { dnsStand, httpStand, httpsStand, tcpStand, type TlsMaterial } from '../../agents/test-support/servers.ts';

const [certFile, keyFile, up = '198.18.9.1'] = process.argv.slice(2);
if (!certFile || !keyFile) throw new Error('usage: far-side.ts CERT KEY [ADDRESS]');
const tls: TlsMaterial = { certFile, keyFile, dir: '', cleanup: () => undefined };

const http = await httpStand(up);
const https = await httpsStand(tls, up);
const tcp = await tcpStand(up);
const dns = await dnsStand({ 'portal.test': up }, up);

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
  stall: (stall.address() as { port: number }).port,
  silentDns: silent.address().port,
};
process.stdout.write(`${JSON.stringify(ports)}\n`);
process.on('SIGTERM', () => process.exit(0));
