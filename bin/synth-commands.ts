// `sansang synth --inventory FILE [--out DIR]`: the cdktf stacks of an inventory as Terraform JSON,
// offline (no cdktf CLI needed). Deploy with `cdktf deploy --skip-synth 'dc-*'` then `'unit-*'`,
// or with terraform/tofu in each cdktf.out/stacks/<stack> folder.
import { relative } from 'node:path';
import type { Command } from 'commander';

export function registerSynthCommands(program: Command): void {
  program
    .command('synth')
    .description('synthesize the dc-<id> and unit-<code> stacks of an inventory into Terraform JSON (cdktf.out/)')
    .option('--inventory <file>', 'the inventory YAML file (default: $SANSANG_INVENTORY; the demo is inventory/examples/demo.yaml)')
    .option('--out <dir>', 'output directory', 'cdktf.out')
    .option('--state-dir <dir>', "where each stack's local Terraform state is kept (default: the folder that holds --out)")
    .action(async (opts: { inventory?: string; out: string; stateDir?: string }) => {
      const { synth } = await import('../stacks/index.ts');
      const inventory = opts.inventory ?? process.env.SANSANG_INVENTORY;
      if (inventory) process.stdout.write(`inventory: ${inventory}${opts.inventory ? '' : ' (from SANSANG_INVENTORY)'}\n`);
      const r = await synth({ inventory, outdir: opts.out, stateDir: opts.stateDir });
      for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
      const dcs = r.stacks.filter((s) => s.startsWith('dc-'));
      const units = r.stacks.filter((s) => s.startsWith('unit-'));
      process.stdout.write(
        `synthesized ${r.stacks.length} stacks of ${r.province} (${dcs.length} data centers, ${units.length} units), ${r.resources} resources, into ${r.outdir}\n`,
      );
      if (r.demo)
        process.stderr.write(
          `note: ${inventory} is a demo inventory (demo: true): its services are stand-ins on this machine; deploy a province's own inventory (see inventory/examples/province-template.yaml)\n`,
        );
      if (r.unitsWithoutPortal)
        process.stderr.write(
          `note: ${r.unitsWithoutPortal} of ${r.units} units have no portal, so no unit-<code> stack: give the inventory a portalPlan and import again (see inventory/README.md)\n`,
        );
      const missing = r.missingCertificates;
      if (missing.length)
        process.stderr.write(
          `warning: ${missing.length} of ${units.length} unit certificates do not exist yet (first: ${relative(process.cwd(), missing[0]!)}); ` +
            `\`npx sansang certs csr --inventory ${inventory}\` writes a key and a CSR per unit for your CA; Terraform stops at deploy until they exist\n`,
        );
      process.stdout.write(`deploy in this order: ${dcs.join(' ')} then the unit stacks ('unit-*')\n`);
    });
}
