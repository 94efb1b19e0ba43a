import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesystemSizes, onePerFilesystem, parseMountinfo } from './mounts.ts';

const MOUNTINFO = [
  '22 27 0:21 / /proc rw,relatime - proc proc rw',
  '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard',
  '60 27 254:0 /srv/data /mnt/bind rw,relatime - ext4 /dev/vda rw',
  '61 27 8:17 / /media/USB\\040STICK rw,relatime shared:5 master:1 - vfat /dev/sdb1 rw',
  '62 27 8:17 / /m rw,relatime - vfat /dev/sdb1 rw',
  'garbage line',
].join('\n');

describe('mounts', () => {
  it('parses mountinfo: optional fields, octal escapes, garbage skipped', () => {
    const e = parseMountinfo(MOUNTINFO);
    expect(e).toHaveLength(5);
    expect(e[3]).toEqual({ device: '8:17', root: '/', mount: '/media/USB STICK', type: 'vfat', source: '/dev/sdb1' });
    expect(e[2]).toMatchObject({ root: '/srv/data', mount: '/mnt/bind' });
  });

  it('keeps one mount per filesystem: the whole filesystem over a bind mount, then the shortest path', () => {
    const one = onePerFilesystem(parseMountinfo(MOUNTINFO));
    expect(one.map((e) => e.mount).sort()).toEqual(['/', '/m', '/proc']);
  });

  it('gives the figures df gives for this machine, without running df', async () => {
    const rows = await filesystemSizes((t) => t === 'ext4' || t === 'xfs' || t === 'btrfs' || t === 'overlay');
    const root = rows.find((r) => r.mount === '/');
    expect(root, 'the root filesystem is listed').toBeDefined();
    // df -kP: 1024-byte blocks; free space moves between the two reads, size does not.
    const line = execFileSync('df', ['-kP', '/'], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } })
      .trim()
      .split('\n')[1]!;
    const [, sizeK, , availK] = line.split(/\s+/).map(Number);
    expect(Math.round(root!.size / 1024)).toBe(sizeK);
    expect(Math.abs(root!.available / 1024 - availK!)).toBeLessThan(64 * 1024);
  });

  it('leaves out a mount point statfs cannot read, as df does, and keeps the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mounts-'));
    try {
      const info = join(dir, 'mountinfo');
      writeFileSync(info, `27 1 254:0 / / rw - ext4 /dev/vda rw\n90 1 8:1 / ${dir}/gone rw - ext4 /dev/sdz1 rw\n`);
      const rows = await filesystemSizes(() => true, info);
      expect(rows.map((r) => r.mount)).toEqual(['/']);
      expect(rows[0]!.size).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
