// The real series of one unit, as a province's Prometheus holds them: a one-unit province (the
// demo's Phường Thành Vinh with four sites: the headquarters with a backup link, three branches),
// its services' stand-ins, four real site agents, both boards, both data centers' blackbox
// exporters (Debian's) and both data centers' Prometheus (Debian's) with the generated
// prometheus-<dc>.yml and rules, all on loopback. After a few rounds, every series the first
// Prometheus holds is read back with its value: those with the unit's label are the unit's (the
// country has 3,321 such units), the others the province's (34 such provinces).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  defaultChecklist,
  loadInventoryFile,
  PORTS,
  siteSliceDocument,
  writeGeneratedFiles,
  type Inventory,
  type Site,
} from '../inventory/index.ts';
import { allFor } from '../dashboards/board/testing.ts';
import { startAgent, type RunningAgent } from '../agents/index.ts';
import { rulesFiles, startBoard, type RunningBoard } from '../dashboards/index.ts';
import { newEntryId } from '../dashboards/board/store.ts';
import { prometheusConfigFile, prometheusFiles } from '../stacks/index.ts';
import { StandIns } from '../demo/standins.ts';
import { ensureDemoCa } from '../demo/ca.ts';

export interface CapturedSeries {
  labels: Record<string, string>;
  value: number;
}

export interface Capture {
  inv: Inventory;
  unitCode: string;
  unitName: string;
  perUnit: CapturedSeries[];
  perProvince: CapturedSeries[];
  /** Sample lines of each agent's /metrics (one scrape), by site. */
  agentSeries: Record<string, number>;
  /** Label values that are the unit's own (its code, sites, addresses, name): rewritten for every unit of the country. */
  tokens: { code: string; name: string; sites: string[]; addresses: string[] };
}

const NET = 190;
const ip = (a: number, b: number) => `127.${NET}.${a}.${b}`;

async function captureInventory(dir: string): Promise<Inventory> {
  const demo = await loadInventoryFile(new URL('../inventory/examples/demo.yaml', import.meta.url).pathname);
  const base = demo.units.find((u) => u.code === '16681')!;
  const sites: Site[] = [0, 1, 2, 3].map((k) => ({
    id: k === 0 ? 'thanh-vinh-hq' : `thanh-vinh-diem-${k}`,
    name: k === 0 ? 'Trụ sở UBND phường Thành Vinh' : `Điểm ${k} phường Thành Vinh`,
    role: k === 0 ? 'headquarters' : 'branch',
    agentPort: PORTS.agent,
    links: {
      primary: { kind: 'wan', address: ip(1, 10 + k), gateway: ip(1, 1), reachable: true },
      ...(k === 0 ? { backup: { kind: '4g' as const, address: ip(2, 10), gateway: ip(2, 1), reachable: true } } : {}),
    },
  }));
  const ca = await ensureDemoCa(join(dir, 'ca'));
  // No `for` to wait for: the unit is GO within the capture's 30 s (the series are the same either way).
  return allFor(
    {
      ...demo,
      units: [{ ...base, subnet: undefined, backupSubnet: undefined, sites }],
      maintenance: [],
      agent: { ...demo.agent, interval: '2s', caFile: ca.caFile },
      dataCenters: demo.dataCenters.map((dc, i) => {
        const at = (n: number) => ip(250 + i, n);
        return { ...dc, monitoring: { prometheus: at(10), alertmanager: at(11), grafana: at(12), blackbox: at(13), board: at(14) } };
      }),
    },
    '0s',
    defaultChecklist.map((i) => i.id),
  );
}

