// The board's /metrics (job `sansang-board`), on a registry of its own with no default Node.js
// metrics (they fail `promtool check metrics`):
//   sansang_check_expected{unit,site,check}  1 for every item siteChecks expects at a site
//   sansang_signoff_status{unit,check}       1 signed off / 0 not yet, every manual item of every unit
//   sansang_maintenance_active{unit}         1 inside a maintenance window, else 0, every unit
//   sansang_board_info{version,datacenter}   1
//   sansang_unit_info{unit,name}             1 per unit; sansang_check_info{check,title,title_en} 1 per item
import { Counter, Gauge, Registry } from 'prom-client';
import { BOARD_METRICS } from '../../inventory/index.ts';
import type { Catalog } from './catalog.ts';
import type { MaintenanceIndex } from './maintenance.ts';
import type { PushReceiver } from './push.ts';
import { pushedLinks } from '../../inventory/index.ts';

export interface BoardMetricsSource {
  catalog: Catalog;
  isSigned(unit: string, check: string): boolean;
  maintenanceAt(nowMs: number): MaintenanceIndex;
  push?: PushReceiver | null;
}

export function boardRegistry(src: BoardMetricsSource, info: { version: string; datacenter: string }): Registry {
  const registry = new Registry();
  const expected = new Gauge({
    name: BOARD_METRICS.checkExpected,
    help: 'Checklist items the inventory expects at each site (1): the anchor that turns a silent site UNKNOWN.',
    labelNames: ['unit', 'site', 'check'] as const,
    registers: [registry],
  });
  for (const cu of src.catalog.units)
    for (const cs of cu.sites) for (const check of cs.checks) expected.set({ unit: cu.unit.code, site: cs.site.id, check }, 1);

  new Gauge({
    name: BOARD_METRICS.signoffStatus,
    help: 'Manual checklist items: 1 signed off on the board, 0 not yet.',
    labelNames: ['unit', 'check'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const cu of src.catalog.units)
        for (const check of cu.manualIds) this.set({ unit: cu.unit.code, check }, src.isSigned(cu.unit.code, check) ? 1 : 0);
    },
  });
  new Gauge({
    name: BOARD_METRICS.maintenanceActive,
    help: 'Whether the unit is inside a maintenance window (inventory or set on the board).',
    labelNames: ['unit'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const idx = src.maintenanceAt(Date.now());
      for (const cu of src.catalog.units) this.set({ unit: cu.unit.code }, idx.unitActive(cu.unit.code) ? 1 : 0);
    },
  });
  // Names travel as _info series: alerts, dashboards and the national view show them.
  const unitInfo = new Gauge({
    name: BOARD_METRICS.unitInfo,
    help: 'Each unit of the inventory, with its name (1).',
    labelNames: ['unit', 'name'] as const,
    registers: [registry],
  });
  for (const cu of src.catalog.units) unitInfo.set({ unit: cu.unit.code, name: cu.unit.name }, 1);
  const checkInfo = new Gauge({
    name: BOARD_METRICS.checkInfo,
    help: 'Each checklist item, with its titles in Vietnamese and English (1).',
    labelNames: ['check', 'title', 'title_en'] as const,
    registers: [registry],
  });
  const titles = new Map<string, { vi: string; en: string }>();
  for (const cu of src.catalog.units) for (const [id, i] of cu.items) if (!titles.has(id)) titles.set(id, i.title);
  for (const [check, t] of titles) checkInfo.set({ check, title: t.vi, title_en: t.en }, 1);
  // The links agents push over: the rules turn a site's silent push UNKNOWN with it (recording.ts).
  const pushedAnchor = new Gauge({
    name: BOARD_METRICS.linkPushed,
    help: 'Each link the data center cannot reach, which the agent pushes over instead (1).',
    labelNames: ['unit', 'site', 'link'] as const,
    registers: [registry],
  });
  for (const cu of src.catalog.units)
    for (const cs of cu.sites) for (const link of pushedLinks(cs.site)) pushedAnchor.set({ unit: cu.unit.code, site: cs.site.id, link }, 1);
  if (src.push) {
    const push = src.push;
    new Counter({
      name: BOARD_METRICS.pushRequests,
      help: 'Pushes received from agents, by kind (status, write, echo) and outcome (accepted, refused, busy, failed).',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [k, n] of push.counts) {
          const [kind, outcome] = k.split('\0');
          this.inc({ kind: kind!, outcome: outcome! }, n);
        }
      },
    });
    new Gauge({
      name: BOARD_METRICS.pushInFlight,
      help: 'Remote-write pushes being checked and forwarded to Prometheus now.',
      registers: [registry],
      collect() {
        this.set(push.inFlightWrites);
      },
    });
  }
  new Gauge({
    name: BOARD_METRICS.boardInfo,
    help: 'The board: its version and data center.',
    labelNames: ['version', 'datacenter'] as const,
    registers: [registry],
  }).set(info, 1);
  return registry;
}
