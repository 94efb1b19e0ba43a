// The demo's child processes (agents, board, Prometheus): each logs to a file of its own and
// all of them are stopped when the demo stops, SIGTERM first and SIGKILL after a grace period.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface Child {
  name: string;
  proc: ChildProcess;
  log: string;
  exited: Promise<number | null>;
}

export class Processes {
  private readonly children = new Map<string, Child>();
  private shuttingDown = false;

  constructor(private readonly logDir: string) {
    // Last resort: a synchronous kill when the demo itself exits without a clean stop.
    process.on('exit', () => {
      for (const c of this.children.values()) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
    });
  }

  async start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Child> {
    if (this.children.has(name)) throw new Error(`${name} is already running`);
    await mkdir(this.logDir, { recursive: true });
    const log = join(this.logDir, `${name}.log`);
    const out = createWriteStream(log, { flags: 'a' });
    out.write(`--- ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
    const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    proc.stdout?.pipe(out, { end: false });
    proc.stderr?.pipe(out, { end: false });
    const exited = new Promise<number | null>((resolve) => {
      proc.once('exit', (code) => {
        out.end();
        this.children.delete(name);
        resolve(code);
      });
      proc.once('error', (e) => {
        out.end(`failed to start: ${e.message}\n`);
        this.children.delete(name);
        resolve(null);
      });
    });
    const child = { name, proc, log, exited };
    this.children.set(name, child);
    return child;
  }

  has(name: string): boolean {
    return this.children.has(name);
  }

  names(): string[] {
    return [...this.children.keys()];
  }

  async stop(name: string, graceMs = 3000): Promise<void> {
    const c = this.children.get(name);
    if (!c) throw new Error(`${name} is not running`);
    c.proc.kill('SIGTERM');
    const timer = setTimeout(() => c.proc.kill('SIGKILL'), graceMs);
    await c.exited;
    clearTimeout(timer);
  }

  async stopAll(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    await Promise.all(this.names().map((n) => this.stop(n)));
  }
}
