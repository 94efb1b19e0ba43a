// Filesystem sizes without a child process: the mount table from /proc/self/mountinfo and each
// filesystem's figures from statfs(2), as `df` gets them (size = blocks × block size, available =
// blocks available to unprivileged users). Running `df` every tick forked the agent (3–10 ms of
// its event loop, which a waiting scrape felt) and cost a child process' CPU every tick.
//
// A statfs that never returns (a dying disk) holds one thread of libuv's small pool: a mount
// point whose statfs is still pending is not asked again, its pending call is awaited instead,
// so a stuck mount costs one thread, not one more every tick (the collector's timeout reports it).
import { execFile } from 'node:child_process';
import { readFile, statfs } from 'node:fs/promises';

export interface FsRow {
  /** The device or source, as df prints it. */
  fs: string;
  type: string;
  size: number;
  available: number;
  mount: string;
}

export interface MountEntry {
  /** major:minor, the same for every mount of one filesystem. */
  device: string;
  /** The directory of the filesystem mounted here (not "/" for a bind mount of a subdirectory). */
  root: string;
  mount: string;
  type: string;
  source: string;
}

/** mountinfo escapes space, tab, newline and backslash as octal (\040 …). */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** /proc/self/mountinfo (proc(5)) to entries; malformed lines are skipped. */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    if (f.length < 10 || sep < 0 || sep + 2 >= f.length) continue;
    out.push({ device: f[2]!, root: unescape(f[3]!), mount: unescape(f[4]!), type: f[sep + 1]!, source: unescape(f[sep + 2]!) });
  }
  return out;
}

/**
 * One entry per filesystem, as df lists them: of several mounts of one device, the whole
 * filesystem (root "/") rather than a bind mount of a part, then the shortest mount point.
 */
export function onePerFilesystem(entries: readonly MountEntry[]): MountEntry[] {
  const best = new Map<string, MountEntry>();
  for (const e of entries) {
    const b = best.get(e.device);
    const better = !b || (e.root === '/' && b.root !== '/') || ((e.root === '/') === (b.root === '/') && e.mount.length < b.mount.length);
    if (better) best.set(e.device, e);
  }
  return [...best.values()];
}

type Size = { size: number; available: number } | null;
const pending = new Map<string, Promise<Size>>();

/** statfs of one mount point; null when it cannot be read (gone since, or not ours to read). */
function sizeOf(mount: string): Promise<Size> {
  let p = pending.get(mount);
  if (!p) {
    p = statfs(mount).then(
      (s) => ({ size: s.blocks * s.bsize, available: s.bavail * s.bsize }),
      () => null,
    );
    void p.finally(() => pending.delete(mount));
    pending.set(mount, p);
  }
  return p;
}

/**
 * Every mounted filesystem whose type `wanted` accepts, with its size and free space. A mount
 * point statfs refuses (unmounted since, a FUSE mount of another user) is left out, as df leaves
 * it out with a message; one that hangs keeps the collector waiting until its timeout.
 */
export async function filesystemSizes(wanted: (type: string) => boolean, mountinfo = '/proc/self/mountinfo'): Promise<FsRow[]> {
  const entries = onePerFilesystem(parseMountinfo(await readFile(mountinfo, 'utf8')).filter((e) => wanted(e.type)));
  const sized = await Promise.all(entries.map(async (e) => ({ e, size: await sizeOf(e.mount) })));
  const rows = sized.flatMap(({ e, size }) => (size ? [{ fs: e.source, type: e.type, mount: e.mount, ...size }] : []));
  await applyZfsUsage(rows);
  return rows;
}

/** ZFS datasets share their pool: `zfs list` knows a dataset's real usage, statfs does not (as systeminformation 5). */
async function applyZfsUsage(rows: FsRow[]): Promise<void> {
  if (!rows.some((r) => r.type === 'zfs')) return;
  const stdout = await new Promise<string | null>((resolve) =>
    execFile(
      'zfs',
      ['list', '-H', '-p', '-o', 'name,used,avail,mountpoint'],
      { env: { ...process.env, LC_ALL: 'C' }, timeout: 10_000, encoding: 'utf8' },
      (error, out) => resolve(error ? null : out),
    ),
  );
  if (stdout === null) return; // a partial listing would correct only some datasets: correct none
  const byName = new Map<string, { used: number; available: number }>();
  const byMount = new Map<string, { used: number; available: number }>();
  for (const line of stdout.split('\n')) {
    const p = line.split('\t');
    if (p.length < 4) continue;
    const e = { used: parseInt(p[1]!, 10), available: parseInt(p[2]!, 10) };
    if (Number.isNaN(e.used) || Number.isNaN(e.available)) continue;
    byName.set(p[0]!, e);
    const mount = p[3]!.trim();
    if (mount.startsWith('/') && !byMount.has(mount)) byMount.set(mount, e);
  }
  for (const r of rows) {
    if (r.type !== 'zfs') continue;
    const d = byName.get(r.fs) ?? byMount.get(r.mount);
    if (!d || !(d.used + d.available)) continue;
    r.available = d.available;
    r.size = d.used + d.available;
  }
}
