// The cdktf app's entry point (cdktf.json: `npx tsx stacks/main.ts`): synthesizes the stacks of the
// inventory named by SANSANG_INVENTORY into cdktf.out/ (or CDKTF_OUTDIR). Without it, it says so.
import { InputError, InventoryError } from '../inventory/index.ts';
import { synthInventory } from './synth.ts';

try {
  const r = await synthInventory({ inventory: process.env.SANSANG_INVENTORY, outdir: process.env.CDKTF_OUTDIR });
  process.stderr.write(`sansang: synthesized ${r.stacks.length} stacks of ${process.env.SANSANG_INVENTORY}\n`);
} catch (e) {
  if (!(e instanceof InputError || e instanceof InventoryError)) throw e;
  process.stderr.write(`${e instanceof InputError ? 'sansang: ' : ''}${e.message}\n`);
  process.exitCode = 1;
}
