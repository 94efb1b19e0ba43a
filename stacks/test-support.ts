// Test helpers for the stacks: the cdktf matchers in vitest, the real tools, temporary folders.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { expect } from 'vitest';
import type { testingMatchers } from 'cdktf';

type TerraformConstructor = testingMatchers.TerraformConstructor;

/**
 * cdktf ships its matchers as a Jest adapter that extends the global `expect`: vitest's `expect`
 * has the same `extend` and asymmetric matchers, so hand it over and let the adapter register.
 */
export function setupCdktfMatchers(): void {
  (globalThis as { expect?: unknown }).expect = expect;
  Testing.setupJest();
}

declare module 'vitest' {
  interface Assertion {
    toHaveResource(resource: TerraformConstructor): void;
    toHaveResourceWithProperties(resource: TerraformConstructor, properties: Record<string, unknown>): void;
    toHaveProvider(provider: TerraformConstructor): void;
    toHaveProviderWithProperties(provider: TerraformConstructor, properties: Record<string, unknown>): void;
  }
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a real program; a missing one fails the test with the Debian package to install. */
export function run(cmd: string, args: string[], debianPackage: string, cwd?: string): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd, timeout: 60_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT')
    throw new Error(`${cmd} is not installed: apt-get install ${debianPackage}`);
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `sansang-${prefix}-`));
}

/** A self-signed certificate and its key in one PEM file, as HAProxy reads it. */
export function selfSignedPem(dir: string, hostnames: string[]): string {
  const key = join(dir, 'key.pem');
  const crt = join(dir, 'crt.pem');
  const san = hostnames.map((h) => `DNS:${h}`).join(',');
  const r = run(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      crt,
      '-days',
      '2',
      '-subj',
      `/CN=${hostnames[0]}`,
      '-addext',
      `subjectAltName=${san}`,
    ],
    'openssl',
  );
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  return run('cat', [crt, key], 'coreutils').stdout;
}

/**
 * `named-checkzone` (Debian: bind9-utils) on a generated zone file. The records are fully
 * qualified, meant for `$INCLUDE` in the zone that holds them: the file is included in a root zone
 * of its own, as BIND would load it. Gives the exit status, the tool's output and the A/AAAA
 * records it loaded, as `name address`, sorted.
 */
export function namedCheckZone(file: string): RunResult & { records: string[] } {
  const wrapper = `${file}.check`;
  writeFileSync(
    wrapper,
    `$TTL 60\n. IN SOA ns.invalid. hostmaster.invalid. 1 60 60 60 60\n. IN NS ns.invalid.\nns.invalid. IN A 192.0.2.53\n$INCLUDE ${file}\n`,
  );
  const r = run('named-checkzone', ['-D', '.', wrapper], 'bind9-utils');
  const records = r.stdout
    .split('\n')
    .filter((l) => /\sIN\s+(A|AAAA)\s/.test(l) && !l.startsWith('ns.invalid.'))
    .map((l) => l.split(/\s+/))
    .map((w) => `${w[0]} ${w[w.length - 1]}`)
    .sort();
  return { ...r, records };
}
