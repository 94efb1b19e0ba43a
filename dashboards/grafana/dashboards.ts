// The four dashboards, as code with @grafana/grafana-foundation-sdk: province overview, unit
// drill-down, WAN links, agent fleet. Stable uids, so links and bookmarks survive regeneration.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { durationSeconds, type Inventory } from '../../inventory/index.ts';
import { unitRegex } from '../rules/classes.ts';
import { AGENT_METRICS, FOREIGN_METRICS, JOBS, SERIES } from '../../inventory/index.ts';
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
  unitLink,
  upDownMappings,
} from './common.ts';

export const UIDS = { overview: 'sansang-overview', unit: 'sansang-unit', wan: 'sansang-wan', agents: 'sansang-agents' } as const;
const TAGS = ['sansang'];

const lastValue = () => new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);

function base(inv: Inventory, uid: string, title: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(`${title} — ${inv.province.name}`)
    .uid(uid)
    .tags(TAGS)
    .timezone(inv.province.timezone)
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .readonly()
    .withVariable(datasourceVariable())
    .link(
      new dashboard.DashboardLinkBuilder('sansang')
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags(TAGS)
        .asDropdown(true)
        .includeVars(false)
        .keepTime(true),
    );
}

/** A stat of a count; `good` is the colour when it is above zero (missing data stays red). */
function countStat(title: string, expr: string, good: string, zero: string): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .title(title)
    .withTarget(query(expr, undefined, { instant: true }))
    .noValue(NO_DATA)
    .colorScheme(thresholdColors())
    .thresholds(
      thresholds([
        [0, zero],
        [1, good],
      ]),
    )
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.None)
    .reduceOptions(lastValue())
    .height(4)
    .span(6);
}

function unitStateTable(title: string, expr: string, h: number): table.PanelBuilder {
  return new table.PanelBuilder()
    .title(title)
    .withTarget(query(expr, undefined, { instant: true, table: true }))
    .mappings(stateMappings())
    .thresholds(stateThresholds())
    .colorScheme(thresholdColors())
    .noValue(NO_DATA)
    .withTransformation(organize({ unit: 'Đơn vị / Unit', Value: 'Trạng thái / State' }))
    .withOverride(byNames('Trạng thái / State', [{ id: 'custom.cellOptions', value: colorBackground }]))
    .dataLinks([unitLink(UIDS.unit)])
    .sortBy([new common.TableSortByFieldStateBuilder().displayName('Trạng thái / State').desc(true)])
    .height(h)
    .span(24);
}

export function overviewDashboard(inv: Inventory): dashboard.Dashboard {
  const hot = inv.units.filter((u) => u.hotSpot).map((u) => u.code);
  const code = (sel: string) => `max by (unit) (${SERIES.unitCode}${sel})`;
  const count = (state: string) => `count(${SERIES.unitState}{state="${state}"} == 1)`;
  const b = base(inv, UIDS.overview, 'Tổng quan tỉnh / Province overview').description(
    'Trạng thái GO / NO-GO / UNKNOWN / MAINTENANCE của mọi đơn vị, điểm nóng trước. Không có số liệu hiển thị NO DATA màu đỏ.',
  );
  b.withRow(new dashboard.RowBuilder('Tổng hợp / Summary'))
    .withPanel(countStat('GO', count('go'), COLORS.go, COLORS.noData))
    .withPanel(countStat('NO-GO', `${count('nogo')} or vector(0)`, COLORS.nogo, COLORS.go))
    .withPanel(countStat('UNKNOWN', `${count('unknown')} or vector(0)`, COLORS.unknown, COLORS.go))
    .withPanel(countStat('MAINTENANCE', `${count('maintenance')} or vector(0)`, COLORS.maintenance, COLORS.go));
  if (hot.length) {
    b.withRow(new dashboard.RowBuilder('Điểm nóng / Hot spots')).withPanel(
      unitStateTable('Điểm nóng / Hot spots', code(`{unit=~"${unitRegex(hot)}"}`), Math.min(4 + hot.length, 16)),
    );
  }
  b.withRow(new dashboard.RowBuilder('Mọi đơn vị / Every unit'))
    .withPanel(unitStateTable('Mọi đơn vị, kém nhất trước / Every unit, worst first', code(''), 16))
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Số đơn vị theo trạng thái / Units per state')
        .withTarget(query(`sum by (state) (${SERIES.unitState})`, '{{state}}'))
        .withOverride(byNames('go', [{ id: 'color', value: { mode: 'fixed', fixedColor: COLORS.go } }]))
        .withOverride(byNames('nogo', [{ id: 'color', value: { mode: 'fixed', fixedColor: COLORS.nogo } }]))
        .withOverride(byNames('unknown', [{ id: 'color', value: { mode: 'fixed', fixedColor: COLORS.unknown } }]))
        .withOverride(byNames('maintenance', [{ id: 'color', value: { mode: 'fixed', fixedColor: COLORS.maintenance } }]))
        .noValue(NO_DATA)
        .height(8)
        .span(24),
    );
  return b.build();
}

