// The dashboards folder: rules, alerts, alertmanager.yml, Grafana dashboards and the board.
// (Filled in by the checklist issue.)
import type { GeneratedFile, Inventory } from '../inventory/index.ts';

export function rulesFiles(_inv: Inventory): GeneratedFile[] {
  throw new Error('rules: not implemented yet');
}
export function alertmanagerFiles(_inv: Inventory): GeneratedFile[] {
  throw new Error('alertmanager config: not implemented yet');
}
export function dashboardFiles(_inv: Inventory): GeneratedFile[] {
  throw new Error('dashboards: not implemented yet');
}
