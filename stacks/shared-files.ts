// The files the data centers' stacks ship: generated once per app, then handed to each `dc-<id>`
// stack. All are the same in every data center but prometheus.yml (its replica label, its
// remote-write URL), kept per data center.
import type { GeneratedFile, Inventory } from '../inventory/index.ts';
import { prometheusFiles } from './config/prometheus.ts';
import { grafanaFiles } from './config/grafana.ts';
import { FILES, prometheusConfigFile } from './config/layout.ts';
import { shippedAlertmanager, shippedDashboards, shippedRules } from './shipped.ts';

export interface SharedFiles {
  /** Each data center's prometheus.yml, by data center id (path: FILES.prometheus). */
  prometheusConfig: Map<string, GeneratedFile>;
  /** prometheus.yml's file_sd target files. */
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
  const configs = new Map(inv.dataCenters.map((dc) => [prometheusConfigFile(dc), dc.id]));
  return {
    prometheusConfig: new Map(
      prom.filter((f) => configs.has(f.path)).map((f) => [configs.get(f.path)!, { path: FILES.prometheus, content: f.content }]),
    ),
    prometheus: prom.filter((f) => f.path !== FILES.blackbox && !configs.has(f.path)),
    blackbox: prom.find((f) => f.path === FILES.blackbox)!,
    rules: shippedRules(inv),
    alertmanager: shippedAlertmanager(inv),
    dashboards: shippedDashboards(inv),
    grafana: grafanaFiles(inv),
    // JSON is YAML (1.2): the board's loader reads it, and it is written far faster for a whole country.
    inventoryYaml: `${JSON.stringify(inv, null, 1)}\n`,
  };
}
