// Name resolution shared by the probers: done by us, before any socket or child process, so a
// name that does not resolve is reported as a resolve failure and never as a dead host, and the
// system `ping` only ever receives an IP literal.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ProbeFailure } from './types.ts';

/** The address family of the link's source address decides which family we ask for. */
export async function resolveTarget(host: string, sourceAddress: string): Promise<string> {
  if (isIP(host)) return host;
  const family = isIP(sourceAddress) === 6 ? 6 : 4;
  try {
    const r = await lookup(host, { family });
    return r.address;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new ProbeFailure(`"${host}" does not resolve (${code})`, 'resolve');
  }
}
