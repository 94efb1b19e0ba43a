// The host collectors a site agent runs, one file each: filesystem, memory, load, network,
// default route, uptime. What a collector is and how one runs: collector.ts.
import type { Collector } from './collector.ts';
import { filesystemCollector } from './filesystem.ts';
import { loadCollector } from './load.ts';
import { memoryCollector } from './memory.ts';
import { networkCollector } from './network.ts';
import { routeCollector } from './route.ts';
import { uptimeCollector } from './uptime.ts';

export const defaultCollectors: readonly Collector[] = [
  filesystemCollector,
  memoryCollector,
  loadCollector,
  networkCollector,
  routeCollector,
  uptimeCollector,
];
