// The site-side commands, shared by `sansang agent …` (bin/agent-commands.ts) and the bundled
// agent of the kit (agents/entry.ts): run, check, install. No esbuild here: the bundle has none.
import type { Command } from 'commander';
import { InputError } from '../inventory/index.ts';
import { runOnce, startAgent } from './index.ts';
import { checkJson, readinessOf, renderCheckTable } from './check-report.ts';
import { installFromKit } from './install/install.ts';

export interface SourceOpts {
  inventory?: string;
  site?: string;
  config?: string;
}

export function sourceFromOpts(o: SourceOpts, defaultConfig?: string): { inventory?: string; site?: string; configFile?: string } {
  if (o.config) {
    if (o.inventory || o.site) throw new InputError('give either --config FILE or --inventory FILE --site ID, not both');
    return { configFile: o.config };
  }
  if (o.inventory && o.site) return { inventory: o.inventory, site: o.site };
  if (defaultConfig && !o.inventory && !o.site) return { configFile: defaultConfig };
  throw new InputError('give --inventory FILE and --site ID (or --config FILE, the site configuration from the kit)');
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function addSourceOptions(c: Command, withInventory: boolean): Command {
  if (withInventory) c.option('--inventory <file>', 'the inventory YAML file').option('--site <id>', 'the site id');
  return c.option('--config <file>', 'the site configuration written by `sansang agent kit`');
}

/** The run action: starts the agent and serves until SIGINT/SIGTERM; SIGHUP reloads. */
export function addRunAction(c: Command, defaultConfig?: string): Command {
  return c
    .option('--listen <host:port>', "address to listen on, repeatable (default: the site's address on every link)", collect, [] as string[])
    .action(async (o: SourceOpts & { listen: string[] }) => {
      const running = await startAgent({ ...sourceFromOpts(o, defaultConfig), listen: o.listen, reloadOnSighup: true });
      const a = running.agent;
      process.stderr.write(
        `sansang agent ${a.slice.site.id} (unit ${a.slice.unit.code}): ${a.probeJobs.length} probes every ${a.slice.agent.interval}; listening on ${running.urls.join(', ')}\n`,
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

export function addCheckCommand(parent: Command, withInventory: boolean, defaultConfig?: string): Command {
  const c = parent
    .command('check')
    .description('one round of every probe and collector, printed as a table; exit 0 only when the site is ready');
  addSourceOptions(c, withInventory);
  return c
    .option('--lang <lang>', 'vi (default) or en', 'vi')
    .option('--json', 'print the round as JSON (items and every probe with its cause) instead of the table')
    .action(async (o: SourceOpts & { lang: string; json?: boolean }) => {
      if (o.lang !== 'vi' && o.lang !== 'en') throw new InputError(`--lang ${o.lang}: use vi or en`);
      const { agent, outcome } = await runOnce({ ...sourceFromOpts(o, defaultConfig), log: () => undefined });
      process.stdout.write(o.json ? `${JSON.stringify(checkJson(agent, outcome))}\n` : renderCheckTable(agent, outcome, o.lang));
      process.exitCode = readinessOf(agent, outcome).ready ? 0 : 1;
    });
}

/** True inside the single executable (agents/install/sea.ts); `node:sea` exists from Node 20.12. */
function runsAsExecutable(): boolean {
  try {
    return (process.getBuiltinModule?.('node:sea') as { isSea(): boolean } | undefined)?.isSea() ?? false;
  } catch {
    return false;
  }
}

export function addInstallCommand(parent: Command, defaultKit: string): Command {
  return parent
    .command('install')
    .description('install the agent from a kit (at the site, as root): the agent file, its configuration and the systemd unit')
    .option('--kit <dir>', 'the kit folder', defaultKit)
    .option('--root <dir>', 'install under this prefix instead of / (for tests and images)', '/')
    .option('--dry-run', 'print what would be written, write nothing')
    .option('--executable', 'install the single executable and its unit (the default when the executable itself runs `install`)')
    .action(async (o: { kit: string; root: string; dryRun?: boolean; executable?: boolean }) => {
      await installFromKit({
        kit: o.kit,
        root: o.root,
        dryRun: !!o.dryRun,
        form: o.executable || runsAsExecutable() ? 'executable' : 'node',
        out: (l) => process.stdout.write(`${l}\n`),
      });
    });
}
