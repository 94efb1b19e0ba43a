// The cdktf app: a `dc-<id>` stack per data center, then a `unit-<code>` stack per unit with a
// portal, each depending on the data-center stacks it deploys into. Deploy 'dc-*' then 'unit-*'.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'cdktf';
import type { Inventory } from '../inventory/index.ts';
import { boardContext, type BoardContext } from './board-context.ts';
import { DcStack, dcStackName } from './dc-stack.ts';
import { sharedFiles } from './shared-files.ts';
import { UnitStack } from './unit-stack.ts';

/** The project's root: the board image is built from its Dockerfile. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function projectVersion(): string {
  return (JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

export interface BuildOptions {
  /** The inventory file's folder (certificate paths are relative to it). */
  inventoryDir: string;
  /** Where synth writes; default `cdktf.out` (or CDKTF_OUTDIR when the cdktf CLI runs us). */
  outdir?: string;
  /** An app to add the stacks to (tests pass `Testing.app()`). */
  app?: App;
  projectRoot?: string;
  version?: string;
  /** Where the local Terraform state files are; default the folder that holds the output directory. */
  stateDir?: string;
}

export interface BuiltApp {
  app: App;
  dcStacks: DcStack[];
  unitStacks: UnitStack[];
  /** The board image's build context, to copy into the output directory (none when the inventory names an image). */
  boardContext?: BoardContext;
}

export function buildApp(inv: Inventory, opts: BuildOptions): BuiltApp {
  const app = opts.app ?? new App({ outdir: opts.outdir, stackTraces: false });
  const outdir = resolve(app.outdir);
  const stateDir = opts.stateDir ?? dirname(outdir);
  const projectRoot = opts.projectRoot ?? PROJECT_ROOT;
  const version = opts.version ?? projectVersion();
  const shared = sharedFiles(inv);
  const board = inv.images.board ? undefined : boardContext(projectRoot, [outdir]);
  const dcStacks = inv.dataCenters.map((dc) => new DcStack(app, { inventory: inv, dc, version, shared, boardContext: board, stateDir }));
  const byId = new Map(inv.dataCenters.map((dc, i) => [dc.id, dcStacks[i]!]));
  const unitStacks = inv.units
    .filter((u) => u.portal)
    .map((unit) => {
      const stack = new UnitStack(app, { inventory: inv, unit, inventoryDir: opts.inventoryDir, stateDir });
      for (const dcId of Object.keys(unit.portal!.addresses)) {
        const dc = byId.get(dcId);
        if (dc) stack.addDependency(dc);
      }
      return stack;
    });
  return { app, dcStacks, unitStacks, boardContext: board };
}

export { dcStackName };
