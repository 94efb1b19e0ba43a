// The national board: `startNational(opts)` runs it (the CLI and the tests call this).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InputError, type NationalInventory } from '../../inventory/index.ts';
import { parseListen } from '../board/index.ts';
import { NationalCore } from './core.ts';
import { nationalApp } from './server.ts';

export { NATIONAL_QUERIES, NATIONAL_MEMORY } from './queries.ts';
export { evaluateNational, type NationalEvaluation, type NationalUnit, type NationalProvinceView } from './evaluate.ts';
export { NationalCore } from './core.ts';
export {
  nationalDashboard,
  nationalDashboardFiles,
  NATIONAL_DASHBOARD_UID,
  provinceStateExpr,
  worstUnitsExpr,
} from '../grafana/national.ts';

export interface StartNationalOptions {
  national: NationalInventory;
  /** The national store's Prometheus query API. */
  store: string;
  /** host:port, default 127.0.0.1:8080; port 0 picks a free one. */
  listen?: string | { host: string; port: number };
  /** How often the store is read (ms); default 5 s. */
  refreshMs?: number;
  warn?: (msg: string) => void;
}

export interface RunningNational {
  url: string;
  core: NationalCore;
  close(): Promise<void>;
}

export async function startNational(opts: StartNationalOptions): Promise<RunningNational> {
  if (!/^https?:\/\/[^\s/]+/.test(opts.store)) throw new InputError(`--store expects an http:// or https:// URL, not "${opts.store}"`);
  const listen = typeof opts.listen === 'string' ? parseListen(opts.listen) : (opts.listen ?? { host: '127.0.0.1', port: 8080 });
  const core = new NationalCore({
    national: opts.national,
    store: opts.store,
    refreshMs: opts.refreshMs ?? 5000,
    ...(opts.warn ? { warn: opts.warn } : {}),
  });
  const server: Server = createServer(nationalApp(core));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new InputError(
      `cannot listen on ${listen.host}:${listen.port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.code === 'EADDRNOTAVAIL' ? 'no such address on this machine' : err.message}`,
    );
  }
  await core.start();
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}/`,
    core,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await core.close();
    },
  };
}