/** Grafana custom variable text: commas separate options, " : " separates text from value. */
function unitOptions(inv: Inventory): string {
  return inv.units.map((u) => `${u.name.replace(/[,:\\]/g, ' ')} (${u.code}) : ${u.code}`).join(',');
}

function unitVariable(inv: Inventory, multi: boolean): dashboard.CustomVariableBuilder {
  const v = new dashboard.CustomVariableBuilder('unit').label('Đơn vị / Unit').values(unitOptions(inv)).multi(multi);
  if (multi) v.includeAll(true).allValue('.*');
  const first = inv.units[0];
  if (first && !multi) v.current({ text: `${first.name} (${first.code})`, value: first.code });
  return v;
}

export function unitDashboard(inv: Inventory): dashboard.Dashboard {
  const u = '{unit="$unit"}';
  return base(inv, UIDS.unit, 'Đơn vị / Unit')
    .description('Một đơn vị: các điểm, các hạng mục, kết quả thăm dò, độ trễ và mất gói.')
    .withVariable(unitVariable(inv, false))
    .withPanel(
      new stat.PanelBuilder()
        .title('Trạng thái đơn vị / Unit state')
        .withTarget(query(`max(${SERIES.unitCode}${u})`, undefined, { instant: true }))
        .mappings(stateMappings())
        .thresholds(stateThresholds())
        .colorScheme(thresholdColors())
        .noValue(NO_DATA)
        .colorMode(common.BigValueColorMode.Background)
        .graphMode(common.BigValueGraphMode.None)
        .reduceOptions(lastValue())
        .height(5)
        .span(6),
    )
    .withPanel(
      new table.PanelBuilder()
        .title('Hạng mục theo điểm / Items per site')
        .withTarget(query(`max by (site, check) (${SERIES.siteCode}${u})`, undefined, { instant: true, table: true }))
        .mappings(stateMappings())
        .thresholds(stateThresholds())
        .colorScheme(thresholdColors())
        .noValue(NO_DATA)
        .withTransformation(organize({ site: 'Điểm / Site', check: 'Hạng mục / Item', Value: 'Trạng thái / State' }))
        .withOverride(byNames('Trạng thái / State', [{ id: 'custom.cellOptions', value: colorBackground }]))
        .sortBy([new common.TableSortByFieldStateBuilder().displayName('Trạng thái / State').desc(true)])
        .height(10)
        .span(18),
    )
    .withPanel(
      new statetimeline.PanelBuilder()
        .title('Hạng mục theo thời gian / Items over time')
        .withTarget(query(`max by (site, check) (${SERIES.siteCode}${u})`, '{{site}} {{check}}'))
        .mappings(stateMappings())
        .thresholds(stateThresholds())
        .colorScheme(thresholdColors())
        .noValue(NO_DATA)
        .height(12)
        .span(24),
    )
    .withPanel(
      new statetimeline.PanelBuilder()
        .title('Thăm dò thành công / Probe success')
        .withTarget(
          query(`max by (site, target, probe, link) (${AGENT_METRICS.probeSuccess}${u})`, '{{site}} {{target}}/{{probe}} ({{link}})'),
        )
        .mappings(upDownMappings('OK', 'FAIL'))
        .thresholds(
          thresholds([
            [0, COLORS.nogo],
            [1, COLORS.go],
          ]),
        )
        .colorScheme(thresholdColors())
        .noValue(NO_DATA)
        .height(12)
        .span(24),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Độ trễ ICMP trung bình / Mean ICMP round trip')
        .withTarget(
          query(
            `sum by (site, target, link) (rate(${AGENT_METRICS.icmpRtt}_sum${u}[5m])) / sum by (site, target, link) (rate(${AGENT_METRICS.icmpRtt}_count${u}[5m]))`,
            '{{site}} {{target}} ({{link}})',
          ),
        )
        .unit('s')
        .noValue(NO_DATA)
        .height(8)
        .span(12),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Mất gói / Packet loss')
        .withTarget(query(`max by (site, target, link) (${AGENT_METRICS.icmpLoss}${u})`, '{{site}} {{target}} ({{link}})'))
        .unit('percentunit')
        .min(0)
        .max(1)
        .noValue(NO_DATA)
        .height(8)
        .span(12),
    )
    .build();
}

