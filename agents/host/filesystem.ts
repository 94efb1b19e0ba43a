// The filesystem collector: size and free space of every local filesystem, from statfs(2)
// (mounts.ts), which the disk item judges.
import { AGENT_METRICS } from '../../inventory/index.ts';
import type { Collector } from './collector.ts';
import { filesystemSizes } from './mounts.ts';

export interface FilesystemUse {
  mountpoint: string;
  fstype: string;
  device: string;
  sizeBytes: number;
  freeBytes: number;
}

/** Types of filesystems that hold local data; pseudo, network and read-only image mounts are left out. */
const LOCAL_FS = /^(ext[234]|xfs|btrfs|zfs|f2fs|jfs|reiserfs|vfat|exfat|ntfs|ntfs3|fuseblk|hfs|hfsplus|apfs)$/i;
const FS_LABELS = ['mountpoint', 'fstype', 'device'];

export const filesystemCollector: Collector = {
  name: 'filesystem',
  metrics: [
    { name: AGENT_METRICS.hostFilesystemSize, help: 'Size of a local filesystem in bytes.', labels: FS_LABELS },
    {
      name: AGENT_METRICS.hostFilesystemFree,
      help: 'Space available to unprivileged users on a local filesystem, in bytes.',
      labels: FS_LABELS,
    },
  ],
  async collect() {
    // Not si.fsSize() nor df: both run a child process every call (see mounts.ts).
    const list = await filesystemSizes((type) => LOCAL_FS.test(type));
    const filesystems: FilesystemUse[] = list
      .filter((f) => f.size > 0)
      .map((f) => ({ mountpoint: f.mount, fstype: f.type, device: f.fs, sizeBytes: f.size, freeBytes: f.available }));
    const samples = filesystems.flatMap((f) => {
      const labels = { mountpoint: f.mountpoint, fstype: f.fstype, device: f.device };
      return [
        { metric: AGENT_METRICS.hostFilesystemSize, labels, value: f.sizeBytes },
        { metric: AGENT_METRICS.hostFilesystemFree, labels, value: f.freeBytes },
      ];
    });
    return { samples, filesystems };
  },
};
