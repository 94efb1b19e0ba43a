// `sansang inventory check` and `sansang inventory import`.
import { writeFile, readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { formatProblem, loadInventoryFile, readInventoryFile } from '../inventory/index.ts';
import { diffInventories, formatDiff } from '../inventory/diff.ts';
import { importProvince, PROVINCE_TEMPLATE } from '../inventory/importer.ts';
import { UsageError } from './errors.ts';

interface ImportFlags {
  nso: string;
  province: string;
  siteCidr?: string;
  unitPrefix: string;
  base?: string;
  legacy?: string;
  out?: string;
}

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
        `${file}: valid — ${inv.province.name}: ${inv.dataCenters.length} data centers, ${inv.services.length} services, ${inv.units.length} units, ${sites} sites${inv.demo ? ' (a demo: its stand-ins are on this machine; not a province to deploy)' : ''}\n`,
      );
    });

  inventory
    .command('import')
    .description('write an inventory for one province from the official table of new and old units (NSO, 2025-07)')
    .requiredOption('--nso <csv>', 'the conversion table as downloaded (e.g. ../shared/data/nso-dvhc-2025-07.csv)')
    .requiredOption('--province <code>', 'province code, e.g. 40 for Nghệ An (1 and 01 are the same)')
    .option('--site-cidr <cidr>', "address space the units' site subnets are allocated from, e.g. 10.40.0.0/16")
    .option('--unit-prefix <n>', "prefix length of each unit's subnet", '26')
    .option(
      '--base <file>',
      `the province's inventory (first time: a copy of ${PROVINCE_TEMPLATE}, filled in): its data centers, services, checklist, teams, portal plan and every allocation are kept`,
    )
    .option('--legacy <csv>', "the old units' portals: old_code,hostname,keep_paths,new_code (see inventory/README.md)")
    .option('--out <file>', 'write here instead of standard output')
    .action(async (opts: ImportFlags) => {
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
        ...(opts.legacy ? { legacy: { text: await readFile(opts.legacy, 'utf8'), file: opts.legacy } } : {}),
      });
      if (opts.out) {
        await writeFile(opts.out, result.yaml);
        process.stderr.write(`${opts.out}: ${result.summary}\n`);
      } else process.stdout.write(result.yaml);
    });

  inventory
    .command('diff')
    .description(
      'what changed between two imports of a province: units added, dropped, renamed, merged from other old units; exit 1 when a kept unit lost its subnet or portal address',
    )
    .argument('<old>', 'the inventory before (e.g. the one deployed)')
    .argument('<new>', 'the inventory after (e.g. re-imported from the amended table)')
    .action(async (oldFile: string, newFile: string) => {
      const d = diffInventories(await loadInventoryFile(oldFile), await loadInventoryFile(newFile));
      process.stdout.write(`${oldFile} → ${newFile}\n${formatDiff(d).join('\n')}\n`);
      if (d.moved.length) process.exitCode = 1;
    });
}
