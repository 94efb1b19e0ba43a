// Name resolution shared by the probers: done by us, before any socket or child process, so a
// name that does not resolve is reported as a resolve failure and never as a dead host, and the
// system `ping` only ever receives an IP literal.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ProbeFailure } from './types.ts';

/** getaddrinfo's answers that mean the name does not exist (the others: no DNS server could be asked). */
const NOT_FOUND = new Set(['ENOTFOUND', 'EAI_NONAME', 'EAI_NODATA']);

/** The address family of the link's source address decides which family we ask for. */
export async function resolveTarget(host: string, sourceAddress: string): Promise<string> {
  if (isIP(host)) return host;
  const family = isIP(sourceAddress) === 6 ? 6 : 4;
  try {
    const r = await lookup(host, { family });
    return r.address;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new ProbeFailure({ kind: 'resolve', name: host, problem: NOT_FOUND.has(code) ? 'not-found' : 'no-server' });
  }
}
