// The cdktf app's entry point (cdktf.json: `npx tsx stacks/main.ts`): synthesizes the stacks of the
// inventory named by SANSANG_INVENTORY (default: the example) into cdktf.out/ (or CDKTF_OUTDIR).
import { synthInventory } from './synth.ts';

await synthInventory({ inventory: process.env.SANSANG_INVENTORY, outdir: process.env.CDKTF_OUTDIR });
