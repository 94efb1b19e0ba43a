// The national inventory: the national store's data centers (where the `national` stack deploys
// VictoriaMetrics, Grafana and the national board) and the provinces that feed it, with their
// endpoints and probe intervals. Read like a province's inventory (load.ts): strict keys, every
// problem at once as FILE:LINE:COL.
import { z } from 'zod';
import { Duration, DataCenter, Id, Ip, ProvinceCode, Text, Url } from './schema.ts';
import { durationSeconds } from './checklist.ts';
import { InventoryError, formatPath, type Issue, type PathSegment } from './problems.ts';
import { parseModel, readYamlText, type ModelResult } from './load.ts';
import { cidrContains, isLoopback, parseCidr4 } from './net.ts';

const msg = (message: string) => ({ error: message });

/**
 * One national data center: its Docker host, its WAN segment and the static addresses on it of its
 * own store (a VictoriaMetrics cluster: one vminsert, one vmselect, one or more vmstorage), its
 * Grafana and its national board. Each data center's store is whole by itself: every province
 * writes to every data center's store.
 */
export const NationalDataCenter = z.strictObject({
  id: Id,
  name: Text,
  dockerHost: DataCenter.shape.dockerHost,
  wan: DataCenter.shape.wan,
  management: DataCenter.shape.management,
  addresses: z.strictObject({
    vminsert: Ip,
    vmselect: Ip,
    /** The storage nodes: the series are spread over them (one is enough for the country, see bench/README.md). */
    vmstorage: z.array(Ip).min(1),
    grafana: Ip,
    board: Ip,
  }),
});

/** A province that feeds the store. */
export const NationalProvince = z.strictObject({
  code: ProvinceCode,
  name: Text,
  /**
   * The province's probe interval (`agent.interval` of its inventory): its rules write every
   * interval, and the national board calls its data stale after three (plus the trip to the store).
   */
  interval: Duration,
  /** Its Prometheus pair (one per data center): what the national board asks when the province is silent. */
  prometheus: z.array(Url).min(1),
  /** Its boards: the national page links to them. */
  boards: z.array(Url).default([]),
});

/** VictoriaMetrics' `-retentionPeriod`: a number of months, or with a unit (h, d, w, y). */
const Retention = z.string().regex(/^\d+[hdwy]?$/, msg('expected a retention such as 90d, 26w, 1y or 12 (months)'));

export const NationalImages = z.strictObject({
  vmstorage: z.string().optional(),
  vminsert: z.string().optional(),
  vmselect: z.string().optional(),
  grafana: z.string().optional(),
  board: z.string().optional(),
});

export const NationalInventory = z.strictObject({
  version: z.literal(1),
  /** A demo or test inventory: loopback addresses are allowed (as in a province's inventory). */
  demo: z.boolean().default(false),
  /** Who runs the national view, as the page and the dashboards title it. */
  name: Text,
  timezone: Text.default('Asia/Ho_Chi_Minh'),
  dataCenters: z.array(NationalDataCenter).min(1),
  store: z
    .strictObject({
      retention: Retention.default('90d'),
      /** One sample per series per this interval is kept (the two replicas' copies collapse); default the longest province interval. */
      dedupInterval: Duration.optional(),
    })
    .default({ retention: '90d' }),
  provinces: z.array(NationalProvince).min(1),
  images: NationalImages.default({}),
});

export type NationalInventory = z.output<typeof NationalInventory>;
export type NationalDataCenter = z.output<typeof NationalDataCenter>;
export type NationalProvince = z.output<typeof NationalProvince>;

/** Ports of the national store's parts (VictoriaMetrics cluster defaults), Grafana and the board. */
export const NATIONAL_PORTS = {
  vminsert: 8480,
  vmselect: 8481,
  vmstorage: 8482,
  /** vmstorage's port for vminsert. */
  vmstorageInsert: 8400,
  /** vmstorage's port for vmselect. */
  vmstorageSelect: 8401,
  grafana: 3000,
  board: 8080,
} as const;

/**
 * The most a province's sample waits in its Prometheus' remote-write queue before it is sent (the
 * generated `queue_config.batch_send_deadline`).
 */
export const REMOTE_WRITE_DEADLINE_SECONDS = 5;
/**
 * How long the store hides samples younger than this (VictoriaMetrics' `-search.latencyOffset`,
 * 30 s unless told; the national stack and the tests set it to this).
 */
export const STORE_LATENCY_OFFSET_SECONDS = 5;

/**
 * When the national board calls a province's conclusions stale: three of its intervals, as the
 * four-state rule says for any sample, plus the longest trip a sample takes to be read from the
 * store (the remote-write deadline and the store's latency offset).
 */
