// The state of a link on this machine, before and after a probe: a link whose interface has lost
// its carrier (a cable pulled, a modem switched off, the far end of a veth down), whose
// interface is gone (a 4G stick pulled out) or whose address is no longer assigned fails at once
// and says so, instead of waiting for the neighbour entry to fail (about 3 s on Linux) or for its
// own deadline: the technician reads "interface eth1 has no carrier" or "assign 10.1.2.3 to
// eth1", not "no answer within 4 s". Anything unknown (an address never seen on an interface, no
// sysfs) means "don't know", and the probe runs as usual.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { Cause, LinkName } from '../../inventory/index.ts';

/** operstate values (RFC 2863) under which nothing leaves the interface. */
const DEAD = new Set(['down', 'lowerlayerdown', 'notpresent']);
const SAFE_NAME = /^[\w.:@-]{1,15}$/;

/**
 * The interface each source address was last seen on. Node lists only interfaces that are up and
 * running, so an address is remembered from when its link worked: a link that goes down drops
 * out of the list, and its remembered interface is then read from sysfs.
 */
const seenOn = new Map<string, string>();
/** The addresses on interfaces that are up now. */
let current = new Set<string>();
let refreshedAt = -Infinity;

function refresh(now: number, force: boolean): void {
  if (!force && now - refreshedAt < 1000) return;
  refreshedAt = now;
  const addresses = new Set<string>();
  for (const [name, addrs] of Object.entries(networkInterfaces()))
    for (const a of addrs ?? []) {
      seenOn.set(a.address, name);
      addresses.add(a.address);
    }
  current = addresses;
}

let learntAt = -Infinity;

/**
 * Learns which interface carries each address, down ones included, from `ip -j addr` (Node's
 * list has only the interfaces that are up): at the agent's start, when a link that never
 * worked fails. One short child process, at most once a minute; nothing when `ip` is missing.
 */
export function learnInterfaces(now = performance.now()): Promise<void> {
  if (now - learntAt < 60_000) return Promise.resolve();
  learntAt = now;
  return new Promise((resolve) => {
    execFile('ip', ['-j', 'addr', 'show'], { timeout: 2000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout) => {
      if (!err) {
        try {
          const links = JSON.parse(stdout) as { ifname?: string; addr_info?: { local?: string }[] }[];
          for (const l of links)
            for (const a of l.addr_info ?? []) if (l.ifname && a.local && !seenOn.has(a.local)) seenOn.set(a.local, l.ifname);
        } catch {
          // not what `ip -j` prints: nothing learnt
        }
      }
      resolve();
    });
  });
}

/** The interface a source address was last seen on, if ever. */
export function interfaceOf(sourceAddress: string): string | undefined {
  const ifname = seenOn.get(sourceAddress);
  return ifname && SAFE_NAME.test(ifname) ? ifname : undefined;
}

/** Each interface's operstate, read at most every OPERSTATE_MS (a probe every 100 ms need not read sysfs each time). */
const OPERSTATE_MS = 250;
const states = new Map<string, { at: number; state: string | null }>();

function operstate(ifname: string, now: number, fresh: boolean): string | null {
  const known = states.get(ifname);
  if (!fresh && known && now - known.at < OPERSTATE_MS) return known.state;
  let state: string | null;
  try {
    state = readFileSync(`/sys/class/net/${ifname}/operstate`, 'utf8').trim();
  } catch {
    state = null;
  }
  states.set(ifname, { at: now, state });
  return state;
}

/**
 * Why nothing can leave over the link with this source address, or null when it may work.
 * `fresh` reads the interfaces again now (after a failure) instead of within the last second.
 */
export function linkProblem(sourceAddress: string, link: LinkName, fresh = false, now = performance.now()): Cause | null {
  refresh(now, fresh);
  const ifname = interfaceOf(sourceAddress);
  if (!ifname) return null;
  if (current.has(sourceAddress)) {
    const state = operstate(ifname, now, fresh);
    return state && DEAD.has(state) ? { kind: 'link-down', link, iface: ifname } : null;
  }
  // The address is on no interface that is up: the interface lost its carrier, is gone, or the
  // address was taken off it.
  if (!existsSync('/sys/class/net')) return null;
  const state = operstate(ifname, now, fresh);
  if (state === null) return { kind: 'interface-gone', link, iface: ifname, address: sourceAddress };
  if (DEAD.has(state)) return { kind: 'link-down', link, iface: ifname };
  return { kind: 'no-address', link, address: sourceAddress, iface: ifname };
}
