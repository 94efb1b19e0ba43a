// `sansang board`: the go/no-go board for the watch room.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadInventoryFile } from '../inventory/index.ts';
import { UsageError } from './errors.ts';

interface BoardFlags {
  inventory: string;
  prometheus?: string;
  alertmanager?: string;
  listen: string;
  dataDir?: string;
  tokens?: string;
  peer?: string;
  peerTokenFile?: string;
  datacenter?: string;
  refresh?: string;
  pushSecretFile?: string;
  prometheusWrite?: string;
  pushMaxInFlight?: string;
}

/**
 * Where the sign-off log lives when --data-dir is not given: a state directory, never the
 * directory the board happens to be started from. systemd's StateDirectory= sets
 * $STATE_DIRECTORY; otherwise the XDG state home.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const systemd = env.STATE_DIRECTORY?.split(':')[0];
  if (systemd) return systemd;
  const xdg = env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(xdg, 'sansang', 'board');
}

export function registerBoardCommands(program: Command): void {
  program
    .command('board')
    .description('run the go/no-go board: every unit GO / NO-GO / UNKNOWN / MAINTENANCE, sign-offs, shift report')
    .requiredOption('--inventory <file>', 'the inventory YAML file')
    .option('--prometheus <url>', "read the recording rules' results from this Prometheus (default: poll the agents' /status directly)")
    .option('--alertmanager <url>', 'create a silence here for each maintenance window set on the board')
    .option('--listen <host:port>', 'address to serve the board on', '127.0.0.1:8080')
    .option(
      '--data-dir <dir>',
      'where the sign-off log is kept (default: $STATE_DIRECTORY under systemd, else $XDG_STATE_HOME/sansang/board or ~/.local/state/sansang/board)',
    )
    .option('--tokens <file>', 'team tokens for sign-offs: YAML "team-id: token-or-bcrypt-hash" (see dashboards/README.md)')
    .option('--peer <url>', "the other data center's board, whose sign-offs are pulled every few seconds")
    .option('--peer-token-file <file>', 'a file holding a team token the peer board accepts (its log needs one); or set SANSANG_PEER_TOKEN')
    .option('--datacenter <id>', 'the data center this board runs in (default: from --listen, else the primary)')
    .option('--refresh <seconds>', "how often the data source is read (default: the agents' probe interval)")
    .option(
      '--push-secret-file <file>',
      "receive what agents push over links the data center cannot reach (the province's push secret; each site's token derives from it)",
    )
    .option(
      '--prometheus-write <url>',
      "where pushed samples go: this data center's Prometheus remote-write receiver (default: --prometheus's /api/v1/write)",
    )
    .option('--push-max-in-flight <n>', 'pushed sample batches checked and forwarded at once; more wait, then get 429 (default 16)')
    .action(async (f: BoardFlags) => {
      // Loaded here, not at the top: other commands (the site agent above all) should not pay for it.
      const { parseListen, startBoard } = await import('../dashboards/board/index.ts');
      const listen = parseListen(f.listen);
      const refreshMs = f.refresh === undefined ? undefined : Number(f.refresh) * 1000;
      if (refreshMs !== undefined && !(refreshMs >= 200 && refreshMs <= 3_600_000))
        throw new UsageError(`--refresh expects seconds from 0.2 to 3600, not "${f.refresh}"`);
      const inventory = await loadInventoryFile(f.inventory);
      if (f.datacenter && !inventory.dataCenters.some((d) => d.id === f.datacenter))
        throw new UsageError(`--datacenter: no data center "${f.datacenter}" in the inventory`);
      const peerToken = f.peerTokenFile ? (await readFile(f.peerTokenFile, 'utf8')).trim() : process.env.SANSANG_PEER_TOKEN;
      if (f.peer && !peerToken)
        process.stderr.write(
          'sansang board: --peer without a token (--peer-token-file or SANSANG_PEER_TOKEN): the peer will refuse to share its log\n',
        );
      let push: { secret: string; writeUrl?: string; maxInFlight?: number } | undefined;
      if (f.pushSecretFile) {
        const { readSecretText } = await import('../inventory/index.ts');
        let secret: string;
        try {
          secret = readSecretText(await readFile(f.pushSecretFile, 'utf8'));
        } catch (e) {
          throw new UsageError(
            `--push-secret-file ${f.pushSecretFile}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
          );
        }
        const writeUrl =
          f.prometheusWrite ??
          (f.prometheus ? new URL('api/v1/write', f.prometheus.endsWith('/') ? f.prometheus : `${f.prometheus}/`).href : undefined);
        const max = f.pushMaxInFlight === undefined ? undefined : Number(f.pushMaxInFlight);
        if (max !== undefined && !(Number.isInteger(max) && max >= 1 && max <= 1024))
          throw new UsageError(`--push-max-in-flight expects a whole number from 1 to 1024, not "${f.pushMaxInFlight}"`);
        push = { secret, ...(writeUrl ? { writeUrl } : {}), ...(max ? { maxInFlight: max } : {}) };
      } else if (f.prometheusWrite) throw new UsageError('--prometheus-write needs --push-secret-file');
      const dataDir = resolve(f.dataDir ?? defaultDataDir());
      const running = await startBoard({
        ...(push ? { push } : {}),
        inventory,
        dataDir,
        listen,
        ...(f.tokens ? { tokens: f.tokens } : {}),
        ...(f.prometheus ? { prometheus: f.prometheus } : {}),
        ...(f.alertmanager ? { alertmanager: f.alertmanager } : {}),
        ...(f.peer ? { peer: f.peer } : {}),
        ...(peerToken ? { peerToken } : {}),
        ...(f.datacenter ? { datacenter: f.datacenter } : {}),
        ...(refreshMs ? { refreshMs } : {}),
      });
      process.stderr.write(
        `sansang board: ${running.url} (${running.board.mode} mode, ${inventory.units.length} units, sign-off log in ${dataDir})\n` +
          `sansang board: sign-offs, windows and acknowledgements are written to ${join(dataDir, 'board-log.jsonl')}${f.dataDir ? '' : ' (the default state directory; --data-dir chooses another)'}\n`,
      );
      // SIGHUP reads the tokens file again (a token taken out stops working); it never stops the board.
      const reload = () => {
        running.tokens.reload().then(
          (teams) => process.stderr.write(`sansang board: tokens reloaded (${teams.length} teams)\n`),
          (e: Error) => process.stderr.write(`sansang board: tokens not reloaded, the old ones stay: ${e.message}\n`),
        );
      };
      process.on('SIGHUP', reload);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          process.off('SIGHUP', reload);
          void running.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
