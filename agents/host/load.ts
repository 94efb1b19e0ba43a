// The load collector: load averages and the number of logical CPUs they compare with.
import os from 'node:os';
import { AGENT_METRICS } from '../../inventory/index.ts';
import type { Collector } from './collector.ts';

const LOAD5 = 'sansang_host_load5';
const LOAD15 = 'sansang_host_load15';
const CPUS = 'sansang_host_cpus';

export const loadCollector: Collector = {
  name: 'load',
  metrics: [
    { name: AGENT_METRICS.hostLoad1, help: 'Load average over 1 minute.', labels: [] },
    { name: LOAD5, help: 'Load average over 5 minutes.', labels: [] },
    { name: LOAD15, help: 'Load average over 15 minutes.', labels: [] },
    { name: CPUS, help: 'Number of logical CPUs.', labels: [] },
  ],
  async collect() {
    const [l1, l5, l15] = os.loadavg();
    return {
      samples: [
        { metric: AGENT_METRICS.hostLoad1, labels: {}, value: l1 ?? 0 },
        { metric: LOAD5, labels: {}, value: l5 ?? 0 },
        { metric: LOAD15, labels: {}, value: l15 ?? 0 },
        { metric: CPUS, labels: {}, value: os.cpus().length },
      ],
    };
  },
};
