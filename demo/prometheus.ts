// `npm start -- --prometheus`: a real Prometheus on loopback scraping the demo's agents and
// board, with the rules dashboards/ generates, so the board can run in Prometheus mode.
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { InputError, JOBS, LABELS, receivesRemoteWrite, writeGeneratedFiles, type Inventory } from '../inventory/index.ts';
import { rulesFiles } from '../dashboards/index.ts';
import { agentTargets } from '../stacks/index.ts';
import type { Processes } from './processes.ts';

export function prometheusBinary(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).trim();
  } catch {
    throw new InputError('--prometheus needs the prometheus program on PATH (Debian: apt-get install prometheus)');
  }
}

/**
 * The demo's prometheus.yml: the agents on their loopback addresses and the board, nothing else.
 * The agents' targets and labels are the ones production scrapes (stacks/config/prometheus.ts).
 */
export function demoPrometheusConfig(inv: Inventory, board: string, ruleFiles: string[], scrapeInterval = '5s'): string {
  return stringify({
    // As every generated Prometheus: the province and the replica (the demo runs one).
    global: {
      scrape_interval: scrapeInterval,
      evaluation_interval: scrapeInterval,
      external_labels: { [LABELS.province]: inv.province.code, [LABELS.replica]: 'demo' },
    },
    rule_files: ruleFiles,
    scrape_configs: [
      { job_name: JOBS.agent, static_configs: agentTargets(inv) },
      { job_name: JOBS.board, static_configs: [{ targets: [board], labels: { datacenter: 'demo' } }] },
    ],
  });
}

export async function startPrometheus(o: {
  inv: Inventory;
  dir: string;
  listen: string;
  board: string;
  procs: Processes;
  cli: string;
  inventoryFile: string;
}): Promise<string> {
  const bin = prometheusBinary();
  await mkdir(join(o.dir, 'data'), { recursive: true });
  const rules = rulesFiles(o.inv);
  await writeGeneratedFiles(o.dir, rules);
  const ruleFiles = rules.filter((f) => /^groups:/m.test(f.content)).map((f) => f.path);
  await writeGeneratedFiles(o.dir, [{ path: 'prometheus.yml', content: demoPrometheusConfig(o.inv, o.board, ruleFiles) }]);
  await o.procs.start('prometheus', bin, [
    `--config.file=${join(o.dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(o.dir, 'data')}`,
    `--web.listen-address=${o.listen}`,
    '--storage.tsdb.retention.time=2d',
    // What the agents push over links the data center cannot reach, forwarded by the board (as the stacks run it).
    ...(receivesRemoteWrite(o.inv) ? ['--web.enable-remote-write-receiver'] : []),
  ]);
  return `http://${o.listen}`;
}
