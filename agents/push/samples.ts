// What the data center would have scraped, as samples to push: the agent's own exposition (the
// very text /metrics serves) read back into series, with the labels Prometheus would have added
// to a scrape of this link (job, unit, site, scrape_link, instance) and the `up` a scrape writes.
import { FOREIGN_METRICS, JOBS, LABELS, type LinkName, type RemoteSample, type SiteSliceDocument } from '../../inventory/index.ts';

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseValue(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

/** The samples of a Prometheus text exposition (comments skipped; label values unescaped). */
export function parseExposition(text: string): ParsedSample[] {
  const out: ParsedSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    let i = 0;
    while (i < line.length && line[i] !== '{' && line[i] !== ' ') i++;
    const name = line.slice(0, i);
    const labels: Record<string, string> = {};
    if (line[i] === '{') {
      i++;
      while (i < line.length && line[i] !== '}') {
        const eq = line.indexOf('=', i);
        const key = line.slice(i, eq).replace(/^[,\s]+/, '');
        i = eq + 2; // past ="
        let v = '';
        while (i < line.length && line[i] !== '"') {
          if (line[i] === '\\') {
            const c = line[i + 1];
            v += c === 'n' ? '\n' : c;
            i += 2;
          } else v += line[i++];
        }
        labels[key] = v;
        i++; // past the closing quote
        while (line[i] === ',' || line[i] === ' ') i++;
      }
      i++; // past }
    }
    const rest = line.slice(i).trim().split(/\s+/);
    const value = parseValue(rest[0] ?? '');
    if (name && !Number.isNaN(value)) out.push({ name, labels, value });
    else if (name && rest[0] === 'NaN') out.push({ name, labels, value: NaN });
  }
  return out;
}

/** The target labels a scrape of this site over `link` carries (stacks/config/prometheus.ts' agentTargets, and `job`, `instance`). */
export function targetLabels(slice: SiteSliceDocument, link: LinkName): Record<string, string> {
  const l = slice.site.links[link]!;
  const host = l.address.includes(':') ? `[${l.address}]` : l.address;
  return {
    job: JOBS.agent,
    instance: `${host}:${slice.site.agentPort}`,
    [LABELS.unit]: slice.unit.code,
    [LABELS.site]: slice.site.id,
    [LABELS.scrapeLink]: link,
  };
}

/**
 * One push's samples: every series of the exposition with the link's target labels, all at
 * `ms` (the data center's time as the agent estimates it, so freshness and the clock item are
 * judged as for a scrape), and `up` 1: what a successful scrape over the link would have written.
 */
export function pushSamples(exposition: string, target: Record<string, string>, ms: number): RemoteSample[] {
  const out: RemoteSample[] = parseExposition(exposition).map((s) => ({
    labels: { ...s.labels, __name__: s.name, ...target },
    value: s.value,
    ms,
  }));
  out.push({ labels: { __name__: FOREIGN_METRICS.up, ...target }, value: 1, ms });
  return out;
}
