// The memory collector: total and available memory.
import si from 'systeminformation';
import { AGENT_METRICS } from '../../inventory/index.ts';
import type { Collector } from './collector.ts';

export const memoryCollector: Collector = {
  name: 'memory',
  metrics: [
    { name: AGENT_METRICS.hostMemoryTotal, help: 'Total memory in bytes.', labels: [] },
    { name: AGENT_METRICS.hostMemoryAvailable, help: 'Memory available for new work in bytes.', labels: [] },
  ],
  async collect() {
    const m = await si.mem();
    return {
      samples: [
        { metric: AGENT_METRICS.hostMemoryTotal, labels: {}, value: m.total },
        { metric: AGENT_METRICS.hostMemoryAvailable, labels: {}, value: m.available },
      ],
    };
  },
};
