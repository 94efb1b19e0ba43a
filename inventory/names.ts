// The project's vocabulary, defined once: metric names, scrape jobs, labels, state values and the
// series the recording rules write. The agent, the rules, the Grafana dashboards, the board, the
// stacks and the demo import these; a test (test/names.test.ts) fails when a `sansang_` metric or
// a job name is typed as a string anywhere else in production code. The one exception: a metric
// only one agent probe kind or host collector writes is declared in that file, and nowhere else
// (docs/architecture.md, "Names").

/** Metrics the agent writes that other parts read (rules, dashboards, board, bench). */
export const AGENT_METRICS = {
  probeSuccess: 'sansang_probe_success',
  probeDuration: 'sansang_probe_duration_seconds',
  probeLastRun: 'sansang_probe_last_run_timestamp_seconds',
  icmpSent: 'sansang_probe_icmp_sent_total',
  icmpReceived: 'sansang_probe_icmp_received_total',
  icmpLoss: 'sansang_probe_icmp_packet_loss_ratio',
  icmpRtt: 'sansang_probe_icmp_rtt_seconds',
  httpStatus: 'sansang_probe_http_status_code',
  httpPhase: 'sansang_probe_http_phase_duration_seconds',
  tlsExpiry: 'sansang_probe_tls_cert_expiry_timestamp_seconds',
  /** 1 per URL of a URL list that fails, labelled `url`: the alert names them. */
  urlFailing: 'sansang_probe_url_failing',
  checkStatus: 'sansang_check_status',
  collectorSuccess: 'sansang_collector_success',
  collectorDuration: 'sansang_collector_duration_seconds',
  agentInfo: 'sansang_agent_info',
  reloadOk: 'sansang_config_last_reload_successful',
  reloadTime: 'sansang_config_last_reload_success_timestamp_seconds',
  roundDuration: 'sansang_round_duration_seconds',
  /** The host clock read at scrape time: the clock item compares it with the scrape's timestamp. */
  hostTime: 'sansang_host_time_seconds',
  hostMemoryTotal: 'sansang_host_memory_total_bytes',
  hostMemoryAvailable: 'sansang_host_memory_available_bytes',
  hostFilesystemSize: 'sansang_host_filesystem_size_bytes',
  hostFilesystemFree: 'sansang_host_filesystem_free_bytes',
  hostLoad1: 'sansang_host_load1',
  hostNetworkUp: 'sansang_host_network_up',
  hostUptime: 'sansang_host_uptime_seconds',
  /** Behind a dual-WAN router: 1 for the uplink the data center sees the traffic leave by, 0 for the other (label `uplink`). */
  uplinkActive: 'sansang_uplink_active',
  /** Pushes over an outbound-only link (label `receiver`): bytes waiting on disk, samples dropped when the backlog was full, last accepted push. */
  pushBacklogBytes: 'sansang_push_backlog_bytes',
  pushDropped: 'sansang_push_dropped_samples_total',
  pushLastSuccess: 'sansang_push_last_success_timestamp_seconds',
} as const;

/** Metrics the board writes: the anchors the rules turn into states. */
export const BOARD_METRICS = {
  /** 1 for every item the inventory expects at a site: a silent site turns UNKNOWN, not absent. */
  checkExpected: 'sansang_check_expected',
  signoffStatus: 'sansang_signoff_status',
  maintenanceActive: 'sansang_maintenance_active',
  boardInfo: 'sansang_board_info',
  /** 1 per unit, with its name: alerts and the national view show names, not codes. */
  unitInfo: 'sansang_unit_info',
  /** 1 per checklist item, with its titles. */
  checkInfo: 'sansang_check_info',
  /** 1 per site and link the agent pushes over (not reachable from the data center): the anchor that turns a silent push UNKNOWN. */
  linkPushed: 'sansang_link_pushed',
  /** The push receiver (label `kind`: status, write, echo; `outcome`: accepted, refused, busy, failed). */
  pushRequests: 'sansang_push_requests_total',
  pushInFlight: 'sansang_push_in_flight',
} as const;

/** Series of other programs that the rules read. */
export const FOREIGN_METRICS = {
  /** Prometheus' own per-target scrape health. */
  up: 'up',
  /** The blackbox exporter's verdict (job `sansang-blackbox`). */
  blackboxSuccess: 'probe_success',
} as const;

/** Prometheus scrape jobs. */
export const JOBS = { agent: 'sansang-agent', board: 'sansang-board', blackbox: 'sansang-blackbox' } as const;

/** Label names shared across the parts (docs/architecture.md: the agent never writes `unit` or `site` itself). */
export const LABELS = {
  unit: 'unit',
  site: 'site',
  check: 'check',
  target: 'target',
  probe: 'probe',
  link: 'link',
  /** Target label: the link a scrape of the agent went over. */
  scrapeLink: 'scrape_link',
  state: 'state',
  blocking: 'blocking',
  collector: 'collector',
  province: 'province',
  replica: 'replica',
  /** The uplink of a dual-WAN router (primary, backup). */
  uplink: 'uplink',
  /** The receiver an agent pushes to (its URL). */
  receiver: 'receiver',
} as const;

/** The four states, in the order lists and legends show them. */
export const STATES = ['go', 'nogo', 'unknown', 'maintenance'] as const;
export type State = (typeof STATES)[number];

/** Series the recording rules write (`level:metric:operations`). The first three are contracts. */
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
  /** Per site and item: the state's code (see dashboards/states.ts); label `blocking`. */
  siteCode: 'unit_site_check:sansang_check_state:code',
  /** Per unit and item: the state's code. */
  unitCheckCode: 'unit_check:sansang_check_state:code',
  /** Per unit: the state's code. */
  unitCode: 'unit:sansang_unit_state:code',
  /** Per site and link: 1 up, 0 down (the agent's link item and the data center's scrape over it). */
  linkUp: 'unit_site_link:sansang_link_up:min',
  /** Per item: the units where it is NO-GO. */
  checkNogoUnits: 'check:sansang_nogo_units:count',
  /** Per item: the units that have it. */
  checkUnits: 'check:sansang_units:count',
  /** Per item, while one cause fails it at many units (a central outage): how many. */
  checkIncident: 'sansang:check:incident',
} as const;

/**
 * What a province's Prometheus sends the national store when its inventory says
 * `national.send: rollup` (the default): the rules' conclusions (every level the national view and
 * its dashboards read: unit, unit and item, site and item, links, per item) and the boards' names.
 * The national view aggregates these; it never re-evaluates an item.
 */
export const NATIONAL_SERIES: readonly string[] = [
  SERIES.unitState,
  SERIES.unitCheckState,
  SERIES.unitReady,
  SERIES.unitCode,
  SERIES.unitCheckCode,
  SERIES.siteCode,
  SERIES.linkUp,
  SERIES.checkNogoUnits,
  SERIES.checkUnits,
  SERIES.checkIncident,
  BOARD_METRICS.unitInfo,
  BOARD_METRICS.checkInfo,
  BOARD_METRICS.boardInfo,
];
