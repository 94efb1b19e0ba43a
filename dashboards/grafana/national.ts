// The national overview dashboard, read from the national store: provinces first (worst first,
// with how long since each last sent), then the worst units of the whole country, named. Every
// state is the provinces' rules' conclusion, judged for freshness here as the national board does
// (a unit's conclusion older than its province's window is UNKNOWN; a province the store has
// nothing from is UNKNOWN), with the four states' codes (0 go, 1 unknown, 2 nogo, 3 maintenance).
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import {
  BOARD_METRICS,
  LABELS,
  nationalFreshnessSeconds,
  SERIES,
  STORE_LATENCY_OFFSET_SECONDS,
  type GeneratedFile,
  type NationalInventory,
} from '../../inventory/index.ts';
import { STATE_CODE } from '../states.ts';
import {
  byNames,
  colorBackground,
  COLORS,
  datasourceVariable,
  NO_DATA,
  organize,
  query,
  stateMappings,
  stateThresholds,
  thresholdColors,
  thresholds,
} from './common.ts';

export const NATIONAL_DASHBOARD_UID = 'sansang-national';
const TAGS = ['sansang', 'national'];
const P = LABELS.province;
const U = LABELS.unit;

/**
 * Each unit's effective state code: the rules' conclusion while fresh (its sample younger than the
 * province's window), else UNKNOWN. Provinces sharing a window share a branch. VictoriaMetrics
 * answers `time()` with the query's time less its latency offset (the samples it shows end there):
 * the window is shortened by as much, so Grafana turns a province UNKNOWN when the board does.
 */
export function effectiveUnitCode(nat: NationalInventory): string {
  const byWindow = new Map<number, string[]>();
  for (const p of nat.provinces) {
    const w = nationalFreshnessSeconds(p) - STORE_LATENCY_OFFSET_SECONDS;
    byWindow.set(w, [...(byWindow.get(w) ?? []), p.code]);
  }
  const code = SERIES.unitCode;
  const fresh = [...byWindow.entries()].map(([w, codes]) => {
    const sel = `${code}{${P}=~"${codes.join('|')}"}`;
    return `(${sel} and on (${P}, ${U}) ((time() - timestamp(${sel})) <= ${w}))`;
  });
  return `(${fresh.join(' or ')} or on (${P}, ${U}) (${code} * 0 + ${STATE_CODE.unknown}))`;
}

/** A label value as PromQL reads it in a double-quoted string. */
const quoted = (s: string) => JSON.stringify(s);

/** One series per province of the inventory, value 1, with the province's name in `name`: tables join names from it. */
export function provinceNameVector(nat: NationalInventory): string {
  return nat.provinces
    .map((p) => `label_replace(label_replace(vector(1), "${P}", "${p.code}", "", ""), "name", ${quoted(p.name)}, "", "")`)
    .join(' or ');
}

/** Every province at UNKNOWN: a province the store knows nothing of still shows. */
function provinceAnchors(nat: NationalInventory): string {
  return `(${provinceNameVector(nat)}) * ${STATE_CODE.unknown}`;
}

/** Per-province values with the province's name joined in (tables show names, not codes). */
function named(nat: NationalInventory, expr: string): string {
  return `(${expr}) * on (${P}) group_left (name) (${provinceNameVector(nat)})`;
}

/** A province's state: the worst of its units (maintenance only when all are), UNKNOWN with no unit. */
export function provinceStateExpr(nat: NationalInventory): string {
  const e = effectiveUnitCode(nat);
  return `max by (${P}) (${e} < ${STATE_CODE.maintenance}) or on (${P}) max by (${P}) (${e}) or on (${P}) (${provinceAnchors(nat)})`;
}

function countStat(title: string, expr: string, color: string): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .title(title)
    .withTarget(query(expr, undefined, { instant: true }))
    .noValue(NO_DATA)
    .colorScheme(thresholdColors())
    .thresholds(
      thresholds([
        [0, COLORS.go],
        [1, color],
      ]),
    )
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.None)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .height(4)
    .span(6);
}

/** The worst units of the country, NO-GO then UNKNOWN (value: state code), with the unit's and the province's names. */
export function worstUnitsExpr(nat: NationalInventory, limit = 200): string {
  const e = effectiveUnitCode(nat);
  return (
    `topk(${limit}, (${e} > ${STATE_CODE.go}) < ${STATE_CODE.maintenance})` +
    ` * on (${P}, ${U}) group_left (name) max by (${P}, ${U}, name) (${BOARD_METRICS.unitInfo})` +
    ` * on (${P}) group_left (province_name) label_replace(${provinceNameVector(nat)}, "province_name", "$1", "name", "(.*)")`
  );
}

