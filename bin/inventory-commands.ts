// `sansang inventory check` and `sansang inventory import`.
import { writeFile, readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { formatProblem, readInventoryFile } from '../inventory/index.ts';
import { importProvince } from '../inventory/importer.ts';
import { UsageError } from './errors.ts';

export function registerInventoryCommands(program: Command): void {
  const inventory = program.command('inventory').description('check an inventory, or import one from the official conversion table');

  inventory
    .command('check')
    .description('validate an inventory: exit 0 when valid, else one line per problem as FILE:LINE:COL message')
    .argument('<file>', 'the inventory YAML file')
    .action(async (file: string) => {
      const r = await readInventoryFile(file);
      for (const p of r.problems) process.stderr.write(`${formatProblem(p)}\n`);
      if (r.problems.length) {
        process.stderr.write(`${r.problems.length} problem${r.problems.length === 1 ? '' : 's'} in ${file}\n`);
        process.exitCode = 1;
        return;
      }
      const inv = r.inventory!;
      const sites = inv.units.reduce((n, u) => n + u.sites.length, 0);
      process.stdout.write(
        `${file}: valid — ${inv.province.name}: ${inv.dataCenters.length} data centers, ${inv.services.length} services, ${inv.units.length} units, ${sites} sites\n`,
      );
    });

  inventory
    .command('import')
    .description('write an inventory for one province from the official table of new and old units (NSO, 2025-07)')
    .requiredOption('--nso <csv>', 'the conversion table as downloaded (e.g. ../shared/data/nso-dvhc-2025-07.csv)')
    .requiredOption('--province <code>', 'province code, e.g. 40 for Nghệ An (1 and 01 are the same)')
    .option('--site-cidr <cidr>', "address space the units' site subnets are allocated from, e.g. 10.40.0.0/16")
    .option('--unit-prefix <n>', "prefix length of each unit's subnet", '26')
    .option('--base <file>', 'an inventory whose data centers, services, checklist and existing allocations are kept')
    .option('--out <file>', 'write here instead of standard output')
    .action(async (opts: { nso: string; province: string; siteCidr?: string; unitPrefix: string; base?: string; out?: string }) => {
      const unitPrefix = Number(opts.unitPrefix);
      if (!Number.isInteger(unitPrefix) || unitPrefix < 8 || unitPrefix > 30)
        throw new UsageError(`--unit-prefix must be a whole number from 8 to 30, not "${opts.unitPrefix}"`);
      const csv = await readFile(opts.nso, 'utf8');
      const result = await importProvince({
        csv,
        csvFile: opts.nso,
        province: opts.province,
        siteCidr: opts.siteCidr,
        unitPrefix,
        baseFile: opts.base,
      });
      if (opts.out) {
        await writeFile(opts.out, result.yaml);
        process.stderr.write(`${opts.out}: ${result.summary}\n`);
      } else process.stdout.write(result.yaml);
    });
}
