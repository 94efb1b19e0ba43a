// The demo's prometheus.yml scrapes the agents exactly as production does: the same targets and
// labels (stacks/config/prometheus.ts), the same job names (inventory/names.ts).
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { JOBS, loadInventoryFile, type Inventory } from '../inventory/index.ts';
import { agentTargets } from '../stacks/index.ts';
import { demoPrometheusConfig } from './prometheus.ts';

type Config = { scrape_configs: { job_name: string; static_configs: { targets: string[]; labels: Record<string, string> }[] }[] };

const jobs = (inv: Inventory) => (parse(demoPrometheusConfig(inv, '127.0.0.1:18700', [])) as Config).scrape_configs;

describe('demoPrometheusConfig', () => {
  it("scrapes the agents with the stacks' targets, and the board", async () => {
    const inv = await loadInventoryFile('inventory/examples/demo.yaml');
    const [agents, board] = jobs(inv);
    expect(agents!.job_name).toBe(JOBS.agent);
    expect(agents!.static_configs).toEqual(agentTargets(inv));
    expect(agents!.static_configs[0]!.targets).toEqual(['127.0.1.10:9464']);
    expect(board!.job_name).toBe(JOBS.board);
  });

  it('labels what it sends with the province and its replica, as every generated Prometheus', async () => {
    const inv = await loadInventoryFile('inventory/examples/demo.yaml');
    const config = parse(demoPrometheusConfig(inv, '127.0.0.1:18700', [])) as { global: { external_labels: Record<string, string> } };
    expect(config.global.external_labels).toEqual({ province: '40', replica: 'demo' });
  });

  it('brackets an IPv6 agent address', async () => {
    const inv = await loadInventoryFile('inventory/examples/demo.yaml');
    const site = inv.units[0]!.sites[0]!;
    site.links.primary!.address = '2001:db8::10';
    expect(jobs(inv)[0]!.static_configs[0]!.targets).toEqual([`[2001:db8::10]:${site.agentPort}`]);
  });
});
