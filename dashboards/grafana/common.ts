// Shared pieces of the dashboards: the Prometheus data source variable, the four-state value
// mappings (missing data is "NO DATA" in red, never green) and small panel helpers.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import { STATE_CODE } from '../states.ts';

export const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

export const COLORS = { go: 'green', nogo: 'red', unknown: 'orange', maintenance: 'blue', noData: 'red' } as const;
export const NO_DATA = 'NO DATA';

export function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus');
}

export function query(
  expr: string,
  legend?: string,
  opts: { instant?: boolean; table?: boolean; refId?: string } = {},
): prometheus.DataqueryBuilder {
  const q = new prometheus.DataqueryBuilder()
    .expr(expr)
    .datasource(DATASOURCE)
    .refId(opts.refId ?? 'A');
  if (legend) q.legendFormat(legend);
  if (opts.instant) q.instant();
  else q.range();
  if (opts.table) q.format(prometheus.PromQueryFormat.Table);
  return q;
}

const noDataMapping: dashboard.ValueMapping = {
  type: dashboard.MappingType.SpecialValue,
  options: { match: dashboard.SpecialValueMatch.NullAndNan, result: { text: NO_DATA, color: COLORS.noData, index: 9 } },
};

/** The state codes of the rules (0 go, 1 unknown, 2 nogo, 3 maintenance) as text and colour. */
export function stateMappings(): dashboard.ValueMapping[] {
  return [
    {
      type: dashboard.MappingType.ValueToText,
      options: {
        [String(STATE_CODE.go)]: { text: 'GO', color: COLORS.go, index: 0 },
        [String(STATE_CODE.unknown)]: { text: 'UNKNOWN', color: COLORS.unknown, index: 1 },
        [String(STATE_CODE.nogo)]: { text: 'NO-GO', color: COLORS.nogo, index: 2 },
        [String(STATE_CODE.maintenance)]: { text: 'MAINTENANCE', color: COLORS.maintenance, index: 3 },
      },
    },
    noDataMapping,
  ];
}

/** 1 up / 0 down series. */
export function upDownMappings(up = 'UP', down = 'DOWN'): dashboard.ValueMapping[] {
  return [
    {
      type: dashboard.MappingType.ValueToText,
      options: { '1': { text: up, color: COLORS.go, index: 0 }, '0': { text: down, color: COLORS.nogo, index: 1 } },
    },
    noDataMapping,
  ];
}

/** Thresholds whose base step is red: a value no step matches is never shown green. */
export function thresholds(steps: [number, string][]): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps([{ value: null, color: COLORS.noData }, ...steps.map(([value, color]) => ({ value, color }))]);
}

export function stateThresholds(): dashboard.ThresholdsConfigBuilder {
  return thresholds([
    [STATE_CODE.go, COLORS.go],
    [STATE_CODE.unknown, COLORS.unknown],
    [STATE_CODE.nogo, COLORS.nogo],
    [STATE_CODE.maintenance, COLORS.maintenance],
  ]);
}

export function thresholdColors(): dashboard.FieldColorBuilder {
  return new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds);
}

export const colorBackground: common.TableCellOptions = { type: common.TableCellDisplayMode.ColorBackground };

/** A data link from a `unit` cell to the unit drill-down dashboard. */
export function unitLink(unitDashboardUid: string): dashboard.DashboardLinkBuilder {
  return new dashboard.DashboardLinkBuilder('Đơn vị / Unit').url(
    `/d/${unitDashboardUid}?var-unit=\${__data.fields.unit}&\${__url_time_range}&var-datasource=\${datasource}`,
  );
}

/** Hides Grafana's table columns we do not want (Time) and renames the value. */
export function organize(rename: Record<string, string>, exclude: string[] = ['Time']): dashboard.DataTransformerConfig {
  return { id: 'organize', options: { excludeByName: Object.fromEntries(exclude.map((e) => [e, true])), renameByName: rename } };
}

/** An override for the named fields; `byNames` takes an object, as the dashboard schema wants. */
export function byNames(
  name: string,
  properties: dashboard.DynamicConfigValue[],
): { matcher: dashboard.MatcherConfig; properties: dashboard.DynamicConfigValue[] } {
  return { matcher: { id: 'byNames', options: { mode: 'include', names: [name] } }, properties };
}
