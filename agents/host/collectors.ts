// Host readiness collectors, each isolated (as node_exporter's): each runs under its own
// timeout and reports its own success and duration, so a stuck mount or a slow call fails that
// collector only and never stalls the round or the scrape.
import { readFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import si from 'systeminformation';
import { withTimeout } from '../timeout.ts';
import { filesystemSizes } from './mounts.ts';
import type { CollectorResult } from '../../inventory/index.ts';

export interface Sample {
  metric: string;
  labels: Record<string, string>;
  value: number;
}

export interface FilesystemUse {
  mountpoint: string;
  fstype: string;
  device: string;
  sizeBytes: number;
  freeBytes: number;
}

export interface CollectorOutput {
  samples: Sample[];
  filesystems?: FilesystemUse[];
}

export interface Collector {
  name: string;
  collect(): Promise<CollectorOutput>;
}

/** Types of filesystems that hold local data; pseudo, network and read-only image mounts are left out. */
const LOCAL_FS = /^(ext[234]|xfs|btrfs|zfs|f2fs|jfs|reiserfs|vfat|exfat|ntfs|ntfs3|fuseblk|hfs|hfsplus|apfs)$/i;

export const filesystemCollector: Collector = {
  name: 'filesystem',
  async collect() {
    // Not si.fsSize() nor df: both run a child process every call (see mounts.ts).
    const list = await filesystemSizes((type) => LOCAL_FS.test(type));
    const filesystems: FilesystemUse[] = list
      .filter((f) => f.size > 0)
      .map((f) => ({ mountpoint: f.mount, fstype: f.type, device: f.fs, sizeBytes: f.size, freeBytes: f.available }));
    const samples = filesystems.flatMap((f) => {
      const labels = { mountpoint: f.mountpoint, fstype: f.fstype, device: f.device };
      return [
        { metric: 'sansang_host_filesystem_size_bytes', labels, value: f.sizeBytes },
        { metric: 'sansang_host_filesystem_free_bytes', labels, value: f.freeBytes },
      ];
    });
    return { samples, filesystems };
  },
};

export const memoryCollector: Collector = {
  name: 'memory',
  async collect() {
    const m = await si.mem();
    return {
      samples: [
        { metric: 'sansang_host_memory_total_bytes', labels: {}, value: m.total },
        { metric: 'sansang_host_memory_available_bytes', labels: {}, value: m.available },
      ],
    };
  },
};

export const loadCollector: Collector = {
  name: 'load',
  async collect() {
    const [l1, l5, l15] = os.loadavg();
    return {
      samples: [
        { metric: 'sansang_host_load1', labels: {}, value: l1 ?? 0 },
        { metric: 'sansang_host_load5', labels: {}, value: l5 ?? 0 },
        { metric: 'sansang_host_load15', labels: {}, value: l15 ?? 0 },
        { metric: 'sansang_host_cpus', labels: {}, value: os.cpus().length },
      ],
    };
  },
};

export const networkCollector: Collector = {
  name: 'network',
  // Read from /sys rather than systeminformation's networkInterfaces(), which costs far more per round.
  async collect() {
    const names = await readdir('/sys/class/net');
    const samples = await Promise.all(
      names.map(async (name) => {
        const state = (await readFile(`/sys/class/net/${name}/operstate`, 'utf8').catch(() => 'unknown')).trim();
        // Loopback reports "unknown" while working.
        return {
          metric: 'sansang_host_network_up',
          labels: { interface: name },
          value: state === 'up' || (name === 'lo' && state === 'unknown') ? 1 : 0,
        };
      }),
    );
    return { samples };
  },
};

/** A default route in either family, read from the kernel's tables. */
export async function hasDefaultRoute(): Promise<boolean> {
  const v4 = await readFile('/proc/net/route', 'utf8').catch(() => '');
  if (
    v4
      .split('\n')
      .slice(1)
      .some((l) => l.split(/\s+/)[1] === '00000000')
  )
    return true;
  const v6 = await readFile('/proc/net/ipv6_route', 'utf8').catch(() => '');
  return v6.split('\n').some((l) => {
    const f = l.trim().split(/\s+/);
    return f[0] === '00000000000000000000000000000000' && f[1] === '00' && f[9] !== 'lo';
  });
}

export const routeCollector: Collector = {
  name: 'route',
  async collect() {
    return { samples: [{ metric: 'sansang_host_default_route_present', labels: {}, value: (await hasDefaultRoute()) ? 1 : 0 }] };
  },
};

export const uptimeCollector: Collector = {
  name: 'uptime',
  async collect() {
    const up = os.uptime();
    return {
      samples: [
        { metric: 'sansang_host_uptime_seconds', labels: {}, value: up },
        { metric: 'sansang_host_boot_time_seconds', labels: {}, value: Math.round(Date.now() / 1000 - up) },
      ],
    };
  },
};

export const defaultCollectors: readonly Collector[] = [
  filesystemCollector,
  memoryCollector,
  loadCollector,
  networkCollector,
  routeCollector,
  uptimeCollector,
];

export interface CollectorRun {
  result: CollectorResult;
  output?: CollectorOutput;
}

/** Runs one collector; a throw or a hang becomes that collector's failure with a reason. */
export async function runCollector(c: Collector, timeoutMs: number): Promise<CollectorRun> {
  const t0 = performance.now();
  try {
    const output = await withTimeout(
      Promise.resolve().then(() => c.collect()),
      timeoutMs,
    );
    return { result: { collector: c.name, success: true, durationSeconds: (performance.now() - t0) / 1000 }, output };
  } catch (e) {
    return {
      result: {
        collector: c.name,
        success: false,
        durationSeconds: (performance.now() - t0) / 1000,
        error: (e as Error)?.message ?? String(e),
      },
    };
  }
}
