// Alerting rules. Every alert carries `severity`, `summary`, `description` (Vietnamese),
// `description_en` (English) and `runbook_url`. The texts are functions of their variables, so
// the same function gives the Prometheus template (variables as template expressions) and, in
// the promtool tests, the exact text Prometheus must render (variables as values).
import {
  AGENT_METRICS,
  BOARD_METRICS,
  durationSeconds,
  FOREIGN_METRICS,
  JOBS,
  SERIES,
  sayCause,
  type Cause,
  type Evidence,
  type Inventory,
} from '../../inventory/index.ts';
import { itemClasses, type ItemClass } from './classes.ts';

export type Severity = 'critical' | 'warning';
export type Vars = Record<string, string>;

export interface AlertDef {
  alert: string;
  expr: string;
  for: string;
  severity: Severity;
  /** The checklist items the rule covers, where it is one of several rules of the same name. */
  checks?: string[];
  /** Template expression of each variable the texts use. */
  vars: Vars;
  text: (v: Vars) => { summary: string; description: string; description_en: string };
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Hours Asia/Ho_Chi_Minh is ahead of UTC (no daylight saving time). */
export const HCM_OFFSET_SECONDS = 7 * 3600;
export const TIME_LAYOUT = '15:04 02/01/2006';

const label = (name: string) => `{{ $labels.${name} }}`;

/** What to do about a cause, as the agent and the board say it (inventory/remedies.ts): the same remedy in the alerts. */
const fix = (c: Cause) => ({ vi: sayCause(c, 'vi').fix ?? '', en: sayCause(c, 'en').fix ?? '' });

/** The checks of one unit in one state, comma separated, sorted (queried when the alert fires). */
function checksInState(state: string): string {
  return `{{ range $i, $s := printf "${SERIES.unitCheckState}{unit=%q, state='${state}'} == 1" $labels.unit | query | sortByLabel "check" }}{{ if $i }}, {{ end }}{{ $s.Labels.check }}{{ end }}`;
}

/** A certificate's expiry, shown in Vietnam's time zone (Prometheus templates only know UTC). */
const certExpiryHcm = `{{ with printf "min(${AGENT_METRICS.tlsExpiry}{target=%q, probe=%q}) + ${HCM_OFFSET_SECONDS}" $labels.target $labels.probe | query }}{{ with . | first | value | toTime }}{{ .Format "${TIME_LAYOUT}" }}{{ end }}{{ end }}`;

function maxDuration(ds: string[], fallback: string): string {
  if (!ds.length) return fallback;
  return ds.reduce((a, b) => (durationSeconds(b) > durationSeconds(a) ? b : a));
}

/** Groups classes by `for`, so items with the same delay share one alerting rule. */
function byFor(classes: ItemClass[]): Map<string, ItemClass[]> {
  const m = new Map<string, ItemClass[]>();
  for (const c of classes) m.set(c.item.for, [...(m.get(c.item.for) ?? []), c]);
  return m;
}

function checkMatcher(classes: ItemClass[]): string {
  return `check=~"${[...new Set(classes.map((c) => c.item.id))].sort().join('|')}"`;
}

/** What an alert's parts are computed from: the inventory and its item classes. */
interface AlertContext {
  inv: Inventory;
  classes: ItemClass[];
  /** The longest `for` of the items with this evidence kind, or the fallback. */
  kindFor(kind: Evidence['kind'], fallback: string): string;
}

/**
 * One row of the alert table. A row with `perItemOf` becomes one rule per distinct `for` among
 * the items of that evidence kind (so each fires after its own items' delay); the others, one rule.
 */
interface AlertSpec {
  alert: string;
  severity: Severity;
  perItemOf?: Evidence['kind'];
  for: (c: AlertContext) => string;
  /** `match` is the `check=~"…"` matcher of the rule's items, for per-item rows. */
  expr: (c: AlertContext, match: string) => string;
  vars: Vars;
  text: AlertDef['text'];
}

const agentUp = `${FOREIGN_METRICS.up}{job="${JOBS.agent}"}`;
const certExpiry = `min by (target, probe) (${AGENT_METRICS.tlsExpiry} > 0) - time()`;
const certVars = { target: label('target'), probe: label('probe'), left: '{{ $value | humanizeDuration }}', expiresAt: certExpiryHcm };
const tlsDays = (c: AlertContext) =>
  Math.max(14, ...c.classes.flatMap((k) => (k.item.evidence.kind === 'tls' ? [k.item.evidence.minDays] : [])));

const primaryLost = fix({ kind: 'link-lost', link: 'primary', over: 'backup' });
const primaryLoss = fix({ kind: 'loss', link: 'primary', target: '', ratio: 0, limit: 0 });
const renew = (v: Vars) => fix({ kind: 'cert-expiring', days: 0, min: 0, service: v.target! });

/** Every alert, as data. */
const ALERTS: readonly AlertSpec[] = [
  {
    alert: 'SansangUnitNotReady',
    severity: 'critical',
    for: () => '1m',
    expr: () => `max by (unit) (${SERIES.unitState}{state="nogo"}) == 1`,
    vars: { unit: label('unit'), items: checksInState('nogo') },
    text: (v) => ({
      summary: `Đơn vị ${v.unit} chưa sẵn sàng (NO-GO)`,
      description: `Đơn vị ${v.unit} có hạng mục bắt buộc không đạt. Hạng mục NO-GO: ${v.items}.`,
      description_en: `Unit ${v.unit} is NO-GO: a blocking checklist item fails. NO-GO items: ${v.items}.`,
    }),
  },
  {
    alert: 'SansangUnitStateUnknown',
    severity: 'warning',
    // Longer than the longest `for`: right after a restart every unit is UNKNOWN that long.
    for: (c) =>
      `${
        Math.ceil(
          durationSeconds(
            maxDuration(
              c.classes.map((k) => k.item.for),
              '0s',
            ),
          ) / 60,
        ) + 5
      }m`,
    expr: () => `max by (unit) (${SERIES.unitState}{state="unknown"}) == 1`,
    vars: { unit: label('unit'), items: checksInState('unknown') },
    text: (v) => ({
      summary: `Không rõ trạng thái đơn vị ${v.unit} (UNKNOWN)`,
      description: `Không có số liệu mới cho đơn vị ${v.unit}; không được coi là sẵn sàng. Hạng mục không rõ: ${v.items}.`,
      description_en: `No fresh data for unit ${v.unit}; it is not counted as ready. UNKNOWN items: ${v.items}.`,
    }),
  },
  {
    alert: 'SansangSiteAgentDown',
    severity: 'critical',
    for: (c) => c.kindFor('agent-up', '1m'),
    // Down on every link, or expected by the inventory but not scraped at all.
    expr: () =>
      `(max by (unit, site) (${agentUp}) == 0) or on (unit, site) (max by (unit, site) (${SERIES.expected}) * 0 unless on (unit, site) ${agentUp})`,
    vars: { unit: label('unit'), site: label('site') },
    text: (v) => ({
      summary: `Mất tín hiệu tác tử tại điểm ${v.site} (đơn vị ${v.unit})`,
      description: `Trung tâm dữ liệu không thu được số liệu từ tác tử giám sát tại điểm ${v.site} của đơn vị ${v.unit} qua bất kỳ đường truyền nào. ${fix({ kind: 'agent-silent' }).vi}.`,
      description_en: `The data center gets no metrics from the site agent at ${v.site} (unit ${v.unit}) over any link. ${fix({ kind: 'agent-silent' }).en}.`,
    }),
  },
  {
    alert: 'SansangPrimaryWanDown',
    severity: 'warning',
    for: (c) => c.kindFor('link', '1m'),
    expr: () => `(${SERIES.linkUp}{link="primary"} == 0) and on (unit, site) (${SERIES.linkUp}{link="backup"} == 1)`,
    vars: { unit: label('unit'), site: label('site') },
    text: (v) => ({
      summary: `Đường truyền chính tại ${v.site} mất, đang chạy dự phòng`,
      description: `Đường truyền chính của điểm ${v.site} (đơn vị ${v.unit}) không thông; đường dự phòng vẫn hoạt động. ${primaryLost.vi}.`,
      description_en: `The primary WAN link of ${v.site} (unit ${v.unit}) is down; the backup link is up. ${primaryLost.en}.`,
    }),
  },
  {
    alert: 'SansangWanDown',
    severity: 'critical',
    for: (c) => c.kindFor('link', '1m'),
    expr: () => `(${SERIES.linkUp}{link="primary"} == 0) unless on (unit, site) (${SERIES.linkUp}{link="backup"} == 1)`,
    vars: { unit: label('unit'), site: label('site') },
    text: (v) => ({
      summary: `Điểm ${v.site} mất mọi đường truyền`,
      description: `Đường truyền chính của điểm ${v.site} (đơn vị ${v.unit}) không thông và không có đường dự phòng hoạt động. ${fix({ kind: 'wan-down', site: v.site! }).vi}.`,
      description_en: `The primary WAN link of ${v.site} (unit ${v.unit}) is down and no backup link is up. ${fix({ kind: 'wan-down', site: v.site! }).en}.`,
    }),
  },
  {
    alert: 'SansangServiceUnreachable',
    severity: 'warning',
    perItemOf: 'service',
    for: () => '0s',
    expr: (_c, match) => `${SERIES.ok}{${match}} == 0`,
    vars: { unit: label('unit'), site: label('site'), check: label('check') },
    text: (v) => ({
      summary: `Điểm ${v.site} không tới được dịch vụ (${v.check})`,
      description: `Hạng mục ${v.check} tại điểm ${v.site} (đơn vị ${v.unit}) không đạt: dịch vụ không truy cập được qua đường truyền nào. ${fix({ kind: 'service-unreachable', check: v.check!, site: v.site! }).vi}.`,
      description_en: `Item ${v.check} fails at ${v.site} (unit ${v.unit}): the service is unreachable over every link. ${fix({ kind: 'service-unreachable', check: v.check!, site: v.site! }).en}.`,
    }),
  },
  {
    alert: 'SansangHighPacketLoss',
    severity: 'warning',
    perItemOf: 'loss',
    for: () => '0s',
    expr: (_c, match) => `${SERIES.ok}{${match}} == 0`,
    vars: { unit: label('unit'), site: label('site') },
    text: (v) => ({
      summary: `Mất gói cao tại điểm ${v.site}`,
      description: `Tỷ lệ mất gói ICMP trên đường truyền chính của điểm ${v.site} (đơn vị ${v.unit}) vượt ngưỡng. ${primaryLoss.vi}.`,
      description_en: `ICMP packet loss over the primary link of ${v.site} (unit ${v.unit}) is above its threshold. ${primaryLoss.en}.`,
    }),
  },
  {
    alert: 'SansangCertificateExpiring',
    severity: 'warning',
    for: () => '10m',
    expr: (c) => `${certExpiry} < ${tlsDays(c) * 86400} and ${certExpiry} >= ${3 * 86400}`,
    vars: certVars,
    text: (v) => ({
      summary: `Chứng thư số của ${v.target} sắp hết hạn`,
      description: `Chứng thư TLS của dịch vụ ${v.target} (${v.probe}) hết hạn lúc ${v.expiresAt} (giờ Việt Nam), còn ${v.left}. ${renew(v).vi}.`,
      description_en: `The TLS certificate of ${v.target} (${v.probe}) expires at ${v.expiresAt} (Asia/Ho_Chi_Minh), in ${v.left}. ${renew(v).en}.`,
    }),
  },
  {
    alert: 'SansangCertificateExpiringSoon',
    severity: 'critical',
    for: () => '5m',
    expr: () => `${certExpiry} < ${3 * 86400}`,
    vars: certVars,
    text: (v) => ({
      summary: `Chứng thư số của ${v.target} hết hạn trong 3 ngày`,
      description: `Chứng thư TLS của dịch vụ ${v.target} (${v.probe}) hết hạn lúc ${v.expiresAt} (giờ Việt Nam), còn ${v.left}. ${renew(v).vi} ngay.`,
      description_en: `The TLS certificate of ${v.target} (${v.probe}) expires at ${v.expiresAt} (Asia/Ho_Chi_Minh), in ${v.left}. ${renew(v).en} now.`,
    }),
  },
  {
    alert: 'SansangAnchorsMissing',
    severity: 'critical',
    for: () => '2m',
    expr: (c) =>
      anchorMetrics(c.inv)
        .map((m) => `label_replace(absent(${m}), "anchor", "${m}", "", "")`)
        .join(' or '),
    vars: { anchor: label('anchor') },
    text: (v) => ({
      summary: `Mất chuỗi số liệu neo ${v.anchor}: bảng theo dõi ngừng?`,
      description: `Prometheus không có chuỗi ${v.anchor} do bảng theo dõi (sansang board) xuất ra. Khi không có neo, trạng thái các đơn vị không tính được: im lặng không có nghĩa là sẵn sàng. Kiểm tra cả hai bảng theo dõi.`,
      description_en: `Prometheus has no ${v.anchor} series from the board. Without the anchors no unit state can be computed: silence means nothing. Check both boards.`,
    }),
  },
  {
    alert: 'SansangBoardDown',
    severity: 'warning',
    for: () => '2m',
    expr: () => `${FOREIGN_METRICS.up}{job="${JOBS.board}"} == 0`,
    vars: { instance: label('instance') },
    text: (v) => ({
      summary: `Bảng theo dõi ${v.instance} không phản hồi`,
      description: `Prometheus không thu được số liệu từ bảng theo dõi ${v.instance}; bảng còn lại vẫn giữ các neo nếu đang chạy.`,
      description_en: `Prometheus cannot scrape the board at ${v.instance}; the other board still provides the anchors if it runs.`,
    }),
  },
];

export function alertDefs(inv: Inventory): AlertDef[] {
  const classes = itemClasses(inv);
  const c: AlertContext = {
    inv,
    classes,
    kindFor: (kind, fallback) =>
      maxDuration(
        classes.filter((k) => k.item.evidence.kind === kind).map((k) => k.item.for),
        fallback,
      ),
  };
  return ALERTS.flatMap((spec): AlertDef[] => {
    const base = { alert: spec.alert, severity: spec.severity, vars: spec.vars, text: spec.text };
    if (!spec.perItemOf) return [{ ...base, for: spec.for(c), expr: spec.expr(c, '') }];
    const kind = spec.perItemOf;
    return [...byFor(classes.filter((k) => k.item.evidence.kind === kind))].map(([forD, group]) => ({
      ...base,
      checks: group.map((k) => k.item.id),
      for: forD,
      expr: spec.expr(c, checkMatcher(group)),
    }));
  });
}

/** The board's series whose absence makes every state meaningless. */
export function anchorMetrics(inv: Inventory): string[] {
  const hasManual = itemClasses(inv).some((c) => c.item.kind === 'manual');
  return [BOARD_METRICS.checkExpected, BOARD_METRICS.maintenanceActive, ...(hasManual ? [BOARD_METRICS.signoffStatus] : [])];
}

export function runbookBase(inv: Inventory): string {
  return inv.province.runbookUrl ?? 'RUNBOOK.md';
}

export function runbookUrl(inv: Inventory, alert: string): string {
  return `${runbookBase(inv)}#${alert.toLowerCase()}`;
}

export function alertingRules(inv: Inventory): AlertingRule[] {
  return alertDefs(inv).map((d) => ({
    alert: d.alert,
    expr: d.expr,
    for: d.for,
    labels: { severity: d.severity },
    annotations: { ...d.text(d.vars), runbook_url: runbookUrl(inv, d.alert) },
  }));
}
