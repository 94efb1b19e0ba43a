// Small helpers for writing addresses into configs.
import { isIp } from '../../inventory/index.ts';

/** `host:port`, with brackets around an IPv6 literal. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') && isIp(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

export function isIpv6(ip: string): boolean {
  return ip.includes(':');
}
