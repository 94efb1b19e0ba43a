// `sansang config KIND --inventory FILE --out DIR`: writes the generated configuration files.
import type { Command } from 'commander';
import { loadInventoryFile, writeGeneratedFiles, type GeneratedFile, type Inventory } from '../inventory/index.ts';
import { alertmanagerFiles, dashboardFiles, rulesFiles } from '../dashboards/index.ts';
import { dnsFiles, grafanaFiles, haproxyFiles, prometheusFiles } from '../stacks/index.ts';
import { UsageError } from './errors.ts';

/** Each kind, who generates it, and what it is. Files refer to each other by relative paths. */
export const configKinds: Record<string, { about: string; generate: (inv: Inventory) => GeneratedFile[] }> = {
  prometheus: { about: 'prometheus.yml and its file_sd target files (needs rules/ beside it: use `all`)', generate: prometheusFiles },
  rules: { about: 'recording and alert rules, with their promtool tests', generate: rulesFiles },
  alertmanager: { about: 'alertmanager.yml: routes per watch team, inhibitions, maintenance', generate: alertmanagerFiles },
  dashboards: { about: 'Grafana dashboards (JSON)', generate: dashboardFiles },
  grafana: { about: 'Grafana provisioning: data sources and dashboard providers', generate: grafanaFiles },
  haproxy: { about: 'one haproxy.cfg per unit and data center', generate: haproxyFiles },
  dns: { about: 'the DNS records to publish, for the primary and the backup data center', generate: dnsFiles },
};

export function generateConfig(kind: string, inv: Inventory): GeneratedFile[] {
  if (kind === 'all') return Object.values(configKinds).flatMap((k) => k.generate(inv));
  const k = configKinds[kind];
  if (!k) throw new UsageError(`unknown kind "${kind}"; kinds: ${[...Object.keys(configKinds), 'all'].join(', ')}`);
  return k.generate(inv);
}

export function registerConfigCommands(program: Command): void {
  program
    .command('config')
    .description('write generated configuration files for the real programs that read them')
    .argument('<kind>', `one of ${[...Object.keys(configKinds), 'all'].join(', ')}`)
    .requiredOption('--inventory <file>', 'the inventory YAML file')
    .requiredOption('--out <dir>', 'directory to write into (created if missing)')
    .addHelpText('after', `\nKinds:\n${Object.entries(configKinds).map(([k, v]) => `  ${k.padEnd(13)}${v.about}`).join('\n')}\n  all          every kind above, in one directory\n`)
    .action(async (kind: string, opts: { inventory: string; out: string }) => {
      const inv = await loadInventoryFile(opts.inventory);
      const files = generateConfig(kind, inv);
      const written = await writeGeneratedFiles(opts.out, files);
      process.stderr.write(`wrote ${written.length} files to ${opts.out}\n`);
    });
}
