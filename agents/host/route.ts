// The route collector: whether the host has a default route.
import { readFile } from 'node:fs/promises';
import type { Collector } from './collector.ts';

const DEFAULT_ROUTE = 'sansang_host_default_route_present';

/** A default route in either family, read from the kernel's tables. */
export async function hasDefaultRoute(): Promise<boolean> {
  const v4 = await readFile('/proc/net/route', 'utf8').catch(() => '');
  if (
    v4
      .split('\n')
      .slice(1)
      .some((l) => l.split(/\s+/)[1] === '00000000')
  )
    return true;
  const v6 = await readFile('/proc/net/ipv6_route', 'utf8').catch(() => '');
  return v6.split('\n').some((l) => {
    const f = l.trim().split(/\s+/);
    return f[0] === '00000000000000000000000000000000' && f[1] === '00' && f[9] !== 'lo';
  });
}

export const routeCollector: Collector = {
  name: 'route',
  metrics: [{ name: DEFAULT_ROUTE, help: '1 when the host has a default route.', labels: [] }],
  async collect() {
    return { samples: [{ metric: DEFAULT_ROUTE, labels: {}, value: (await hasDefaultRoute()) ? 1 : 0 }] };
  },
};
