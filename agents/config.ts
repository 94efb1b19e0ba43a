// Where the agent's slice comes from: the whole inventory and a site id (at the data center, or
// the demo), or the slice file the kit wrote (at the site). Either way the result is a validated
// SiteSliceDocument and the directory relative file names (CA files, TLS files) resolve against.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InputError, SiteSliceDocument, findSite, loadInventoryFile, siteSliceDocument } from '../inventory/index.ts';
import { durationMs } from './timeout.ts';

export type ConfigSource =
  | { kind: 'inventory'; file: string; site: string }
  | { kind: 'slice-file'; file: string }
  | { kind: 'slice'; slice: SiteSliceDocument; baseDir: string };

export interface LoadedConfig {
  slice: SiteSliceDocument;
  baseDir: string;
}

export async function loadConfig(src: ConfigSource): Promise<LoadedConfig> {
  let loaded: LoadedConfig;
  if (src.kind === 'slice') loaded = { slice: SiteSliceDocument.parse(src.slice), baseDir: src.baseDir };
  else if (src.kind === 'inventory') {
    const inv = await loadInventoryFile(src.file);
    if (!findSite(inv, src.site)) throw new InputError(`no site "${src.site}" in ${src.file}`);
    loaded = { slice: siteSliceDocument(inv, src.site), baseDir: dirname(resolve(src.file)) };
  } else {
    const text = await readFile(src.file, 'utf8');
    let data: unknown;
    try {
      data = src.file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    } catch (e) {
      throw new InputError(
        `${src.file}: not valid ${src.file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`,
      );
    }
    const r = SiteSliceDocument.safeParse(data);
    if (!r.success) {
      const first = r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
      throw new InputError(`${src.file}: not a site configuration: ${first.join('; ')}`);
    }
    loaded = { slice: r.data, baseDir: dirname(resolve(src.file)) };
  }
  cronFor(durationMs(loaded.slice.agent.interval), 0); // refuses an interval the schedule cannot keep
  return loaded;
}

/**
 * A node-cron expression (with seconds) for the interval, started `offsetS` seconds into the
 * period so agents do not all probe in the same second. Intervals must divide a minute, an hour
 * or a day evenly, so rounds stay evenly spaced.
 */
export function cronFor(intervalMs: number, offsetS: number): string {
  const s = intervalMs / 1000;
  const list = (period: number, step: number, off: number) =>
    Array.from({ length: period / step }, (_, i) => (off % step) + i * step).join(',');
  if (Number.isInteger(s) && s >= 1 && s <= 60 && 60 % s === 0) return `${list(60, s, Math.floor(offsetS))} * * * * *`;
  const m = s / 60;
  if (Number.isInteger(m) && m <= 60 && 60 % m === 0) return `${Math.floor(offsetS) % 60} ${list(60, m, Math.floor(offsetS / 60))} * * * *`;
  const h = s / 3600;
  if (Number.isInteger(h) && h <= 24 && 24 % h === 0)
    return `${Math.floor(offsetS) % 60} ${Math.floor(offsetS / 60) % 60} ${list(24, h, Math.floor(offsetS / 3600))} * * *`;
  throw new InputError(`agent.interval ${s} s: use an interval that divides a minute, an hour or a day evenly (e.g. 2s, 15s, 30s, 1m, 5m)`);
}
