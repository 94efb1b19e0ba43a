// The go/no-go board: `startBoard(opts)` runs it (the CLI and the demo call this).
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, PORTS, type Inventory } from '../../inventory/index.ts';
import { BoardCore } from './board.ts';
import type { StatusFetcher } from './embedded.ts';
import { boardRegistry } from './metrics.ts';
import { boardApp } from './server.ts';
import type { PushReceiverOptions } from './push.ts';
import { TokenBook } from './tokens.ts';

export { TokenBook } from './tokens.ts';
export { BoardLog, type LogEntry, type SignoffEntry, type MaintenanceEntry } from './store.ts';
export { judgeItem, unitState, worstOf, type State } from '../states.ts';
export { PROMETHEUS_QUERIES } from './prometheus.ts';
export type { BoardCore } from './board.ts';

export interface StartBoardOptions {
  inventory: Inventory;
  /** Where the sign-off log lives (created if missing). */
  dataDir: string;
  /** host:port or { host, port }; default 127.0.0.1:8080. Port 0 picks a free one. */
  listen?: string | { host: string; port: number };
  prometheus?: string;
  alertmanager?: string;
  peer?: string;
  /** A token the peer board accepts (its log needs one). */
  peerToken?: string;
  /** Team tokens: a TokenBook or the path of the tokens file. Without, sign-offs are refused. */
  tokens?: TokenBook | string;
  /** How often the data source is read, in ms (default: the agents' probe interval). */
  refreshMs?: number;
  /** How often the peer is pulled, in ms (default 3000). */
  peerEveryMs?: number;
  /** The data center this board runs in (sansang_board_info); default from the listen address, else the primary. */
  datacenter?: string;
  warn?: (msg: string) => void;
  fetcher?: StatusFetcher;
  /** Receive agents' pushes (links the data center cannot reach): the province's push secret, and where samples go. */
  push?: PushReceiverOptions;
}

export interface RunningBoard {
  url: string;
  board: BoardCore;
  /** The team tokens in use (`reload()` reads their file again). */
  tokens: TokenBook;
  close(): Promise<void>;
}

export function boardVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function parseListen(s: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(s);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new InputError(`--listen expects HOST:PORT (e.g. 127.0.0.1:${PORTS.board} or [::1]:${PORTS.board}), not "${s}"`);
  return { host: (m[1] ?? m[2])!, port };
}

export async function startBoard(opts: StartBoardOptions): Promise<RunningBoard> {
  const listen = typeof opts.listen === 'string' ? parseListen(opts.listen) : (opts.listen ?? { host: '127.0.0.1', port: PORTS.board });
  const tokens = opts.tokens instanceof TokenBook ? opts.tokens : opts.tokens ? await TokenBook.load(opts.tokens) : TokenBook.empty();
  const inv = opts.inventory;
  const datacenter =
    opts.datacenter ??
    inv.dataCenters.find((d) => d.monitoring.board === listen.host)?.id ??
    inv.dataCenters.find((d) => d.role === 'primary')?.id ??
    inv.dataCenters[0]!.id;
  for (const u of [opts.prometheus, opts.alertmanager, opts.peer])
    if (u !== undefined && !/^https?:\/\/[^\s/]+/.test(u)) throw new InputError(`expected an http:// or https:// URL, not "${u}"`);
  const version = boardVersion();
  const board = await BoardCore.create({
    inventory: inv,
    dataDir: opts.dataDir,
    tokens,
    datacenter,
    version,
    origin: `${datacenter}@${listen.host}:${listen.port}`,
    ...(opts.prometheus ? { prometheus: opts.prometheus } : {}),
    ...(opts.alertmanager ? { alertmanager: opts.alertmanager } : {}),
    ...(opts.peer ? { peer: opts.peer } : {}),
    ...(opts.peerToken ? { peerToken: opts.peerToken } : {}),
    ...(opts.refreshMs ? { refreshMs: opts.refreshMs } : {}),
    ...(opts.peerEveryMs ? { peerEveryMs: opts.peerEveryMs } : {}),
    ...(opts.warn ? { warn: opts.warn } : {}),
    ...(opts.fetcher ? { fetcher: opts.fetcher } : {}),
    ...(opts.push ? { push: opts.push } : {}),
  });
  const registry = boardRegistry(
    {
      catalog: board.catalog,
      isSigned: (u, c) => board.log.isSigned(u, c),
      maintenanceAt: (t) => board.maintenanceAt(t),
      push: board.push,
    },
    { version, datacenter },
  );
  const server: Server = createServer(boardApp(board, tokens, registry));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await board.close();
    const err = e as NodeJS.ErrnoException;
    throw new InputError(
      `cannot listen on ${listen.host}:${listen.port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.code === 'EADDRNOTAVAIL' ? 'no such address on this machine' : err.message}`,
    );
  }
  await board.start();
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}/`,
    board,
    tokens,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await board.close();
    },
  };
}
