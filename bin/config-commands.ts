// `sansang config KIND --inventory FILE --out DIR`: writes the generated configuration files.
import type { Command } from 'commander';
import { loadInventoryFile, writeGeneratedFiles, type GeneratedFile, type Inventory } from '../inventory/index.ts';
import { UsageError } from './errors.ts';

/** Options of the generators that take any: the Alertmanager version (Telegram's token inline before 0.26). */
interface GenerateOptions {
  alertmanagerVersion?: string;
}
type Generate = (inv: Inventory, opts?: { version?: string }) => GeneratedFile[];
// The generators are loaded when a kind is asked for, so other commands do not pay for them.
const fromStacks = (name: 'prometheusFiles' | 'grafanaFiles' | 'haproxyFiles' | 'dnsFiles') => async (): Promise<Generate> =>
  (await import('../stacks/index.ts'))[name];
const fromDashboards = (name: 'rulesFiles' | 'alertmanagerFiles' | 'dashboardFiles') => async (): Promise<Generate> =>
  (await import('../dashboards/index.ts'))[name];

/** Each kind, who generates it, and what it is. Files refer to each other by relative paths. */
export const configKinds: Record<string, { about: string; load: () => Promise<Generate> }> = {
  prometheus: {
    about: 'prometheus-<dc>.yml (one per data center) and its file_sd target files (needs rules/ beside it: use `all`)',
    load: fromStacks('prometheusFiles'),
  },
  rules: { about: 'recording and alert rules, with their promtool tests', load: fromDashboards('rulesFiles') },
  alertmanager: { about: 'alertmanager.yml: routes per watch team, inhibitions, maintenance', load: fromDashboards('alertmanagerFiles') },
  dashboards: { about: 'Grafana dashboards (JSON)', load: fromDashboards('dashboardFiles') },
  grafana: { about: 'Grafana provisioning: data sources and dashboard providers', load: fromStacks('grafanaFiles') },
  haproxy: { about: 'one haproxy.cfg per unit and data center', load: fromStacks('haproxyFiles') },
  dns: { about: 'the DNS records to publish, for the primary and the backup data center', load: fromStacks('dnsFiles') },
};

export async function generateConfig(kind: string, inv: Inventory, opts: GenerateOptions = {}): Promise<GeneratedFile[]> {
  const kinds = kind === 'all' ? Object.keys(configKinds) : [kind];
  const out: GeneratedFile[] = [];
  for (const k of kinds) {
    const entry = configKinds[k];
    if (!entry) throw new UsageError(`unknown kind "${kind}"; kinds: ${[...Object.keys(configKinds), 'all'].join(', ')}`);
    const gen = await entry.load();
    out.push(...(k === 'alertmanager' && opts.alertmanagerVersion ? gen(inv, { version: opts.alertmanagerVersion }) : gen(inv)));
  }
  return out;
}

export function registerConfigCommands(program: Command): void {
  program
    .command('config')
    .description('write generated configuration files for the real programs that read them')
    .argument('<kind>', `one of ${[...Object.keys(configKinds), 'all'].join(', ')}`)
    .requiredOption('--inventory <file>', 'the inventory YAML file')
    .requiredOption('--out <dir>', 'directory to write into (created if missing)')
    .option(
      '--alertmanager-version <x.y>',
      "the Alertmanager that reads alertmanager.yml (default 0.28, the stacks' image); before 0.26 (Debian 12: 0.25) Telegram's bot token is read from notify.telegram.botTokenFile now and written into the file",
    )
    .addHelpText(
      'after',
      `\nKinds:\n${Object.entries(configKinds)
        .map(([k, v]) => `  ${k.padEnd(13)}${v.about}`)
        .join('\n')}\n  all          every kind above, in one directory\n`,
    )
    .action(async (kind: string, opts: { inventory: string; out: string; alertmanagerVersion?: string }) => {
      if (opts.alertmanagerVersion !== undefined && !/^v?\d+\.\d+(\.\d+)?$/.test(opts.alertmanagerVersion))
        throw new UsageError(`--alertmanager-version expects a version such as 0.25, not "${opts.alertmanagerVersion}"`);
      if (kind !== 'all' && !configKinds[kind])
        throw new UsageError(`unknown kind "${kind}"; kinds: ${[...Object.keys(configKinds), 'all'].join(', ')}`);
      const inv = await loadInventoryFile(opts.inventory);
      const files = await generateConfig(kind, inv, opts.alertmanagerVersion ? { alertmanagerVersion: opts.alertmanagerVersion } : {});
      const written = await writeGeneratedFiles(opts.out, files);
      process.stderr.write(`wrote ${written.length} files to ${opts.out}\n`);
    });
}
