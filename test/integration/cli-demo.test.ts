// `sansang demo fault` as a person types it, with no demo running.
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../dashboards/board/testing.ts';

const repo = resolve(import.meta.dirname, '../..');

async function sansang(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [join(repo, 'bin/sansang.js'), ...args], { cwd: repo });
    return { code: 0, ...r };
  } catch (e) {
    return e as { code: number; stdout: string; stderr: string };
  }
}

describe('sansang demo fault', () => {
  it('names the faults it knows when given another', async () => {
    const r = await sansang('demo', 'fault', 'unplug', 'x');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^sansang: unknown fault "unplug"; faults: stop-service, .*cut-link/);
  });

  it('says no demo is answering on the control port it was given', async () => {
    const port = await freePort(); // nothing listens there
    const r = await sansang('demo', 'fault', 'stop-service', 'lgsp', '--control', `127.0.0.1:${port}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`sansang: no demo is answering at http://127.0.0.1:${port}: start one with \`npm start\`\n`);
  });
});
