// The host's facts for the hand-over asset list (maker, model, serial, OS, CPU, memory, disks,
// interfaces with MAC addresses): gathered at start and hourly, each call under a timeout, and
// a part that cannot be read is "unknown" rather than a failure of the whole document.
import { readFile, readdir, access } from 'node:fs/promises';
import os from 'node:os';
import si from 'systeminformation';
import { withTimeout } from '../timeout.ts';
import type { HostFacts } from '../../inventory/index.ts';

async function safe<T>(p: () => Promise<T>, ms: number): Promise<T | undefined> {
  try {
    return await withTimeout(Promise.resolve().then(p), ms);
  } catch {
    return undefined;
  }
}

const str = (s: unknown) => (typeof s === 'string' && s.trim() ? s.trim() : 'unknown');

export async function gatherFacts(timeoutMs = 15_000): Promise<HostFacts> {
  const [sys, osi, cpu, mem, disks, ifaces] = await Promise.all([
    safe(() => si.system(), timeoutMs),
    safe(() => si.osInfo(), timeoutMs),
    safe(() => si.cpu(), timeoutMs),
    safe(() => si.mem(), timeoutMs),
    safe(() => si.diskLayout(), timeoutMs),
    safe(() => interfaceFacts(), timeoutMs),
  ]);
  return {
    manufacturer: str(sys?.manufacturer),
    model: str(sys?.model),
    serial: str(sys?.serial),
    os: str(osi?.distro ?? os.type()),
    osVersion: str(osi?.release ?? os.release()),
    hostname: str(osi?.hostname ?? os.hostname()),
    cpu: str(cpu ? `${cpu.manufacturer} ${cpu.brand}` : os.cpus()[0]?.model),
    cores: cpu?.cores ?? os.cpus().length,
    memoryBytes: mem?.total ?? os.totalmem(),
    disks: (disks ?? []).map((d) => ({ name: str(d.device || d.name), model: str(d.name), sizeBytes: Math.max(0, d.size || 0) })),
    interfaces: ifaces ?? [],
    gatheredAt: new Date().toISOString(),
  };
}

/**
 * The network interfaces, read from /sys and os.networkInterfaces(): every interface that is up
 * (as systeminformation lists them) and every physical one that is down, so a NIC whose cable is
 * out still appears in the asset list. Not si.networkInterfaces(): it runs commands through
 * execSync and held the agent's event loop ~90 ms every hour.
 */
export async function interfaceFacts(sysNet = '/sys/class/net'): Promise<HostFacts['interfaces']> {
  const addresses = os.networkInterfaces();
  const names = (await readdir(sysNet)).sort();
  const read = (name: string, file: string) =>
    readFile(`${sysNet}/${name}/${file}`, 'utf8').then(
      (t) => t.trim(),
      () => '',
    );
  const all = await Promise.all(
    names.map(async (name) => {
      const ipv4 = addresses[name]?.find((a) => a.family === 'IPv4')?.address ?? '';
      const physical = await access(`${sysNet}/${name}/device`).then(
        () => true,
        () => false,
      );
      return {
        name,
        mac: await read(name, 'address'),
        ipv4,
        up: (await read(name, 'operstate')) === 'up',
        listed: !!addresses[name] || physical,
      };
    }),
  );
  return all.filter((i) => i.listed).map(({ listed: _, ...i }) => i);
}