export function wanDashboard(inv: Inventory): dashboard.Dashboard {
  const u = '{unit=~"$unit"}';
  return base(inv, UIDS.wan, 'Đường truyền / WAN')
    .description('Đường truyền chính và dự phòng của từng điểm: theo tác tử và theo trung tâm dữ liệu.')
    .withVariable(unitVariable(inv, true))
    .withPanel(
      new table.PanelBuilder()
        .title('Hiện tại: chính và dự phòng / Now: primary and backup')
        .withTarget(query(`max by (unit, site, link) (${SERIES.linkUp}${u})`, undefined, { instant: true, table: true }))
        .mappings(upDownMappings())
        .thresholds(
          thresholds([
            [0, COLORS.nogo],
            [1, COLORS.go],
          ]),
        )
        .colorScheme(thresholdColors())
        .noValue(NO_DATA)
        .withTransformation(organize({ unit: 'Đơn vị / Unit', site: 'Điểm / Site', link: 'Đường / Link', Value: 'Trạng thái / State' }))
        .withOverride(byNames('Trạng thái / State', [{ id: 'custom.cellOptions', value: colorBackground }]))
        .sortBy([new common.TableSortByFieldStateBuilder().displayName('Trạng thái / State').desc(false)])
        .height(10)
        .span(24),
    )
    .withPanel(
      new statetimeline.PanelBuilder()
        .title('Theo thời gian / Over time')
        .withTarget(query(`max by (unit, site, link) (${SERIES.linkUp}${u})`, '{{unit}} {{site}} {{link}}'))
        .mappings(upDownMappings())
        .thresholds(
          thresholds([
            [0, COLORS.nogo],
            [1, COLORS.go],
          ]),
        )
        .colorScheme(thresholdColors())
        .noValue(NO_DATA)
        .height(14)
        .span(24),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Mất gói theo đường / Loss per link')
        .withTarget(query(`max by (unit, site, link) (${AGENT_METRICS.icmpLoss}${u})`, '{{unit}} {{site}} {{link}}'))
        .unit('percentunit')
        .noValue(NO_DATA)
        .height(8)
        .span(12),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Độ trễ theo đường / Round trip per link')
        .withTarget(
          query(
            `sum by (unit, site, link) (rate(${AGENT_METRICS.icmpRtt}_sum${u}[5m])) / sum by (unit, site, link) (rate(${AGENT_METRICS.icmpRtt}_count${u}[5m]))`,
            '{{unit}} {{site}} {{link}}',
          ),
        )
        .unit('s')
        .noValue(NO_DATA)
        .height(8)
        .span(12),
    )
    .build();
}

