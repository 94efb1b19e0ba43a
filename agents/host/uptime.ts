// The uptime collector: seconds since boot, and the boot's time.
import os from 'node:os';
import { AGENT_METRICS } from '../../inventory/index.ts';
import type { Collector } from './collector.ts';

const BOOT_TIME = 'sansang_host_boot_time_seconds';

export const uptimeCollector: Collector = {
  name: 'uptime',
  metrics: [
    { name: AGENT_METRICS.hostUptime, help: 'Seconds since the host booted.', labels: [] },
    { name: BOOT_TIME, help: 'Unix time the host booted.', labels: [] },
  ],
  async collect() {
    const up = os.uptime();
    return {
      samples: [
        { metric: AGENT_METRICS.hostUptime, labels: {}, value: up },
        { metric: BOOT_TIME, labels: {}, value: Math.round(Date.now() / 1000 - up) },
      ],
    };
  },
};
