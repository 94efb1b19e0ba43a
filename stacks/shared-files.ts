// The files every data center's stack ships alike: generated once per app, then handed to each
// `dc-<id>` stack (they do not depend on the data center).
import type { GeneratedFile, Inventory } from '../inventory/index.ts';
import { prometheusFiles } from './config/prometheus.ts';
import { grafanaFiles } from './config/grafana.ts';
import { FILES } from './config/layout.ts';
import { shippedAlertmanager, shippedDashboards, shippedRules } from './shipped.ts';

export interface SharedFiles {
  /** prometheus.yml and its target files. */
  prometheus: GeneratedFile[];
  /** The blackbox exporter's modules. */
  blackbox: GeneratedFile;
  rules: GeneratedFile[];
  alertmanager: GeneratedFile[];
  dashboards: GeneratedFile[];
  /** Grafana provisioning. */
  grafana: GeneratedFile[];
  /** The inventory the board reads. */
  inventoryYaml: string;
}

export function sharedFiles(inv: Inventory): SharedFiles {
  const prom = prometheusFiles(inv);
  return {
    prometheus: prom.filter((f) => f.path !== FILES.blackbox),
    blackbox: prom.find((f) => f.path === FILES.blackbox)!,
    rules: shippedRules(inv),
    alertmanager: shippedAlertmanager(inv),
    dashboards: shippedDashboards(inv),
    grafana: grafanaFiles(inv),
    // JSON is YAML (1.2): the board's loader reads it, and it is written far faster for a whole country.
    inventoryYaml: `${JSON.stringify(inv, null, 1)}\n`,
  };
}
