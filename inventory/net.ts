// Address checks and arithmetic for the inventory. Every string a probe will later hand to a
// socket or to the system `ping` passes `isSafeTarget` here first: the `ping` package passes
// its target to the binary's argument list, and a target starting with `-` becomes an option.
import { isIP } from 'node:net';

export function isIp(s: string): boolean {
  return isIP(s) !== 0;
}

export function isIpv4(s: string): boolean {
  return isIP(s) === 4;
}

const label = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** RFC 1123 hostname: labels of letters, digits and inner hyphens; not all-numeric at the top. */
export function isHostname(s: string): boolean {
  if (s.length === 0 || s.length > 253) return false;
  const name = s.endsWith('.') ? s.slice(0, -1) : s;
  const labels = name.split('.');
  if (!labels.every((l) => label.test(l))) return false;
  // "1.2.3" is not a hostname; "localhost" is.
  return !/^\d+$/.test(labels[labels.length - 1] ?? '');
}

/** A probe target: a hostname or an IP literal, nothing a shell or an option parser could read. */
export function isSafeTarget(s: string): boolean {
  if (s.length === 0 || s.length > 253) return false;
  if (s.startsWith('-') || /[\s;&|`$<>(){}[\]'"\\*?!#~%^,]/.test(s)) return false;
  return isIp(s) || isHostname(s);
}

/** http(s) URL whose host is a safe target; user info is refused (it would leak into logs). */
export function isSafeUrl(s: string): boolean {
  if (/\s/.test(s) || s.startsWith('-')) return false;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
  if (u.username || u.password) return false;
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return isSafeTarget(host);
}

// ---------------------------------------------------------------- IPv4 subnets

export interface Cidr4 {
  base: number; // network address as an unsigned 32-bit number
  prefix: number;
}

export function ipv4ToNumber(ip: string): number {
  const parts = ip.split('.').map(Number);
  return (((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!) >>> 0;
}

export function numberToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses a CIDR; IPv6 subnets are accepted by `isCidr` but not by the address plan. */
export function parseCidr4(s: string): Cidr4 | null {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(s);
  if (!m || !isIpv4(m[1]!)) return null;
  const prefix = Number(m[2]);
  if (prefix > 32) return null;
  return { base: (ipv4ToNumber(m[1]!) & maskOf(prefix)) >>> 0, prefix };
}

export function isCidr(s: string): boolean {
  if (parseCidr4(s)) return true;
  const m = /^([0-9a-fA-F:]+)\/(\d{1,3})$/.exec(s);
  return !!m && isIP(m[1]!) === 6 && Number(m[2]) <= 128;
}

export function formatCidr4(c: Cidr4): string {
  return `${numberToIpv4(c.base)}/${c.prefix}`;
}

export function cidrSize(c: Cidr4): number {
  return 2 ** (32 - c.prefix);
}

export function cidrContains(c: Cidr4, ip: string): boolean {
  if (!isIpv4(ip)) return false;
  return (ipv4ToNumber(ip) & maskOf(c.prefix)) >>> 0 === c.base;
}

export function cidrsOverlap(a: Cidr4, b: Cidr4): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return (a.base & maskOf(p)) >>> 0 === (b.base & maskOf(p)) >>> 0;
}

/** The n-th subnet of size /prefix inside `within`. */
export function nthSubnet(within: Cidr4, prefix: number, n: number): Cidr4 {
  return { base: (within.base + n * 2 ** (32 - prefix)) >>> 0, prefix };
}

/** The n-th address of a subnet (1 is the first host of a network). */
export function nthAddress(c: Cidr4, n: number): string {
  return numberToIpv4((c.base + n) >>> 0);
}

/** The address as a /32 (IPv4) block, or null for IPv6 and hostnames. */
export function hostBlock(ip: string): Cidr4 | null {
  return isIpv4(ip) ? { base: ipv4ToNumber(ip), prefix: 32 } : null;
}

/** Whether an address, a subnet, a URL or a hostname points at this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopback(s: string): boolean {
  const host = (() => {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return s;
    try {
      return new URL(s).hostname;
    } catch {
      return s;
    }
  })()
    .replace(/^\[|\]$/g, '')
    .toLowerCase();
  const net = parseCidr4(host);
  if (net) return cidrsOverlap(net, LOOPBACK4);
  const ip = host.replace(/\/\d+$/, '');
  if (isIpv4(ip)) return cidrContains(LOOPBACK4, ip);
  if (isIP(ip) === 6) return /^(0*:)*:?0*1$/.test(ip) || /^::ffff:127\./.test(ip);
  return host === 'localhost' || host.endsWith('.localhost');
}

const LOOPBACK4: Cidr4 = { base: 0x7f000000, prefix: 8 };

/**
 * The address plan's one rule, for subnets and single addresses alike: each key, in the order
 * given, takes the lowest block of size /prefix in `spaces` (in their order) that overlaps
 * nothing in `taken`. Returns what was allocated and, when the spaces ran out, the first key
 * left without a block.
 */
export function allocateBlocks(
  keys: readonly string[],
  spaces: readonly Cidr4[],
  prefix: number,
  taken: readonly Cidr4[],
): { allocated: Map<string, Cidr4>; exhaustedAt?: string } {
  const allocated = new Map<string, Cidr4>();
  // Single addresses are looked up by number; larger blocks are compared one by one.
  const usedHosts = new Set(taken.filter((t) => t.prefix === 32).map((t) => t.base));
  const usedNets = taken.filter((t) => t.prefix !== 32);
  const free = (c: Cidr4) =>
    !usedNets.some((t) => cidrsOverlap(t, c)) &&
    (c.prefix === 32 ? !usedHosts.has(c.base) : ![...usedHosts].some((h) => cidrsOverlap({ base: h, prefix: 32 }, c)));
  let space = 0;
  let next = 0;
  for (const key of keys) {
    let candidate: Cidr4 | undefined;
    while (!candidate && space < spaces.length) {
      const within = spaces[space]!;
      const slots = within.prefix <= prefix ? cidrSize(within) / 2 ** (32 - prefix) : 0;
      if (next >= slots) {
        space++;
        next = 0;
        continue;
      }
      const c = nthSubnet(within, prefix, next++);
      if (free(c)) candidate = c;
    }
    if (!candidate) return { allocated, exhaustedAt: key };
    allocated.set(key, candidate);
    if (candidate.prefix === 32) usedHosts.add(candidate.base);
    else usedNets.push(candidate);
  }
  return { allocated, exhaustedAt: undefined };
}
