// `sansang synth [--inventory FILE] [--out DIR]`: the cdktf stacks of an inventory as Terraform JSON,
// offline (no cdktf CLI needed). Deploy with `cdktf deploy --skip-synth 'dc-*'` then `'unit-*'`,
// or with terraform/tofu in each cdktf.out/stacks/<stack> folder.
import type { Command } from 'commander';

export function registerSynthCommands(program: Command): void {
  program
    .command('synth')
    .description('synthesize the dc-<id> and unit-<code> stacks of an inventory into Terraform JSON (cdktf.out/)')
    .option('--inventory <file>', 'the inventory YAML file (default: $SANSANG_INVENTORY, else the example)')
    .option('--out <dir>', 'output directory', 'cdktf.out')
    .action(async (opts: { inventory?: string; out: string }) => {
      const { DEFAULT_INVENTORY, synth } = await import('../stacks/index.ts');
      const r = await synth({ inventory: opts.inventory ?? process.env.SANSANG_INVENTORY ?? DEFAULT_INVENTORY, outdir: opts.out });
      for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
      const dcs = r.stacks.filter((s) => s.startsWith('dc-'));
      const units = r.stacks.filter((s) => s.startsWith('unit-'));
      process.stdout.write(
        `synthesized ${r.stacks.length} stacks (${dcs.length} data centers, ${units.length} units), ${r.resources} resources, into ${r.outdir}\n` +
          `deploy in this order: ${dcs.join(' ')} then the unit stacks ('unit-*')\n`,
      );
    });
}
