// Names of the series the rules record (`level:metric:operations`), shared by the alerts, the
// promtool tests and the Grafana dashboards. The three `sansang:` names are DESIGN.md contracts.
export const SERIES = {
  /** Contract: state set per unit and item, `state` in go|nogo|unknown|maintenance. */
  unitCheckState: 'sansang:unit_check:state',
  /** Contract: state set per unit. */
  unitState: 'sansang:unit:state',
  /** Contract: 1 only when the unit is GO. */
  unitReady: 'sansang:unit:ready',
  /** The anchor: items expected per site (max over the two boards). */
  expected: 'unit_site_check:sansang_check_expected:max',
  /** Manual items' anchor and value: sign-off per unit and item (max over the two boards). */
  signoff: 'unit_check:sansang_signoff_status:max',
  maintenance: 'unit:sansang_maintenance_active:max',
  /** 1 passing / 0 failing, only while fresh; site is empty for manual items. */
  ok: 'unit_site_check:sansang_check_ok:fresh',
  /** Anchored value: 1 passing, 0 failing, 0.5 expected but nothing fresh. */
  value: 'unit_site_check:sansang_check_value:anchored',
  /** Per site and item: 0 go, 1 unknown, 2 nogo; label `blocking`. */
  siteCode: 'unit_site_check:sansang_check_state:code',
  /** Per unit and item: 0 go, 1 unknown, 2 nogo, 3 maintenance. */
  unitCheckCode: 'unit_check:sansang_check_state:code',
  /** Per unit: 0 go, 1 unknown, 2 nogo, 3 maintenance. */
  unitCode: 'unit:sansang_unit_state:code',
  /** Per site and link: 1 up, 0 down (the agent's link item and the data center's scrape over it). */
  linkUp: 'unit_site_link:sansang_link_up:min',
} as const;

export const STATES = ['go', 'unknown', 'nogo', 'maintenance'] as const;
export type State = (typeof STATES)[number];
/** The numeric codes of the `code` series, worst wins (maintenance overrides all). */
export const STATE_CODE: Record<State, number> = { go: 0, unknown: 1, nogo: 2, maintenance: 3 };

export const JOBS = { agent: 'sansang-agent', board: 'sansang-board', blackbox: 'sansang-blackbox' } as const;
