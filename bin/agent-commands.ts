// `sansang agent` (run the site agent), `sansang agent check` (one round, a table, exit 0 only
// when ready), `sansang agent kit` (everything a site needs, for a USB stick) and
// `sansang agent install` (at the site, from the kit). Thin: the work is in agents/.
import type { Command } from 'commander';
import { addCheckCommand, addInstallCommand, addRunAction, addSourceOptions } from '../agents/cli.ts';
import { buildKit } from '../agents/kit.ts';

export function registerAgentCommands(program: Command): void {
  const agent = program
    .command('agent')
    .description("the site agent: probes the site's services over every link and serves /metrics, /status and /healthz");
  // `sansang agent --inventory F --site S` runs it: `run` is the default subcommand (options on
  // `agent` itself would swallow its subcommands' options of the same name).
  addRunAction(
    addSourceOptions(
      agent.command('run', { isDefault: true }).description('run the agent (the default: `sansang agent --inventory F --site S`)'),
      true,
    ),
  );
  addCheckCommand(agent, true);

  agent
    .command('kit')
    .description(
      'write everything one site needs into a folder: the agent as one JavaScript file and as one Linux x64 executable, its configuration, systemd units, a README',
    )
    .requiredOption('--inventory <file>', 'the inventory YAML file')
    .requiredOption('--site <id>', 'the site the kit is for')
    .requiredOption('--out <dir>', 'the folder to write (e.g. on a USB stick)')
    .option(
      '--push-secret <file>',
      "the province's push secret: the kit carries this site's push token (for links the data center cannot reach)",
    )
    .option('--no-executable', 'leave out the single Linux x64 executable (for PCs without Node; about 100 MB)')
    .action(async (o: { inventory: string; site: string; out: string; executable: boolean; pushSecret?: string }) => {
      const files = await buildKit(o);
      for (const f of files) process.stdout.write(`${f}\n`);
    });

  addInstallCommand(agent, '.');
}
