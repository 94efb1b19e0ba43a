// What the national board asks the national store, every refresh: six instant queries whatever the
// number of provinces and units (the rules' conclusions, already per unit and item, carry the
// province label from the provinces' external labels: nothing is evaluated again here).
// The store is VictoriaMetrics: `tlast_over_time` (MetricsQL) gives the time of a series' last
// sample, which the board needs because the store keeps answering with a series' last value for
// minutes after its sender stops (no staleness marker comes from a Prometheus that was killed).
import { BOARD_METRICS, LABELS, SERIES } from '../../inventory/index.ts';

/** How long a silent province's units and names are still listed (as UNKNOWN), from what the store holds. */
export const NATIONAL_MEMORY = '1h';

const { province, unit, check } = LABELS;

export const NATIONAL_QUERIES = {
  /** Each unit's state code (the rules' `unit:…:code`), its last sample within the memory. */
  unitCode: `last_over_time(${SERIES.unitCode}[${NATIONAL_MEMORY}])`,
  /** When that last sample was taken (seconds): the province's freshness. */
  unitAt: `tlast_over_time(${SERIES.unitCode}[${NATIONAL_MEMORY}])`,
  /** Each unit and item's state code, as the rules concluded it. */
  itemCode: SERIES.unitCheckCode,
  /** Items that are advisory at a unit (the rules' site codes carry `blocking`). */
  advisory: `group by (${province}, ${unit}, ${check}) (${SERIES.siteCode}{${LABELS.blocking}="false"})`,
  /** Unit names, from the provinces' boards. */
  unitNames: `max by (${province}, ${unit}, name) (last_over_time(${BOARD_METRICS.unitInfo}[${NATIONAL_MEMORY}]))`,
  /** Item titles, from the provinces' boards. */
  checkTitles: `max by (${check}, title, title_en) (last_over_time(${BOARD_METRICS.checkInfo}[${NATIONAL_MEMORY}]))`,
} as const;

export type NationalQuery = keyof typeof NATIONAL_QUERIES;