export function agentsDashboard(inv: Inventory): dashboard.Dashboard {
  const stale = 3 * durationSeconds(inv.agent.interval);
  return base(inv, UIDS.agents, 'Tác tử / Agent fleet')
    .description('Mọi tác tử giám sát: có phản hồi trên từng đường, phiên bản, tuổi của lần thăm dò gần nhất.')
    .withPanel(
      countStat(
        'Điểm có tác tử / Sites with an agent up',
        `count(max by (unit, site) (${FOREIGN_METRICS.up}{job="${JOBS.agent}"}) == 1)`,
        COLORS.go,
        COLORS.noData,
      ).span(8),
    )
    .withPanel(
      countStat('Điểm được kỳ vọng / Sites expected', `count(count by (unit, site) (${SERIES.expected}))`, COLORS.go, COLORS.noData).span(
        8,
      ),
    )
    .withPanel(
      countStat(
        'Tác tử mất / Agents down',
        `count(max by (unit, site) (${FOREIGN_METRICS.up}{job="${JOBS.agent}"}) == 0) or vector(0)`,
        COLORS.nogo,
        COLORS.go,
      ).span(8),
    )
    .withPanel(
      new table.PanelBuilder()
        .title('Phản hồi theo đường / Up per scrape link')
        .withTarget(
          query(`max by (unit, site, scrape_link) (${FOREIGN_METRICS.up}{job="${JOBS.agent}"})`, undefined, { instant: true, table: true }),
        )
        .mappings(upDownMappings())
        .thresholds(
          thresholds([
            [0, COLORS.nogo],
            [1, COLORS.go],
          ]),
        )
        .colorScheme(thresholdColors())
        .noValue(NO_DATA)
        .withTransformation(organize({ unit: 'Đơn vị / Unit', site: 'Điểm / Site', scrape_link: 'Đường / Link', Value: 'Up' }))
        .withOverride(byNames('Up', [{ id: 'custom.cellOptions', value: colorBackground }]))
        .sortBy([new common.TableSortByFieldStateBuilder().displayName('Up').desc(false)])
        .height(10)
        .span(12),
    )
    .withPanel(
      new table.PanelBuilder()
        .title('Lần thăm dò gần nhất / Last probe age')
        .withTarget(query(`time() - max by (unit, site) (${AGENT_METRICS.probeLastRun})`, undefined, { instant: true, table: true }))
        .unit('s')
        .thresholds(
          thresholds([
            [0, COLORS.go],
            [stale, COLORS.nogo],
          ]),
        )
        .colorScheme(thresholdColors())
        .noValue(NO_DATA)
        .withTransformation(organize({ unit: 'Đơn vị / Unit', site: 'Điểm / Site', Value: 'Tuổi / Age' }))
        .withOverride(byNames('Tuổi / Age', [{ id: 'custom.cellOptions', value: colorBackground }]))
        .sortBy([new common.TableSortByFieldStateBuilder().displayName('Tuổi / Age').desc(true)])
        .height(10)
        .span(12),
    )
    .withPanel(
      new table.PanelBuilder()
        .title('Phiên bản / Versions')
        .withTarget(query(`max by (unit, site, version) (${AGENT_METRICS.agentInfo})`, undefined, { instant: true, table: true }))
        .noValue(NO_DATA)
        .withTransformation(organize({ unit: 'Đơn vị / Unit', site: 'Điểm / Site', version: 'Phiên bản / Version' }, ['Time', 'Value']))
        .height(10)
        .span(12),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Tác tử theo phiên bản / Agents per version')
        .withTarget(query(`count by (version) (${AGENT_METRICS.agentInfo})`, '{{version}}'))
        .noValue(NO_DATA)
        .height(10)
        .span(12),
    )
    .build();
}
