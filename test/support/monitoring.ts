// A real Prometheus and a real Alertmanager on loopback, for the tests that run the generated
// files through the programs that read them. A missing program fails naming its Debian package.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../dashboards/board/testing.ts';

export interface Running {
  url: string;
  proc: ChildProcess;
  /** What the program wrote, for a failure's message. */
  output(): string;
  stop(): Promise<void>;
}

async function startProgram(program: string, pkg: string, args: (port: number) => string[], readyPath: string): Promise<Running> {
  const port = await freePort();
  const proc = spawn(program, args(port), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (c: Buffer) => (out = (out + c.toString('utf8')).slice(-20_000));
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  await new Promise<void>((resolve, reject) => {
    proc.once('error', (e) => reject(new Error(`${program} did not start (install the Debian package "${pkg}"): ${e.message}`)));
    proc.once('spawn', () => resolve());
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}${readyPath}`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 150 || proc.exitCode !== null) {
      proc.kill('SIGKILL');
      throw new Error(`${program} is not ready after 15 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    proc,
    output: () => out,
    stop: async () => {
      if (proc.exitCode !== null) return;
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await gone;
    },
  };
}

export function startAlertmanager(configFile: string, dir: string): Promise<Running> {
  return startProgram(
    'prometheus-alertmanager',
    'prometheus-alertmanager',
    (port) => [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'am-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    '/-/ready',
  );
}

export function startPrometheus(configFile: string, dataDir: string, extra: string[] = []): Promise<Running> {
  return startProgram(
    'prometheus',
    'prometheus',
    (port) => [`--config.file=${configFile}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`, ...extra],
    '/-/ready',
  );
}
