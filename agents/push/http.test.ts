// One exchange with a receiver never throws: every failure, down to an option Node refuses before
// sending anything, is an answer with status 0 that the sender backs off from.
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange } from './http.ts';

let silent: net.Server;
const held = new Set<net.Socket>();
let silentPort = 0;
let closedPort = 0;

beforeAll(async () => {
  // Accepts and never answers (a stalled receiver).
  silent = net.createServer((socket) => {
    held.add(socket);
    socket.on('error', () => {});
    // Reads (so it sees the other side go) and never answers.
    socket.resume();
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentPort = (silent.address() as AddressInfo).port;
  // A port that was just free: refused.
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
});
afterAll(async () => {
  // The stalled receiver's connections are ours to end: close() alone waits for them.
  for (const socket of held) socket.destroy();
  await new Promise((r) => silent.close(r));
});

describe('exchange', () => {
  it('a source address Node will not take is an answer, not a rejection', async () => {
    const r = await exchange(new URL(`http://127.0.0.1:${closedPort}/`), {
      method: 'POST',
      headers: {},
      body: Buffer.from('x'),
      localAddress: 'not-an-address',
      timeoutMs: 1000,
    });
    expect(r).toMatchObject({ status: 0, error: expect.stringMatching(/not-an-address/) });
  });

  it('refused, and a receiver that never answers, are answers with status 0', async () => {
    const refused = await exchange(new URL(`http://127.0.0.1:${closedPort}/`), { method: 'GET', headers: {}, timeoutMs: 1000 });
    expect(refused).toMatchObject({ status: 0, error: 'ECONNREFUSED' });
    const stalled = await exchange(new URL(`http://127.0.0.1:${silentPort}/`), { method: 'GET', headers: {}, timeoutMs: 300 });
    expect(stalled).toMatchObject({ status: 0, error: 'no answer within 300 ms' });
    // And it lets go of its connection: the receiver sees it closed.
    for (let i = 0; i < 40 && [...held].some((s) => !s.closed); i++) await new Promise((r) => setTimeout(r, 50));
    expect([...held].every((s) => s.closed)).toBe(true);
  });
});
