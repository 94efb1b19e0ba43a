// Running `ip` and `nft` for the lab: fixed programs, arguments as arrays or scripts on stdin,
// never a shell. Errors name the Debian package when the program is missing.
import { execFile, execFileSync } from 'node:child_process';

const PACKAGES: Record<string, string> = { ip: 'iproute2', nft: 'nftables' };

export class CommandError extends Error {}

export function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT') return reject(new CommandError(`${cmd} is not installed (Debian: apt-get install ${PACKAGES[cmd] ?? cmd})`));
      reject(new CommandError(`${cmd} ${args.join(' ')}: ${stderr.trim() || e.message}`));
    });
    // A program that exits without reading its input must not crash us with EPIPE.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input ?? '');
  });
}

/** `ip -batch -`: many commands in one process (in a namespace with `ns`). */
export function ipBatch(lines: string[], ns?: string): Promise<string> {
  return run('ip', [...(ns ? ['-n', ns] : []), '-batch', '-'], lines.join('\n') + '\n');
}

export function ip(...args: string[]): Promise<string> {
  return run('ip', args);
}

export async function ipJson<T>(...args: string[]): Promise<T[]> {
  const out = await run('ip', ['-j', ...args]);
  return out.trim() ? (JSON.parse(out) as T[]) : [];
}

/** An nftables script inside a namespace. */
export function nftIn(ns: string, script: string): Promise<string> {
  return run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], script);
}

/** For the last-resort cleanup in an `exit` handler, where nothing asynchronous runs. */
export function ipSync(...args: string[]): void {
  try {
    execFileSync('ip', args, { stdio: 'ignore', timeout: 5000 });
  } catch {
    // already gone
  }
}
