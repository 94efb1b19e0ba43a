// Synthesis of an inventory file into Terraform JSON, offline: no telemetry, no version check,
// no crash reports. Used by stacks/main.ts (the cdktf CLI) and `sansang synth`.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AnnotationMetadataEntryType } from 'cdktf';
import { InputError, loadInventoryFile, type Inventory } from '../inventory/index.ts';
import { buildApp } from './app.ts';
import { writeBoardContext } from './board-context.ts';
import { formatFinding, policyFindings } from './policy/aspect.ts';
import { certificateSource } from './unit-stack.ts';

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
  /** Units with a portal whose certificate file does not exist yet (absolute paths). */
  missingCertificates: string[];
  /** Units without a portal: they get no unit stack. */
  unitsWithoutPortal: number;
  /** `Tỉnh Nghệ An (40)` */
  province: string;
  units: number;
  /** The inventory is a demo (`demo: true`): its stacks are not a province's. */
  demo: boolean;
}

/** No inventory was named: synth never picks one on its own (least of all the demo's). */
export class NoInventoryError extends InputError {
  override name = 'NoInventoryError';
  constructor() {
    super(
      'which inventory? Name it: `sansang synth --inventory province.yaml` (or SANSANG_INVENTORY=province.yaml); the demo province is --inventory inventory/examples/demo.yaml',
    );
  }
}

export async function synthInventory(opts: { inventory?: string; outdir?: string; stateDir?: string }): Promise<SynthResult> {
  offline();
  if (!opts.inventory) throw new NoInventoryError();
  const file = resolve(opts.inventory);
  const inv = await loadInventoryFile(file);
  return synthApp(inv, { inventoryDir: dirname(file), outdir: opts.outdir, stateDir: opts.stateDir });
}

export interface SynthOptions {
  inventoryDir: string;
  outdir?: string;
  stateDir?: string;
}

/** Synthesizes the stacks of a loaded inventory; throws on a policy violation. */
export function synthApp(inv: Inventory, opts: SynthOptions): SynthResult {
  offline();
  return withoutConstructStackTraces(() => synthBuilt(inv, opts));
}

/**
 * cdktf records a stack trace for every token and construct it creates; with source maps on (tsx)
 * that is most of the synth time of a whole country. Synth needs none of them: traces are off
 * while it runs, unless SANSANG_STACK_TRACES is set (to debug the stacks themselves).
 */
export function withoutConstructStackTraces<T>(fn: () => T): T {
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

function synthBuilt(inv: Inventory, opts: SynthOptions): SynthResult {
  const outdir = resolve(opts.outdir || 'cdktf.out');
  // cdktf makes the output directory, not its parents.
  mkdirSync(outdir, { recursive: true });
  const built = buildApp(inv, { inventoryDir: opts.inventoryDir, outdir, stateDir: opts.stateDir });
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
  if (built.boardContext) writeBoardContext(built.boardContext, outdir);
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
  const missingCertificates = inv.units.flatMap((u) => {
    if (!u.portal) return [];
    const cert = certificateSource(u, opts.inventoryDir);
    return existsSync(cert) ? [] : [cert];
  });
  return {
    outdir,
    stacks: stacks.map((s) => s.node.id),
    resources,
    warnings,
    missingCertificates,
    unitsWithoutPortal: inv.units.filter((u) => !u.portal).length,
    province: `${inv.province.name} (${inv.province.code})`,
    units: inv.units.length,
    demo: inv.demo,
  };
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
