import { describe, expect, it } from 'vitest';
import { diskFree, parseDf } from './df.ts';

describe('df', () => {
  it('parses df -kPT output, devices and mount points with spaces included, duplicates once', () => {
    const out = [
      'Filesystem     Type 1024-blocks    Used Available Capacity Mounted on',
      '/dev/sda1      ext4    1000      400       600      40% /',
      '/dev/sdb1      vfat    2000      500      1500      25% /media/USB STICK',
      '/dev/sda1      ext4    1000      400       600      40% /',
      'garbage line',
    ].join('\n');
    expect(parseDf(out)).toEqual([
      { fs: '/dev/sda1', type: 'ext4', size: 1000 * 1024, available: 600 * 1024, mount: '/' },
      { fs: '/dev/sdb1', type: 'vfat', size: 2000 * 1024, available: 1500 * 1024, mount: '/media/USB STICK' },
    ]);
  });

  it('reads this machine through the real df: the root filesystem is there', async () => {
    const rows = await diskFree();
    const root = rows.find((r) => r.mount === '/');
    expect(root, 'df (coreutils) must list /').toBeDefined();
    expect(root!.size).toBeGreaterThan(0);
    expect(root!.available).toBeLessThanOrEqual(root!.size);
  });
});