export function nationalFreshnessSeconds(p: Pick<NationalProvince, 'interval'>): number {
  return 3 * durationSeconds(p.interval) + REMOTE_WRITE_DEADLINE_SECONDS + STORE_LATENCY_OFFSET_SECONDS;
}

/** The store keeps one sample per series per this many seconds. */
export function dedupSeconds(nat: NationalInventory): number {
  return nat.store.dedupInterval
    ? durationSeconds(nat.store.dedupInterval)
    : Math.max(...nat.provinces.map((p) => durationSeconds(p.interval)));
}

const hostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** The remote-write URL of each national data center's vminsert (tenant 0): a province's `national.remoteWrite` lists them all. */
export function nationalWriteUrls(nat: NationalInventory): string[] {
  return nat.dataCenters.map((d) => `http://${hostPort(d.addresses.vminsert, NATIONAL_PORTS.vminsert)}/insert/0/prometheus/api/v1/write`);
}

/** The Prometheus query API of a national data center's vmselect (tenant 0): the board's `--store`, Grafana's data source. */
export function nationalQueryUrl(dc: NationalDataCenter): string {
  return `http://${hostPort(dc.addresses.vmselect, NATIONAL_PORTS.vmselect)}/select/0/prometheus/`;
}

// ---------------------------------------------------------------- loading and checks

export function nationalCrossCheck(nat: NationalInventory): Issue[] {
  const out: Issue[] = [];
  const add = (path: PathSegment[], message: string) => out.push({ path, message });
  const unique = (entries: [string, PathSegment[]][], what: string) => {
    const seen = new Map<string, PathSegment[]>();
    for (const [key, path] of entries) {
      const first = seen.get(key);
      if (first) add(path, `duplicate ${what} "${key}" (first used at ${formatPath(first)})`);
      else seen.set(key, path);
    }
  };
  unique(
    nat.dataCenters.map((d, i) => [d.id, ['dataCenters', i, 'id']]),
    'data center id',
  );
  unique(
    nat.provinces.map((p, i) => [p.code, ['provinces', i, 'code']]),
    'province code',
  );
  unique(
    nat.provinces.map((p, i) => [p.name, ['provinces', i, 'name']]),
    'province name',
  );
  const addresses: [string, PathSegment[]][] = [];
  nat.dataCenters.forEach((dc, i) => {
    const net = parseCidr4(dc.wan.subnet);
    if (!net) return add(['dataCenters', i, 'wan', 'subnet'], 'the WAN segment must be an IPv4 subnet');
    if (!cidrContains(net, dc.wan.gateway))
      add(['dataCenters', i, 'wan', 'gateway'], `gateway ${dc.wan.gateway} is outside ${dc.wan.subnet}`);
    addresses.push([dc.wan.gateway, ['dataCenters', i, 'wan', 'gateway']]);
    const parts: [string, PathSegment[]][] = Object.entries(dc.addresses).flatMap(([part, v]) =>
      Array.isArray(v)
        ? v.map((ip, j): [string, PathSegment[]] => [ip, ['dataCenters', i, 'addresses', part, j]])
        : [[v, ['dataCenters', i, 'addresses', part]]],
    );
    for (const [ip, path] of parts) {
      if (!cidrContains(net, ip)) add(path, `${ip} is outside the WAN segment ${dc.wan.subnet}`);
      addresses.push([ip, path]);
    }
  });
  unique(addresses, 'address');
  if (!nat.demo)
    nat.provinces.forEach((p, i) =>
      (['prometheus', 'boards'] as const).forEach((k) =>
        p[k].forEach((u, j) => {
          if (isLoopback(u))
            add(
              ['provinces', i, k, j],
              `${u} is on this machine (loopback): a national inventory names the provinces' real endpoints; loopback belongs to a demo (demo: true)`,
            );
        }),
      ),
    );
  return out;
}

export function parseNational(text: string, file: string): ModelResult<NationalInventory> {
  return parseModel(
    text,
    file,
    NationalInventory,
    nationalCrossCheck,
    'the file is empty; see inventory/examples/national.yaml for a start',
  );
}

export async function readNationalFile(file: string): Promise<ModelResult<NationalInventory>> {
  const r = await readYamlText(file);
  return 'problems' in r ? r : parseNational(r.text, file);
}

export async function loadNationalFile(file: string): Promise<NationalInventory> {
  const r = await readNationalFile(file);
  if (!r.model || r.problems.length) throw new InventoryError(r.problems);
  return r.model;
}
