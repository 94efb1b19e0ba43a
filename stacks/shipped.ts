// What the stacks ship from `dashboards/` (rules, alertmanager.yml, dashboards), with the paths
// the containers expect.
import { alertmanagerFiles, dashboardFiles, rulesFiles } from '../dashboards/index.ts';
import type { GeneratedFile, Inventory } from '../inventory/index.ts';
import { isRuleFile } from './config/layout.ts';

/** The rule files Prometheus loads (`rules/*.rules.yml`); their promtool tests stay out. */
export function shippedRules(inv: Inventory): GeneratedFile[] {
  return rulesFiles(inv).filter((f) => isRuleFile(f.path));
}

/** alertmanager.yml and any template beside it, with paths relative to alertmanager.yml's folder. */
export function shippedAlertmanager(inv: Inventory): GeneratedFile[] {
  const files = alertmanagerFiles(inv);
  const main = files.find((f) => f.path === 'alertmanager.yml' || f.path.endsWith('/alertmanager.yml'));
  if (!main) throw new Error('dashboards/ generated no alertmanager.yml');
  const base = main.path.slice(0, main.path.length - 'alertmanager.yml'.length);
  return files.filter((f) => f.path.startsWith(base)).map((f) => ({ path: f.path.slice(base.length), content: f.content }));
}

/** Dashboard JSON files, by file name. */
export function shippedDashboards(inv: Inventory): GeneratedFile[] {
  return dashboardFiles(inv)
    .filter((f) => f.path.endsWith('.json'))
    .map((f) => ({ path: f.path.split('/').pop()!, content: f.content }));
}
