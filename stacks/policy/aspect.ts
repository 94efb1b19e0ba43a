// The policy as a cdktf Aspect. It must be added to EVERY stack: in cdktf 0.21 an Aspect on the App
// is never run. A violation is an error annotation (rule id, resource path), which fails synth;
// a suppression names the rule and needs a written reason.
import { Annotations, TerraformResource, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import { RULES, type Rule } from './rules.ts';

const SUPPRESS = 'sansang:policy-suppression';
const MIN_REASON = 10;

export interface Suppression {
  rule: string;
  reason: string;
}

/** Exempts `scope` and everything under it from one rule; the reason is printed at every synth. */
export function suppress(scope: IConstruct, rule: string, reason: string): void {
  if (!RULES.some((r) => r.id === rule)) throw new Error(`no policy rule ${rule}; rules: ${RULES.map((r) => r.id).join(', ')}`);
  if (reason.trim().length < MIN_REASON)
    throw new Error(`suppressing ${rule} at ${scope.node.path} needs a written reason (at least ${MIN_REASON} characters)`);
  scope.node.addMetadata(SUPPRESS, { rule, reason: reason.trim() } satisfies Suppression);
}

function suppressionFor(node: IConstruct, rule: string): Suppression | undefined {
  for (let c: IConstruct | undefined = node; c; c = c.node.scope) {
    for (const m of c.node.metadata) if (m.type === SUPPRESS && (m.data as Suppression).rule === rule) return m.data as Suppression;
  }
  return undefined;
}

export interface Violation {
  rule: string;
  path: string;
  message: string;
}

/**
 * The resource's configuration as Terraform will read it (snake_case keys). References stay
 * unresolved tokens, which the rules treat as references: resolving every value of every
 * resource would double the synth time of a whole country.
 */
function configOf(resource: TerraformResource): Record<string, unknown> {
  const json = resource.toTerraform() as { resource?: Record<string, Record<string, Record<string, unknown>>> };
  const byType = json.resource?.[resource.terraformResourceType] ?? {};
  return Object.values(byType)[0] ?? {};
}

export function checkResource(resource: TerraformResource, rules: readonly Rule[] = RULES): Violation[] {
  const applicable = rules.filter((r) => r.types.includes(resource.terraformResourceType));
  if (!applicable.length) return [];
  const config = configOf(resource);
  return applicable.flatMap((r) => {
    const message = r.check(config);
    return message ? [{ rule: r.id, path: resource.node.path, message }] : [];
  });
}

export interface Finding extends Violation {
  /** Set when a suppression covers it. */
  suppressed?: string;
}

/** Every finding of the rules under `scope`, with suppressions applied. */
export function policyFindings(scope: IConstruct, rules: readonly Rule[] = RULES): Finding[] {
  return scope.node.findAll().flatMap((n) => (n instanceof TerraformResource ? findingsOf(n, rules) : []));
}

// Synth checks every stack before writing and the aspects check again: look once per resource.
const checked = new WeakMap<TerraformResource, { rules: readonly Rule[]; findings: Finding[] }>();

function findingsOf(resource: TerraformResource, rules: readonly Rule[]): Finding[] {
  const seen = checked.get(resource);
  if (seen && seen.rules === rules) return seen.findings;
  const findings = checkResource(resource, rules).map((v) => {
    const s = suppressionFor(resource, v.rule);
    return s ? { ...v, suppressed: s.reason } : v;
  });
  checked.set(resource, { rules, findings });
  return findings;
}

export function formatFinding(f: Finding): string {
  return f.suppressed ? `[${f.rule}] suppressed: ${f.suppressed}` : `[${f.rule}] ${f.message} (${f.path})`;
}

export class PolicyAspect implements IAspect {
  constructor(private readonly rules: readonly Rule[] = RULES) {}

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource)) return;
    for (const f of findingsOf(node, this.rules)) {
      if (f.suppressed) Annotations.of(node).addInfo(formatFinding(f));
      else Annotations.of(node).addError(formatFinding(f));
    }
  }
}