export function nationalDashboard(nat: NationalInventory): dashboard.Dashboard {
  const e = effectiveUnitCode(nat);
  const province = provinceStateExpr(nat);
  const count = (c: number) => `count(${province} == ${c}) or vector(0)`;
  const unitsIn = (c: number) => `count by (${P}) (${e} == ${c})`;
  const states = 'Trạng thái / State';
  const name = 'Tỉnh / Province';
  const b = new dashboard.DashboardBuilder(`Toàn quốc / National overview — ${nat.name}`)
    .uid(NATIONAL_DASHBOARD_UID)
    .tags(TAGS)
    .timezone(nat.timezone)
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .readonly()
    .withVariable(datasourceVariable())
    .description(
      'Các tỉnh trước (kém nhất trước, tỉnh ngừng gửi số liệu là KHÔNG RÕ), rồi các đơn vị kém nhất cả nước. Không có số liệu hiển thị NO DATA màu đỏ.',
    );
  b.withRow(new dashboard.RowBuilder('Các tỉnh / Provinces'))
    .withPanel(countStat('Tỉnh NO-GO / Provinces NO-GO', count(STATE_CODE.nogo), COLORS.nogo))
    .withPanel(countStat('Tỉnh UNKNOWN / Provinces UNKNOWN', count(STATE_CODE.unknown), COLORS.unknown))
    .withPanel(countStat('Tỉnh MAINTENANCE', count(STATE_CODE.maintenance), COLORS.maintenance))
    .withPanel(
      new stat.PanelBuilder()
        .title('Tỉnh GO / Provinces GO')
        .withTarget(query(`count(${province} == ${STATE_CODE.go})`, undefined, { instant: true }))
        .noValue(NO_DATA)
        .colorScheme(thresholdColors())
        .thresholds(thresholds([[1, COLORS.go]]))
        .colorMode(common.BigValueColorMode.Background)
        .graphMode(common.BigValueGraphMode.None)
        .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
        .height(4)
        .span(6),
    )
    .withPanel(
      new table.PanelBuilder()
        .title('Các tỉnh, kém nhất trước / Provinces, worst first')
        .withTarget(query(named(nat, province), undefined, { instant: true, table: true }))
        .withTransformation(organize({ [P]: 'Mã / Code', name, Value: states }))
        .mappings(stateMappings())
        .thresholds(stateThresholds())
        .colorScheme(thresholdColors())
        .noValue(NO_DATA)
        .withOverride(byNames(states, [{ id: 'custom.cellOptions', value: colorBackground }]))
        .sortBy([new common.TableSortByFieldStateBuilder().displayName(states).desc(true)])
        .height(Math.min(6 + nat.provinces.length, 20))
        .span(10),
    )
    .withPanel(
      new table.PanelBuilder()
        .title('Đơn vị của từng tỉnh / Units of each province')
        .withTarget(query(named(nat, unitsIn(STATE_CODE.nogo)), undefined, { instant: true, table: true, refId: 'nogo' }))
        .withTarget(query(named(nat, unitsIn(STATE_CODE.unknown)), undefined, { instant: true, table: true, refId: 'unknown' }))
        .withTarget(query(named(nat, unitsIn(STATE_CODE.go)), undefined, { instant: true, table: true, refId: 'go' }))
        .withTarget(
          query(
            named(nat, `time() + ${STORE_LATENCY_OFFSET_SECONDS} - max by (${P}) (tlast_over_time(${SERIES.unitCode}[1h]))`),
            undefined,
            {
              instant: true,
              table: true,
              refId: 'age',
            },
          ),
        )
        .withTransformation({ id: 'merge', options: {} })
        .withTransformation(
          organize({
            [P]: 'Mã / Code',
            name,
            'Value #nogo': 'NO-GO',
            'Value #unknown': 'UNKNOWN',
            'Value #go': 'GO',
            'Value #age': 'Lần gửi cuối (giây trước) / Last sent (s ago)',
          }),
        )
        .noValue(NO_DATA)
        .sortBy([new common.TableSortByFieldStateBuilder().displayName('NO-GO').desc(true)])
        .height(Math.min(6 + nat.provinces.length, 20))
        .span(14),
    );
  b.withRow(new dashboard.RowBuilder('Đơn vị kém nhất / Worst units')).withPanel(
    new table.PanelBuilder()
      .title('Đơn vị NO-GO rồi UNKNOWN, cả nước / Units NO-GO then UNKNOWN, the whole country')
      .withTarget(query(worstUnitsExpr(nat), undefined, { instant: true, table: true }))
      .withTransformation(
        organize({ province_name: name, [P]: 'Mã tỉnh / Province code', [U]: 'Mã / Code', name: 'Đơn vị / Unit', Value: states }),
      )
      .mappings(stateMappings())
      .thresholds(stateThresholds())
      .colorScheme(thresholdColors())
      .noValue(NO_DATA)
      .withOverride(byNames(states, [{ id: 'custom.cellOptions', value: colorBackground }]))
      .sortBy([new common.TableSortByFieldStateBuilder().displayName(states).desc(true)])
      .height(16)
      .span(24),
  );
  b.withRow(new dashboard.RowBuilder('Theo thời gian / Over time')).withPanel(
    new timeseries.PanelBuilder()
      .title('Đơn vị theo trạng thái, theo kết luận của các tỉnh / Units per state, as the provinces concluded')
      .withTarget(query(`sum by (state) (${SERIES.unitState})`, '{{state}}'))
      .withOverride(byNames('go', [{ id: 'color', value: { mode: 'fixed', fixedColor: COLORS.go } }]))
      .withOverride(byNames('nogo', [{ id: 'color', value: { mode: 'fixed', fixedColor: COLORS.nogo } }]))
      .withOverride(byNames('unknown', [{ id: 'color', value: { mode: 'fixed', fixedColor: COLORS.unknown } }]))
      .withOverride(byNames('maintenance', [{ id: 'color', value: { mode: 'fixed', fixedColor: COLORS.maintenance } }]))
      .noValue(NO_DATA)
      .height(8)
      .span(24),
  );
  const d = b.build();
  (d.panels ?? []).forEach((p, i) => (p.id = i + 1));
  return d;
}

/** Where the national dashboard is written, relative to the output directory (as the provinces' dashboards). */
export function nationalDashboardFiles(nat: NationalInventory): GeneratedFile[] {
  const d = nationalDashboard(nat);
  return [{ path: `grafana/dashboards/${d.uid}.json`, content: `${JSON.stringify(d, null, 2)}\n` }];
}
