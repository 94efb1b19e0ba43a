// The network collector: which interfaces are up.
import { readFile, readdir } from 'node:fs/promises';
import { AGENT_METRICS } from '../../inventory/index.ts';
import type { Collector } from './collector.ts';

export const networkCollector: Collector = {
  name: 'network',
  metrics: [{ name: AGENT_METRICS.hostNetworkUp, help: '1 when the network interface is up.', labels: ['interface'] }],
  // Read from /sys rather than systeminformation's networkInterfaces(), which costs far more per round.
  async collect() {
    const names = await readdir('/sys/class/net');
    const samples = await Promise.all(
      names.map(async (name) => {
        const state = (await readFile(`/sys/class/net/${name}/operstate`, 'utf8').catch(() => 'unknown')).trim();
        // Loopback reports "unknown" while working.
        return {
          metric: AGENT_METRICS.hostNetworkUp,
          labels: { interface: name },
          value: state === 'up' || (name === 'lo' && state === 'unknown') ? 1 : 0,
        };
      }),
    );
    return { samples };
  },
};
