// Synthesis of an inventory file into Terraform JSON, offline: no telemetry, no version check,
// no crash reports. Used by stacks/main.ts (the cdktf CLI) and `sansang synth`.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AnnotationMetadataEntryType } from 'cdktf';
import { InputError, loadInventoryFile, type Inventory } from '../inventory/index.ts';
import { buildApp, PROJECT_ROOT } from './app.ts';
import { formatFinding, policyFindings } from './policy/aspect.ts';

export const DEFAULT_INVENTORY = resolve(PROJECT_ROOT, 'inventory/examples/demo.yaml');

/** Telemetry and update checks off: synth must work without network. */
export function offline(): void {
  process.env.CHECKPOINT_DISABLE ??= '1';
  process.env.DISABLE_VERSION_CHECK ??= 'true';
  process.env.CDKTF_DISABLE_PLUGIN_CACHE_ENV ??= 'true';
  process.env.SYNTH_HCL_OUTPUT ??= 'false';
}

export interface SynthResult {
  outdir: string;
  stacks: string[];
  resources: number;
  warnings: string[];
}

export async function synthInventory(opts: { inventory?: string; outdir?: string }): Promise<SynthResult> {
  offline();
  const file = resolve(opts.inventory || DEFAULT_INVENTORY);
  const inv = await loadInventoryFile(file);
  return synthApp(inv, { inventoryDir: dirname(file), outdir: opts.outdir });
}

/** Synthesizes the stacks of a loaded inventory; throws on a policy violation. */
export function synthApp(inv: Inventory, opts: { inventoryDir: string; outdir?: string }): SynthResult {
  offline();
  return withoutConstructStackTraces(() => synthBuilt(inv, opts));
}

/**
 * cdktf records a stack trace for every token and construct it creates; with source maps on (tsx)
 * that is most of the synth time of a whole country. Synth needs none of them: traces are off
 * while it runs, unless SANSANG_STACK_TRACES is set (to debug the stacks themselves).
 */
function withoutConstructStackTraces<T>(fn: () => T): T {
  if (process.env.SANSANG_STACK_TRACES) return fn();
  const limit = Error.stackTraceLimit;
  const sourceMaps = process.sourceMapsEnabled;
  const capture = Error.captureStackTrace;
  Error.stackTraceLimit = 0;
  process.setSourceMapsEnabled(false);
  // cdktf raises the limit itself before capturing a token's creation stack: make the capture a no-op.
  Error.captureStackTrace = () => undefined;
  try {
    return fn();
  } finally {
    Error.captureStackTrace = capture;
    Error.stackTraceLimit = limit;
    process.setSourceMapsEnabled(sourceMaps);
  }
}

function synthBuilt(inv: Inventory, opts: { inventoryDir: string; outdir?: string }): SynthResult {
  const outdir = resolve(opts.outdir || 'cdktf.out');
  const built = buildApp(inv, { inventoryDir: opts.inventoryDir, outdir });
  const stacks = [...built.dcStacks, ...built.unitStacks];
  // Every stack's violations at once, before anything is written (the aspects would stop at the first stack).
  const violations = stacks.flatMap((s) =>
    policyFindings(s)
      .filter((f) => !f.suppressed)
      .map(formatFinding),
  );
  if (violations.length) throw new PolicyError(violations);
  try {
    built.app.synth();
  } catch (e) {
    // A policy violation is a finding about the inventory or the stacks, not a crash: no stack trace.
    const m = e instanceof Error ? /^Encountered Annotations with level "ERROR":\n([\s\S]*?)(\n\n|$)/.exec(e.message) : null;
    if (m) throw new PolicyError(m[1]!.split('\n').filter(Boolean));
    throw e;
  }
  const warnings = stacks.flatMap((s) =>
    s.node
      .findAll()
      .flatMap((n) =>
        n.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => `${n.node.path}: ${String(m.data)}`),
      ),
  );
  const resources = stacks.reduce(
    (sum, s) => sum + countResources(JSON.parse(readFileSync(join(outdir, 'stacks', s.node.id, 'cdk.tf.json'), 'utf8'))),
    0,
  );
  return { outdir, stacks: stacks.map((s) => s.node.id), resources, warnings };
}

export function countResources(tf: { resource?: Record<string, Record<string, unknown>> }): number {
  return Object.values(tf.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
}

/** Synth stopped on policy violations: one line each, `[construct path] [RULE-ID] message`. */
export class PolicyError extends InputError {
  override name = 'PolicyError';
  constructor(readonly violations: string[]) {
    super(`synth stopped by ${violations.length} policy violation${violations.length === 1 ? '' : 's'}:\n  ${violations.join('\n  ')}`);
  }
}
