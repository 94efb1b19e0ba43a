// Filesystem sizes from `df`, read asynchronously. systeminformation's fsSize() gives the same
// figures but first runs `cat /proc/mounts` through execSync on every call, which blocks the
// event loop (and so a waiting scrape) for several milliseconds each round; its `rw` flag, the
// only thing that read is for, is not used here. Parsing and the ZFS correction follow
// systeminformation 5 (lib/filesystem.js) so the figures are unchanged.
import { execFile } from 'node:child_process';

export interface DfRow {
  fs: string;
  type: string;
  size: number;
  available: number;
  mount: string;
}

const DF_TIMEOUT_MS = 10_000;

function run(cmd: string, args: string[]): Promise<{ stdout: string; failed: boolean }> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 1024 * 1024, timeout: DF_TIMEOUT_MS, encoding: 'utf8' },
      (error, stdout) => resolve({ stdout: stdout ?? '', failed: !!error }),
    );
  });
}

/** `df -kPT` output to rows: the device and the mount point may hold spaces, so parsing anchors on the numbers. */
export function parseDf(stdout: string): DfRow[] {
  const lines = stdout.split('\n').slice(1).filter((l) => !l.toLowerCase().startsWith('filesystem'));
  const rows: DfRow[] = [];
  for (const line of lines) {
    const m = /^(.+?)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(?:\d+%|-)\s+(.+)$/.exec(line.trim());
    if (!m) continue;
    const row = { fs: m[1]!, type: m[2]!, size: Number(m[3]) * 1024, available: Number(m[5]) * 1024, mount: m[6]! };
    if (!rows.some((r) => r.fs === row.fs && r.type === row.type && r.mount === row.mount)) rows.push(row);
  }
  return rows;
}

/** ZFS datasets share their pool: `zfs list` knows a dataset's real usage, df does not. */
async function applyZfsUsage(rows: DfRow[]): Promise<void> {
  if (!rows.some((r) => r.type === 'zfs')) return;
  const { stdout, failed } = await run('zfs', ['list', '-H', '-p', '-o', 'name,used,avail,mountpoint']);
  if (failed) return; // a partial listing would correct only some datasets: correct none
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

/** Every mounted filesystem but squashfs images, as `df` sees them. */
export async function diskFree(): Promise<DfRow[]> {
  const first = await run('df', ['-kPTx', 'squashfs']);
  let stdout = first.stdout;
  let rows = parseDf(stdout);
  // As systeminformation: nothing usable (busybox df knows no -x): fall back to a plain listing.
  if (!((!first.failed || rows.length) && stdout.trim())) {
    ({ stdout } = await run('df', ['-kPT']));
    rows = parseDf(stdout);
  }
  await applyZfsUsage(rows);
  return rows;
}
