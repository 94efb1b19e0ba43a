// The container images the stacks run, pinned to exact versions. An inventory may name others
// (`images:`), and the policy rejects any image without an exact version or digest.
import type { Inventory } from '../../inventory/index.ts';

export const DEFAULT_IMAGES = {
  prometheus: 'prom/prometheus:v3.5.0',
  alertmanager: 'prom/alertmanager:v0.28.1',
  // The dashboards use schema version 42: Grafana 12.x reads it.
  grafana: 'grafana/grafana:12.2.0',
  blackbox: 'prom/blackbox-exporter:v0.27.0',
  haproxy: 'haproxy:3.2.4',
} as const;

export type ImageName = keyof typeof DEFAULT_IMAGES;

export interface ResolvedImages extends Record<ImageName, string> {
  /** A published sansang image, or undefined: then each data center builds one from the Dockerfile. */
  board?: string;
}

export function resolveImages(inv: Pick<Inventory, 'images'>): ResolvedImages {
  const i = inv.images;
  return {
    prometheus: i.prometheus ?? DEFAULT_IMAGES.prometheus,
    alertmanager: i.alertmanager ?? DEFAULT_IMAGES.alertmanager,
    grafana: i.grafana ?? DEFAULT_IMAGES.grafana,
    blackbox: i.blackbox ?? DEFAULT_IMAGES.blackbox,
    haproxy: i.haproxy ?? DEFAULT_IMAGES.haproxy,
    board: i.board,
  };
}

/**
 * Is the reference pinned? `name@sha256:<64 hex>`, or a tag that is an exact version
 * (`v3.5.0`, `12.2.0`, `3.2.4-bookworm`); never `latest`, a bare major or no tag at all.
 */
export function isPinnedImage(ref: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(ref)) return true;
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':', lastSlash + 1);
  if (colon < 0) return false;
  const tag = ref.slice(colon + 1);
  return /^v?\d+\.\d+\.\d+([-.+][0-9A-Za-z.-]+)?$/.test(tag);
}
