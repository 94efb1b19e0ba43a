// The board's default data dir is a state directory, never the directory it is started from.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir } from './board-commands.ts';

describe('sansang board --data-dir default', () => {
  it("is systemd's state directory, else the XDG state home, else ~/.local/state; never relative", () => {
    expect(defaultDataDir({ STATE_DIRECTORY: '/var/lib/sansang-board:/var/lib/other' })).toBe('/var/lib/sansang-board');
    expect(defaultDataDir({ XDG_STATE_HOME: '/srv/state' })).toBe('/srv/state/sansang/board');
    // A relative XDG_STATE_HOME is invalid by the spec: ignored.
    expect(defaultDataDir({ XDG_STATE_HOME: 'state' })).toBe(join(homedir(), '.local', 'state', 'sansang', 'board'));
    expect(defaultDataDir({})).toBe(join(homedir(), '.local', 'state', 'sansang', 'board'));
  });
});
