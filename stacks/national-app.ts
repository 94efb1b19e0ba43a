// The national app: a `national-<id>` stack per national data center, each a whole store of its
// own (no dependency between them), and its offline synth under the policy (`sansang national
// synth`), every violation at once before anything is written.
import { dirname, resolve } from 'node:path';
import { App } from 'cdktf';
import { loadNationalFile, type NationalInventory } from '../inventory/index.ts';
import { PROJECT_ROOT, projectVersion } from './app.ts';
import { boardContext, writeBoardContext, type BoardContext } from './board-context.ts';
import { NationalStack } from './national-stack.ts';
import { formatFinding, policyFindings } from './policy/aspect.ts';
import { countResources, offline, PolicyError, withoutConstructStackTraces } from './synth.ts';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface NationalBuildOptions {
  outdir?: string;
  app?: App;
  projectRoot?: string;
  version?: string;
  stateDir?: string;
}

export interface BuiltNationalApp {
  app: App;
  stacks: NationalStack[];
  boardContext?: BoardContext;
}

export function buildNationalApp(nat: NationalInventory, opts: NationalBuildOptions = {}): BuiltNationalApp {
  const app = opts.app ?? new App({ outdir: opts.outdir, stackTraces: false });
  const outdir = resolve(app.outdir);
  const stateDir = opts.stateDir ?? dirname(outdir);
  const version = opts.version ?? projectVersion();
  const board = nat.images.board ? undefined : boardContext(opts.projectRoot ?? PROJECT_ROOT, [outdir]);
  const stacks = nat.dataCenters.map((dc) => new NationalStack(app, { national: nat, dc, version, boardContext: board, stateDir }));
  return { app, stacks, boardContext: board };
}

export interface NationalSynthResult {
  outdir: string;
  stacks: string[];
  resources: number;
  provinces: number;
}

export function synthNationalApp(nat: NationalInventory, opts: NationalBuildOptions = {}): NationalSynthResult {
  offline();
  return withoutConstructStackTraces(() => {
    const outdir = resolve(opts.outdir || 'cdktf.out');
    // cdktf makes the output directory, not its parents.
    mkdirSync(outdir, { recursive: true });
    const built = buildNationalApp(nat, { ...opts, outdir });
    const violations = built.stacks.flatMap((s) =>
      policyFindings(s)
        .filter((f) => !f.suppressed)
        .map(formatFinding),
    );
    if (violations.length) throw new PolicyError(violations);
    built.app.synth();
    if (built.boardContext) writeBoardContext(built.boardContext, outdir);
    const resources = built.stacks.reduce(
      (sum, s) => sum + countResources(JSON.parse(readFileSync(join(outdir, 'stacks', s.node.id, 'cdk.tf.json'), 'utf8'))),
      0,
    );
    return { outdir, stacks: built.stacks.map((s) => s.node.id), resources, provinces: nat.provinces.length };
  });
}

export async function synthNational(opts: { national: string; outdir?: string; stateDir?: string }): Promise<NationalSynthResult> {
  offline();
  const nat = await loadNationalFile(resolve(opts.national));
  return synthNationalApp(nat, { outdir: opts.outdir, stateDir: opts.stateDir });
}
