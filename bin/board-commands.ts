// `sansang board`: the go/no-go board for the watch room.
import type { Command } from 'commander';
import { loadInventoryFile } from '../inventory/index.ts';
import { UsageError } from './errors.ts';

interface BoardFlags {
  inventory: string;
  prometheus?: string;
  alertmanager?: string;
  listen: string;
  dataDir: string;
  tokens?: string;
  peer?: string;
  datacenter?: string;
  refresh?: string;
}

export function registerBoardCommands(program: Command): void {
  program
    .command('board')
    .description('run the go/no-go board: every unit GO / NO-GO / UNKNOWN / MAINTENANCE, sign-offs, shift report')
    .requiredOption('--inventory <file>', 'the inventory YAML file')
    .option('--prometheus <url>', "read the recording rules' results from this Prometheus (default: poll the agents' /status directly)")
    .option('--alertmanager <url>', 'create a silence here for each maintenance window set on the board')
    .option('--listen <host:port>', 'address to serve the board on', '127.0.0.1:8080')
    .option('--data-dir <dir>', 'where the sign-off log is kept', 'board-data')
    .option('--tokens <file>', 'team tokens for sign-offs: YAML "team-id: token-or-bcrypt-hash" (see dashboards/README.md)')
    .option('--peer <url>', "the other data center's board, whose sign-offs are pulled every few seconds")
    .option('--datacenter <id>', 'the data center this board runs in (default: from --listen, else the primary)')
    .option('--refresh <seconds>', "how often the data source is read (default: the agents' probe interval)")
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
      const running = await startBoard({
        inventory,
        dataDir: f.dataDir,
        listen,
        ...(f.tokens ? { tokens: f.tokens } : {}),
        ...(f.prometheus ? { prometheus: f.prometheus } : {}),
        ...(f.alertmanager ? { alertmanager: f.alertmanager } : {}),
        ...(f.peer ? { peer: f.peer } : {}),
        ...(f.datacenter ? { datacenter: f.datacenter } : {}),
        ...(refreshMs ? { refreshMs } : {}),
      });
      process.stderr.write(
        `sansang board: ${running.url} (${running.board.mode} mode, ${inventory.units.length} units, sign-off log in ${f.dataDir})\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void running.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
