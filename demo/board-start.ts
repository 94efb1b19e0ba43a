// What the loopback demo and the lab share once their agents run: the stacks' synthesis, the
// demo's board token, and the board (pointed at Prometheus when asked) with every manual item
// signed off as "demo".
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import type { Inventory } from '../inventory/index.ts';
import { boardApi } from './board-client.ts';
import { Processes } from './processes.ts';
import { startPrometheus } from './prometheus.ts';

export const cli = join(resolve(import.meta.dirname, '..'), 'bin/sansang.js');

export async function synthStacks(inventory: string, out: string, logs: string, say: (l: string) => void): Promise<void> {
  const child = await new Processes(logs).start('synth', process.execPath, [cli, 'synth', '--inventory', inventory, '--out', out]);
  const code = await child.exited;
  if (code !== 0) throw new Error(`synthesising the stacks failed (exit ${code}); see ${child.log}`);
  say(`stacks synthesised into ${out} (cdktf deploy would apply them to the data centers' Docker hosts)`);
}

/** The team the demo signs off as: the example province's data center, which covers every unit. */
export const DEMO_TEAM = 'ttdl';

/** The demo's board token (of DEMO_TEAM), made once and kept beside the sign-offs. */
export async function demoToken(file: string): Promise<string> {
  const kept = existsSync(file) ? (parse(await readFile(file, 'utf8')) as Record<string, string> | null) : null;
  if (kept?.[DEMO_TEAM]) return kept[DEMO_TEAM];
  const token = randomBytes(18).toString('base64url');
  await writeFile(file, stringify({ [DEMO_TEAM]: token }), { mode: 0o600 });
  return token;
}

export interface BoardStart {
  inv: Inventory;
  inventoryFile: string;
  /** The demo's directory: the board's data and tokens live in it. */
  dir: string;
  /** Where Prometheus keeps its files, when it runs. */
  prometheusDir: string;
  board: string;
  prometheus?: string;
  /** The push secret: the board receives what agents push (forwarding samples to Prometheus when it runs). */
  pushSecretFile?: string;
  procs: Processes;
  say: (l: string) => void;
}

/** Starts Prometheus when asked, then the board, waits for it and signs the manual items off. */
export async function startBoardSignedOff(o: BoardStart): Promise<{ boardUrl: string; prometheusUrl?: string }> {
  let prometheusUrl: string | undefined;
  if (o.prometheus) {
    prometheusUrl = await startPrometheus({
      inv: o.inv,
      dir: o.prometheusDir,
      listen: o.prometheus,
      board: o.board,
      procs: o.procs,
      cli,
      inventoryFile: o.inventoryFile,
    });
    o.say(`  prometheus ${prometheusUrl}`);
  }
  const tokensFile = join(o.dir, 'tokens.yaml');
  const token = await demoToken(tokensFile);
  const boardArgs = [
    cli,
    'board',
    '--inventory',
    o.inventoryFile,
    '--listen',
    o.board,
    '--data-dir',
    join(o.dir, 'board'),
    '--tokens',
    tokensFile,
  ];
  if (prometheusUrl) boardArgs.push('--prometheus', prometheusUrl);
  // Samples pushed over a link the data center cannot reach go on to --prometheus's remote-write receiver.
  if (o.pushSecretFile) boardArgs.push('--push-secret-file', o.pushSecretFile);
  await o.procs.start('board', process.execPath, boardArgs);
  const boardUrl = `http://${o.board}`;
  const board = boardApi(boardUrl, token);
  await board.waitUp(30_000);
  await board.signOffAll(o.inv, DEMO_TEAM, 'Ký xác nhận mẫu của bản demo / signed by the demo');
  return { boardUrl, ...(prometheusUrl ? { prometheusUrl } : {}) };
}
