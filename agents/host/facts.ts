// The host's facts for the hand-over asset list (maker, model, serial, OS, CPU, memory, disks,
// interfaces with MAC addresses): gathered at start and hourly, each call under a timeout, and
// a part that cannot be read is "unknown" rather than a failure of the whole document.
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
    safe(() => si.networkInterfaces(), timeoutMs),
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
    interfaces: (ifaces ?? []).map((i) => ({ name: str(i.iface), mac: i.mac || '', ipv4: i.ip4 || '', up: i.operstate === 'up' })),
    gatheredAt: new Date().toISOString(),
  };
}
