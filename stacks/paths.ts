// Paths a stack hands to Terraform, relative to the stack's own folder (`cdktf.out/stacks/<stack>`,
// where cdktf and `terraform -chdir` run it): no absolute path of the machine that synthesised
// reaches cdktf.out, which can then be copied to the machine that deploys, with the inventory's
// folder (its certificates) and the state files where they were, relative to it.
import { join, relative, resolve, sep } from 'node:path';
import { App, LocalBackend, type TerraformStack } from 'cdktf';

/** The stack's folder in the output directory. */
export function stackDir(stack: TerraformStack): string {
  return join(resolve(App.of(stack).outdir), 'stacks', stack.node.id);
}

/** `target` as Terraform reads it from the stack's folder: relative, `/`-separated. */
export function fromStackDir(stack: TerraformStack, target: string): string {
  return relative(stackDir(stack), resolve(target)).split(sep).join('/') || '.';
}

/**
 * The stack's state in `<stateDir>/terraform.<stack>.tfstate` (where cdktf itself keeps it when run
 * from the project), named relative to the stack's folder.
 */
export function localState(stack: TerraformStack, stateDir: string): void {
  new LocalBackend(stack, { path: fromStackDir(stack, join(stateDir, `terraform.${stack.node.id}.tfstate`)) });
}
