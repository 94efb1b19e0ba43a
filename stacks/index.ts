// The stacks folder: cdktf stacks (dc-<id>, unit-<code>) and the pure generators of the configs
// they ship (prometheus.yml and targets, haproxy.cfg, Grafana provisioning, DNS records).
export { prometheusFiles, prometheusConfig, agentTargets, blackboxTargets, haproxyTargets } from './config/prometheus.ts';
export { grafanaFiles, GRAFANA_DATASOURCE_UID, GRAFANA_ALERTMANAGER_UID, GRAFANA_FOLDER } from './config/grafana.ts';
export { haproxyFiles, haproxyConfig, HEALTH_CHECK, HAPROXY_MONITOR_PORT } from './config/haproxy.ts';
export { dnsFiles, dnsZone, DNS_TTL } from './config/dns.ts';
export { FILES, isRuleFile, haproxyConfigPath, certificateFileName, dnsZonePath, prometheusConfigFile } from './config/layout.ts';
export { DEFAULT_IMAGES, resolveImages, isPinnedImage } from './config/images.ts';
export { hostPort } from './config/net.ts';
export { certificateRequests, certificateFiles } from './certificates.ts';

/**
 * Synthesizes the stacks of an inventory file into Terraform JSON (`sansang synth`, stacks/main.ts).
 * Loaded on demand: cdktf and the provider bindings take a moment to load, which the other
 * commands should not pay.
 */
export async function synth(opts: { inventory?: string; outdir?: string; stateDir?: string }) {
  const { synthInventory } = await import('./synth.ts');
  return synthInventory(opts);
}

/** Synthesizes the national stacks of a national inventory file (`sansang national synth`). */
export async function synthNational(opts: { national: string; outdir?: string; stateDir?: string }) {
  const { synthNational: run } = await import('./national-app.ts');
  return run(opts);
}
export { nationalGrafanaFiles, provinceFeedFile, singleNodeArgs, NATIONAL_IMAGES } from './config/national.ts';
