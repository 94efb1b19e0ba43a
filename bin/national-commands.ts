// `sansang national …`: the national roll-up. `check` a national inventory, `config` its files
// (Grafana's national overview and provisioning, the section each province adds to its inventory),
// `synth` its stacks, and run the national `board` against the national store.
import { relative } from 'node:path';
import type { Command } from 'commander';
import { formatProblem, loadNationalFile, readNationalFile, writeGeneratedFiles } from '../inventory/index.ts';
import { UsageError } from './errors.ts';

export function registerNationalCommands(program: Command): void {
  const national = program
    .command('national')
    .description('the national roll-up: every province in one view, from the national store its Prometheus pairs write to');

  national
    .command('check')
    .description('validate a national inventory: exit 0 when valid, else one line per problem as FILE:LINE:COL message')
    .argument('<file>', 'the national inventory YAML file (see inventory/examples/national.yaml)')
    .action(async (file: string) => {
      const r = await readNationalFile(file);
      for (const p of r.problems) process.stderr.write(`${formatProblem(p)}\n`);
      if (r.problems.length) {
        process.stderr.write(`${r.problems.length} problem${r.problems.length === 1 ? '' : 's'} in ${file}\n`);
        process.exitCode = 1;
        return;
      }
      const n = r.model!;
      process.stdout.write(`${file}: valid — ${n.name}: ${n.dataCenters.length} data centers, ${n.provinces.length} provinces\n`);
    });

  national
    .command('config')
    .description(
      "write the national Grafana dashboard and provisioning (per data center) and province-feed.yaml, each province's `national:` section",
    )
    .requiredOption('--national <file>', 'the national inventory YAML file')
    .requiredOption('--out <dir>', 'directory to write into (created if missing)')
    .action(async (o: { national: string; out: string }) => {
      const nat = await loadNationalFile(o.national);
      const { nationalGrafanaFiles, provinceFeedFile } = await import('../stacks/index.ts');
      const { nationalDashboardFiles } = await import('../dashboards/index.ts');
      const files = [
        ...nationalDashboardFiles(nat),
        ...nat.dataCenters.flatMap((dc) => nationalGrafanaFiles(nat, dc).map((f) => ({ ...f, path: `${dc.id}/${f.path}` }))),
        provinceFeedFile(nat),
      ];
      const written = await writeGeneratedFiles(o.out, files);
      process.stderr.write(`wrote ${written.length} files to ${o.out}\n`);
    });

  national
    .command('synth')
    .description(
      'synthesize the national-<id> stacks (a store, Grafana and the national board per national data center) into Terraform JSON',
    )
    .requiredOption('--national <file>', 'the national inventory YAML file')
    .option('--out <dir>', 'output directory', 'cdktf.out')
    .option('--state-dir <dir>', "where each stack's local Terraform state is kept (default: the folder that holds --out)")
    .action(async (o: { national: string; out: string; stateDir?: string }) => {
      const { synthNational } = await import('../stacks/index.ts');
      const r = await synthNational({ national: o.national, outdir: o.out, stateDir: o.stateDir });
      process.stdout.write(
        `synthesized ${r.stacks.length} national stacks (${r.stacks.join(' ')}), ${r.resources} resources, for ${r.provinces} provinces, into ${relative(process.cwd(), r.outdir) || '.'}\n`,
      );
      process.stdout.write(`deploy with: cdktf deploy --skip-synth 'national-*' (they do not depend on each other)\n`);
    });

  national
    .command('board')
    .description('run the national board: provinces → units → items from the national store (read-only; six queries per refresh)')
    .requiredOption('--national <file>', 'the national inventory YAML file')
    .requiredOption(
      '--store <url>',
      "the national store's Prometheus query API (VictoriaMetrics: http://vmselect:8481/select/0/prometheus/, single node http://host:8428/)",
    )
    .option('--listen <host:port>', 'address to serve the board on', '127.0.0.1:8080')
    .option('--refresh <seconds>', 'how often the store is read', '5')
    .action(async (o: { national: string; store: string; listen: string; refresh: string }) => {
      const refreshMs = Number(o.refresh) * 1000;
      if (!(refreshMs >= 200 && refreshMs <= 3_600_000))
        throw new UsageError(`--refresh expects seconds from 0.2 to 3600, not "${o.refresh}"`);
      const nat = await loadNationalFile(o.national);
      const { startNational } = await import('../dashboards/index.ts');
      const running = await startNational({ national: nat, store: o.store, listen: o.listen, refreshMs });
      process.stderr.write(`sansang national board: ${running.url} (${nat.provinces.length} provinces, store ${o.store})\n`);
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
