// Where every generated file lives: in the output of `sansang config` (relative paths, the files
// refer to each other by these) and inside the containers the stacks upload them into.
import type { DataCenter, Portal, Unit } from '../../inventory/index.ts';

export const FILES = {
  /** Prometheus' configuration inside its container; `sansang config` writes one per data center (`prometheusConfigFile`). */
  prometheus: 'prometheus.yml',
  blackbox: 'blackbox.yml',
  agentTargets: 'targets/agents.json',
  blackboxTargets: 'targets/blackbox.json',
  haproxyTargets: 'targets/haproxy.json',
  /** Rule files `dashboards/` generates; their promtool tests must not match this glob. */
  rulesGlob: 'rules/*.rules.yml',
  grafanaDatasources: 'grafana/provisioning/datasources/sansang.yaml',
  grafanaDashboards: 'grafana/provisioning/dashboards/sansang.yaml',
} as const;

/** A data center's prometheus.yml as `sansang config` writes it, beside `rules/` and `targets/` (its paths are relative). */
export function prometheusConfigFile(dc: Pick<DataCenter, 'id'>): string {
  return `prometheus-${dc.id}.yml`;
}

/** Whether a file `dashboards/` generates is a rule file Prometheus loads (not a rule test). */
export function isRuleFile(path: string): boolean {
  return /^rules\/[^/]+\.rules\.yml$/.test(path);
}

/** One HAProxy config per unit and data center: `haproxy/<code>/<dc>.cfg`. */
export function haproxyConfigPath(unit: Pick<Unit, 'code'>, dc: Pick<DataCenter, 'id'>): string {
  return `haproxy/${unit.code}/${dc.id}.cfg`;
}

/** The certificate's name beside the config (HAProxy reads it relative to the config: `default-path config`). */
export function certificateFileName(portal: Pick<Portal, 'hostname'>): string {
  return `${portal.hostname}.pem`;
}

export function dnsZonePath(dc: Pick<DataCenter, 'id'>): string {
  return `dns/${dc.id}.zone`;
}

/** Paths inside the containers. */
export const CONTAINER = {
  prometheusDir: '/etc/prometheus',
  prometheusData: '/prometheus',
  alertmanagerDir: '/etc/alertmanager',
  alertmanagerData: '/alertmanager',
  grafanaProvisioning: '/etc/grafana/provisioning',
  grafanaDashboards: '/var/lib/grafana/dashboards',
  grafanaData: '/var/lib/grafana',
  blackboxConfig: '/etc/blackbox_exporter/config.yml',
  haproxyDir: '/usr/local/etc/haproxy',
  boardInventory: '/etc/sansang/inventory.yaml',
  boardTokens: '/etc/sansang/tokens.yaml',
  boardPeerToken: '/etc/sansang/peer-token',
  boardPushSecret: '/etc/sansang/push-secret',
  boardData: '/var/lib/sansang',
  nationalInventory: '/etc/sansang/national.yaml',
  vmstorageData: '/storage',
} as const;

/** Names the containers answer to on each data center's management network. */
export const ALIASES = {
  prometheus: 'prometheus',
  alertmanager: 'alertmanager',
  grafana: 'grafana',
  blackbox: 'blackbox',
  board: 'board',
} as const;
