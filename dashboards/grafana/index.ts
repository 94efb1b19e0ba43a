// `dashboardFiles`: the Grafana dashboards as JSON files for Grafana's file provisioning.
import type { GeneratedFile, Inventory } from '../../inventory/index.ts';
import { agentsDashboard, overviewDashboard, unitDashboard, wanDashboard } from './dashboards.ts';

/** Where the dashboards are written, relative to the output directory. */
export const DASHBOARDS_DIR = 'grafana/dashboards';
export { UIDS as DASHBOARD_UIDS } from './dashboards.ts';

export function dashboards(inv: Inventory) {
  const all = [overviewDashboard(inv), unitDashboard(inv), wanDashboard(inv), agentsDashboard(inv)];
  // Stable panel ids (Grafana would otherwise number them on load, differently after each edit).
  for (const d of all) (d.panels ?? []).forEach((p, i) => (p.id = i + 1));
  return all;
}

export function dashboardFiles(inv: Inventory): GeneratedFile[] {
  return dashboards(inv).map((d) => ({ path: `${DASHBOARDS_DIR}/${d.uid}.json`, content: `${JSON.stringify(d, null, 2)}\n` }));
}
