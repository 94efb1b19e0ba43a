// The dashboards folder: rules, alerts, alertmanager.yml, Grafana dashboards and the board, all
// rendering the inventory's checklist. Other folders import only this file.
import type { GeneratedFile, Inventory } from '../inventory/index.ts';
import { rulesFiles as generateRules } from './rules/index.ts';
import { alertmanagerFiles as generateAlertmanager, type AlertmanagerOptions } from './alertmanager.ts';
import { dashboardFiles as generateDashboards } from './grafana/index.ts';

/** rules/sansang.rules.yml, its promtool tests rules/sansang.rules.test.yml, rules/RUNBOOK.md. */
export function rulesFiles(inv: Inventory): GeneratedFile[] {
  return generateRules(inv);
}
/** alertmanager/alertmanager.yml (`version`: the Alertmanager that reads it, see AlertmanagerOptions). */
export function alertmanagerFiles(inv: Inventory, opts: AlertmanagerOptions = {}): GeneratedFile[] {
  return generateAlertmanager(inv, opts);
}
export type { AlertmanagerOptions } from './alertmanager.ts';
/** grafana/dashboards/*.json, for Grafana's file provisioning. */
export function dashboardFiles(inv: Inventory): GeneratedFile[] {
  return generateDashboards(inv);
}
export * from './board/index.ts';
export {
  startNational,
  NATIONAL_QUERIES,
  NATIONAL_MEMORY,
  NationalCore,
  evaluateNational,
  nationalDashboard,
  nationalDashboardFiles,
  NATIONAL_DASHBOARD_UID,
  provinceStateExpr,
  worstUnitsExpr,
  type StartNationalOptions,
  type RunningNational,
  type NationalEvaluation,
  type NationalUnit,
  type NationalProvinceView,
} from './national/index.ts';