function waitHttp(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  return (async () => {
    for (;;) {
      try {
        if ((await fetch(url)).ok) return;
      } catch {
        /* not yet */
      }
      if (Date.now() > end) throw new Error(`${url} did not answer`);
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
}

export async function captureUnitSeries(dir: string, log: (l: string) => void): Promise<Capture> {
  const inv = await captureInventory(dir);
  const unit = inv.units[0]!;
  const children: ChildProcess[] = [];
  const agents: RunningAgent[] = [];
  const boards: RunningBoard[] = [];
  const ca = await ensureDemoCa(join(dir, 'ca'));
  const standIns = new StandIns(inv, { cert: ca.cert, key: ca.key });
  try {
    await standIns.startAll();
    await writeGeneratedFiles(dir, [...prometheusFiles(inv), ...rulesFiles(inv)]);
    for (const s of unit.sites) agents.push(await startAgent({ slice: siteSliceDocument(inv, s.id), baseDir: dir, log: () => {} }));
    for (const dc of inv.dataCenters) {
      boards.push(
        await startBoard({
          inventory: inv,
          dataDir: join(dir, `board-${dc.id}`),
          listen: `${dc.monitoring.board}:${PORTS.board}`,
          datacenter: dc.id,
          refreshMs: 2000,
          warn: () => {},
        }),
      );
      children.push(
        spawn(
          'prometheus-blackbox-exporter',
          [`--config.file=${join(dir, 'blackbox.yml')}`, `--web.listen-address=${dc.monitoring.blackbox}:${PORTS.blackbox}`],
          { stdio: 'ignore' },
        ),
      );
      await mkdir(join(dir, `prom-${dc.id}`), { recursive: true });
      children.push(
        spawn(
          'prometheus',
          [
            `--config.file=${join(dir, prometheusConfigFile(dc))}`,
            `--storage.tsdb.path=${join(dir, `prom-${dc.id}`)}`,
            `--web.listen-address=${dc.monitoring.prometheus}:${PORTS.prometheus}`,
          ],
          { stdio: 'ignore' },
        ),
      );
    }
    // The unit's manual items signed off (the rules take the max of the two boards): the template unit can be GO.
    const at = new Date().toISOString();
    await boards[0]!.board.log.append(
      boards[0]!.board.catalog.units.flatMap((cu) =>
        cu.manualIds.map((check) => ({
          id: newEntryId(),
          type: 'signoff' as const,
          unit: cu.unit.code,
          check,
          signed: true,
          who: 'bench',
          team: 'bench',
          note: '',
          at,
          origin: 'bench',
        })),
      ),
    );
    const prom = `http://${inv.dataCenters[0]!.monitoring.prometheus}:${PORTS.prometheus}`;
    await waitHttp(`${prom}/-/ready`, 30_000);
    log('capture: a one-unit province running (4 real agents, 2 boards, 2 blackbox exporters, 2 Prometheus); letting it run 30 s');
    await new Promise((r) => setTimeout(r, 30_000));
    const agentSeries: Record<string, number> = {};
    for (const s of unit.sites) {
      const text = await (await fetch(`http://${s.links.primary.address}:${s.agentPort}/metrics`)).text();
      agentSeries[s.id] = text.split('\n').filter((l) => l && !l.startsWith('#')).length;
    }
    const r = (await (await fetch(`${prom}/api/v1/query?query=${encodeURIComponent('{__name__=~".+"}')}`)).json()) as {
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    const all = r.data.result.map((x) => ({ labels: x.metric, value: Number(x.value[1]) }));
    const perUnit = all.filter((s) => s.labels.unit === unit.code);
    const perProvince = all.filter((s) => s.labels.unit !== unit.code);
    const addresses = [...unit.sites.flatMap((s) => [s.links.primary.address, ...(s.links.backup ? [s.links.backup.address] : [])])];
    for (const dc of inv.dataCenters) addresses.push(unit.portal!.addresses[dc.id]!);
    return {
      inv,
      unitCode: unit.code,
      unitName: unit.name,
      perUnit,
      perProvince,
      agentSeries,
      tokens: { code: unit.code, name: unit.name, sites: unit.sites.map((s) => s.id), addresses },
    };
  } finally {
    for (const c of children) c.kill('SIGKILL');
    for (const a of agents) await a.close();
    for (const b of boards) await b.close();
    await standIns.stopAll();
  }
}
