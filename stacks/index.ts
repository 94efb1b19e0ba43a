// The stacks folder: cdktf stacks and the pure generators of the configs they ship.
// (Filled in by the stacks issue.)
import type { GeneratedFile, Inventory } from '../inventory/index.ts';

export function prometheusFiles(_inv: Inventory): GeneratedFile[] {
  throw new Error('prometheus config: not implemented yet');
}
export function grafanaFiles(_inv: Inventory): GeneratedFile[] {
  throw new Error('grafana provisioning: not implemented yet');
}
export function haproxyFiles(_inv: Inventory): GeneratedFile[] {
  throw new Error('haproxy config: not implemented yet');
}
export function dnsFiles(_inv: Inventory): GeneratedFile[] {
  throw new Error('dns records: not implemented yet');
}
