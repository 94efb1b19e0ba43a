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
  type ChecklistItem,
  type Evidence,
  type Inventory,
} from '../../inventory/index.ts';
import { STATE_CODE } from '../states.ts';
import { servicesOfItem, servicesText } from '../incidents.ts';
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
  steps: Steps;
  /** The escalation twin (label `escalated="true"`), see escalationDefs. */
  escalated?: boolean;
  /** Labels the rule sets itself (a rule per item names its item: promtool wants rules told apart). */
  labels?: Record<string, string>;
}

/** The label of an escalation twin; alertmanager.yml routes on it. */
export const ESCALATED_LABEL = 'escalated';

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

/** An item's title (the board's `sansang_check_info`), or its id when no board says it. */
const checkTitle = (check: string, lang: 'vi' | 'en') =>
  `{{ with printf "${BOARD_METRICS.checkInfo}{check=%q}" ${check} | query }}{{ . | first | label "${lang === 'vi' ? 'title' : 'title_en'}" }}{{ else }}{{ ${check} }}{{ end }}`;

/** The unit's name (the board's `sansang_unit_info`), or its code when no board says it. */
const unitName = `{{ with printf "${BOARD_METRICS.unitInfo}{unit=%q}" $labels.unit | query }}{{ . | first | label "name" }}{{ else }}{{ $labels.unit }}{{ end }}`;

/** The titles of one unit's items in one state, comma separated, sorted by id (queried when the alert fires). */
function checksInState(state: string, lang: 'vi' | 'en'): string {
  return `{{ range $i, $s := printf "${SERIES.unitCheckState}{unit=%q, state='${state}'} == 1" $labels.unit | query | sortByLabel "check" }}{{ if $i }}, {{ end }}${checkTitle('$s.Labels.check', lang)}{{ end }}`;
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

/** What to do, step by step, in both languages: the runbook's section of an alert. */
export interface Steps {
  vi: string[];
  en: string[];
}

/**
 * One row of the alert table. A row with `perItemOf` becomes one rule per distinct `for` among
 * the items of that evidence kind (so each fires after its own items' delay); a row with
 * `perSiteItem`, one rule per item a site checks (its own words); the others, one rule.
 */
interface AlertSpec {
  alert: string;
  severity: Severity;
  perItemOf?: Evidence['kind'];
  /** The item's own words (fixed values, not templates) for a rule per site item. */
  perSiteItem?: (c: AlertContext, item: ChecklistItem) => Vars;
  for: (c: AlertContext) => string;
  /** For `perItemOf` rows: the shortest `for` a rule gets, whatever its items' own. */
  atLeastSeconds?: (c: AlertContext) => number;
  /** `match` is the `check=~"…"` matcher of the rule's items, for per-item rows. */
  expr: (c: AlertContext, match: string) => string;
  vars: Vars;
  text: AlertDef['text'];
  steps: Steps;
}

const agentUp = `${FOREIGN_METRICS.up}{job="${JOBS.agent}"}`;
const certExpiry = `min by (target, probe) (${AGENT_METRICS.tlsExpiry} > 0) - time()`;
const certVars = { target: label('target'), probe: label('probe'), left: '{{ $value | humanizeDuration }}', expiresAt: certExpiryHcm };
const tlsDays = (c: AlertContext) =>
  Math.max(14, ...c.classes.flatMap((k) => (k.item.evidence.kind === 'tls' ? [k.item.evidence.minDays] : [])));

const primaryLost = fix({ kind: 'link-lost', link: 'primary', over: 'backup' });
const primaryLoss = fix({ kind: 'loss', link: 'primary', target: '', ratio: 0, limit: 0 });
const urlFix = (v: Vars) => fix({ kind: 'url-failed', url: v.url!, expected: '', got: '', failing: 1, total: 1 });
const renew = (v: Vars) => fix({ kind: 'cert-expiring', days: 0, min: 0, service: v.target! });
const unitVars = { unit: unitName, site: label('site') };

/** The services an item depends on, with where they run: "LGSP tỉnh (Trung tâm dữ liệu tỉnh)". */
function itemServices(inv: Inventory, item: ChecklistItem, lang: 'vi' | 'en'): string {
  return servicesText(servicesOfItem(inv, item.evidence), lang);
}

/** Every alert, as data. */
const ALERTS: readonly AlertSpec[] = [
  {
    alert: 'SansangSharedOutage',
    severity: 'critical',
    // One item failing at many units at once: one incident for the province (sansang:check:incident).
    perSiteItem: (c, item) => ({
      title: item.title.vi,
      title_en: item.title.en,
      services: itemServices(c.inv, item, 'vi'),
      services_en: itemServices(c.inv, item, 'en'),
    }),
    for: (c) => c.inv.agent.interval,
    expr: (_c, match) => `${SERIES.checkIncident}{${match}}`,
    vars: {
      count: `{{ with printf "${SERIES.checkIncident}{check=%q}" $labels.check | query }}{{ . | first | value }}{{ end }}`,
      total: `{{ with printf "${SERIES.checkUnits}{check=%q}" $labels.check | query }}{{ . | first | value }}{{ end }}`,
    },
    text: (v) => ({
      summary: `Sự cố chung: ${v.title} không đạt tại ${v.count}/${v.total} đơn vị`,
      description: `${v.title} không đạt tại ${v.count} trên ${v.total} đơn vị cùng lúc: nguyên nhân chung ở phía trung tâm, không phải lỗi riêng từng xã.${v.services ? ` Dịch vụ: ${v.services}.` : ''} Cảnh báo từng điểm về hạng mục này được gộp vào sự cố này.`,
      description_en: `${v.title_en} fails at ${v.count} of ${v.total} units at once: a shared cause at the centre, not each commune's own fault.${v.services_en ? ` Services: ${v.services_en}.` : ''} The per-site alerts of this item are folded into this incident.`,
    }),
    steps: {
      vi: [
        'Nhận xử lý sự cố trên bảng theo dõi (nút "Nhận xử lý" ở biểu ngữ sự cố) để dừng nhắc lại và chuyển cấp.',
        'Kiểm tra dịch vụ nêu trong cảnh báo tại trung tâm dữ liệu đặt nó (tiến trình, cổng, chứng thư, tường lửa, đường truyền ra ngoài).',
        'Nếu là nền tảng quốc gia: báo đầu mối của Bộ/đơn vị vận hành và ghi số phiếu vào ghi chú nhận xử lý.',
        'Báo các tổ xã: không cần xử lý tại chỗ. Sự cố tự đóng khi số đơn vị không đạt xuống dưới ngưỡng.',
      ],
      en: [
        'Acknowledge the incident on the board ("Acknowledge" on the incident banner): repeats and escalation stop.',
        'Check the service named in the alert in the data center that hosts it (process, port, certificate, firewall, uplink).',
        "For a national platform: call its operator and put the ticket number in the acknowledgement's note.",
        'Tell the commune teams there is nothing to fix on site. The incident closes itself once fewer units fail than the threshold.',
      ],
    },
  },
  {
    alert: 'SansangUnitNotReady',
    severity: 'critical',
    for: () => '1m',
    // A blocking item NO-GO that no shared-cause incident explains: a central outage pages once, as SansangSharedOutage.
    expr: () =>
      `(max by (unit) ((${SERIES.siteCode}{blocking="true"} == ${STATE_CODE.nogo}) unless on (check) ${SERIES.checkIncident}) > 0) and on (unit) (max by (unit) (${SERIES.unitState}{state="nogo"}) == 1)`,
    vars: { unit: unitName, items: checksInState('nogo', 'vi'), items_en: checksInState('nogo', 'en') },
    text: (v) => ({
      summary: `${v.unit} chưa sẵn sàng (CHƯA ĐẠT)`,
      description: `Đơn vị ${v.unit} có hạng mục bắt buộc không đạt. Hạng mục chưa đạt: ${v.items}.`,
      description_en: `Unit ${v.unit} is NO-GO: a blocking checklist item fails. NO-GO items: ${v.items_en}.`,
    }),
    steps: {
      vi: [
        'Mở trang đơn vị trên bảng theo dõi: hạng mục chưa đạt đứng đầu, kèm nguyên nhân và cách khắc phục.',
        'Nhận xử lý hạng mục (nút "Nhận xử lý") với ghi chú: dừng nhắc lại và chuyển cấp.',
        'Làm theo cách khắc phục; gọi tổ phản ứng nhanh của xã nếu cần có người tại chỗ.',
        'Cảnh báo tự hết khi hạng mục đạt lại đủ thời gian quy định.',
      ],
      en: [
        'Open the unit on the board: its failing items come first, with cause and remedy.',
        'Acknowledge the item ("Acknowledge") with a note: repeats and escalation stop.',
        "Apply the remedy; call the commune's response team when someone is needed on site.",
        'The alert resolves once the item has passed for its `for` again.',
      ],
    },
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
    vars: { unit: unitName, items: checksInState('unknown', 'vi'), items_en: checksInState('unknown', 'en') },
    text: (v) => ({
      summary: `Không rõ trạng thái ${v.unit} (KHÔNG RÕ)`,
      description: `Không có số liệu mới cho đơn vị ${v.unit}; không được coi là sẵn sàng. Hạng mục không rõ: ${v.items}.`,
      description_en: `No fresh data for unit ${v.unit}; it is not counted as ready. UNKNOWN items: ${v.items_en}.`,
    }),
    steps: {
      vi: [
        'Xem trên bảng theo dõi điểm nào của đơn vị không gửi số liệu.',
        'Kiểm tra tác tử giám sát tại điểm đó (máy bật, dịch vụ sansang-agent chạy, đường truyền).',
        'Nếu bảng theo dõi báo "mất tầm nhìn", lỗi ở phía trung tâm (Prometheus, bảng), không phải ở xã.',
      ],
      en: [
        'See on the board which site of the unit sends nothing.',
        'Check the site agent there (machine on, sansang-agent running, link up).',
        'If the board says it is blind, the fault is central (Prometheus, the board), not at the commune.',
      ],
    },
  },
  {
    alert: 'SansangSiteAgentDown',
    severity: 'critical',
    for: (c) => c.kindFor('agent-up', '1m'),
    // Down on every link, or expected by the inventory but not scraped at all.
    expr: () =>
      `(max by (unit, site) (${agentUp}) == 0) or on (unit, site) (max by (unit, site) (${SERIES.expected}) * 0 unless on (unit, site) ${agentUp})`,
    vars: unitVars,
    text: (v) => ({
      summary: `Mất tín hiệu tác tử tại điểm ${v.site} (${v.unit})`,
      description: `Trung tâm dữ liệu không thu được số liệu từ tác tử giám sát tại điểm ${v.site} của đơn vị ${v.unit} qua bất kỳ đường truyền nào. ${fix({ kind: 'agent-silent' }).vi}.`,
      description_en: `The data center gets no metrics from the site agent at ${v.site} (unit ${v.unit}) over any link. ${fix({ kind: 'agent-silent' }).en}.`,
    }),
    steps: {
      vi: [
        'Gọi điểm: máy chạy tác tử có bật không, có điện không.',
        `${fix({ kind: 'agent-silent' }).vi}.`,
        'Nếu cùng lúc nhiều điểm mất tín hiệu, kiểm tra Prometheus và đường truyền của trung tâm dữ liệu.',
      ],
      en: [
        'Call the site: is the machine running the agent on, is there power.',
        `${fix({ kind: 'agent-silent' }).en}.`,
        "If many sites go silent at once, check Prometheus and the data center's links.",
      ],
    },
  },
  {
    alert: 'SansangPrimaryWanDown',
    severity: 'warning',
    for: (c) => c.kindFor('link', '1m'),
    expr: () => `(${SERIES.linkUp}{link="primary"} == 0) and on (unit, site) (${SERIES.linkUp}{link="backup"} == 1)`,
    vars: unitVars,
    text: (v) => ({
      summary: `Đường truyền chính tại ${v.site} (${v.unit}) mất, đang chạy dự phòng`,
      description: `Đường truyền chính của điểm ${v.site} (đơn vị ${v.unit}) không thông; đường dự phòng vẫn hoạt động. ${primaryLost.vi}.`,
      description_en: `The primary WAN link of ${v.site} (unit ${v.unit}) is down; the backup link is up. ${primaryLost.en}.`,
    }),
    steps: {
      vi: [
        `${primaryLost.vi}.`,
        'Báo nhà mạng, ghi số phiếu vào ghi chú nhận xử lý.',
        'Theo dõi đường dự phòng đến khi đường chính thông lại.',
      ],
      en: [
        `${primaryLost.en}.`,
        "Report it to the network operator; put the ticket number in the acknowledgement's note.",
        'Watch the backup link until the primary is back.',
      ],
    },
  },
  {
    alert: 'SansangWanDown',
    severity: 'critical',
    for: (c) => c.kindFor('link', '1m'),
    expr: () => `(${SERIES.linkUp}{link="primary"} == 0) unless on (unit, site) (${SERIES.linkUp}{link="backup"} == 1)`,
    vars: unitVars,
    text: (v) => ({
      summary: `Điểm ${v.site} (${v.unit}) mất mọi đường truyền`,
      description: `Đường truyền chính của điểm ${v.site} (đơn vị ${v.unit}) không thông và không có đường dự phòng hoạt động. ${fix({ kind: 'wan-down', site: v.site! }).vi}.`,
      description_en: `The primary WAN link of ${v.site} (unit ${v.unit}) is down and no backup link is up. ${fix({ kind: 'wan-down', site: v.site! }).en}.`,
    }),
    steps: {
      vi: [
        'Gọi điểm bằng điện thoại: điểm đang không liên lạc được qua mạng.',
        'Báo nhà mạng cho cả đường chính và dự phòng; ghi số phiếu vào ghi chú nhận xử lý.',
        'Nếu kéo dài, chuyển tiếp nhận hồ sơ sang điểm khác của đơn vị.',
      ],
      en: [
        'Phone the site: it cannot be reached over the network.',
        "Report both links to the network operators; put the ticket numbers in the acknowledgement's note.",
        'If it lasts, move the reception of files to another site of the unit.',
      ],
    },
  },
  {
    alert: 'SansangServiceUnreachable',
    severity: 'warning',
    perItemOf: 'service',
    for: () => '0s',
    // Each rule waits its items' `for`, and at least three probe intervals: a central outage first
    // forms its incident (its units' failures come in over a scrape interval or two,
    // SansangSharedOutage's `for` is one more), which inhibits these before any is sent.
    atLeastSeconds: (c) => 3 * durationSeconds(c.inv.agent.interval),
    expr: (_c, match) => `${SERIES.ok}{${match}} == 0`,
    vars: { ...unitVars, check: label('check'), title: checkTitle('$labels.check', 'vi'), title_en: checkTitle('$labels.check', 'en') },
    text: (v) => ({
      summary: `Điểm ${v.site} (${v.unit}) không tới được: ${v.title}`,
      description: `Hạng mục "${v.title}" tại điểm ${v.site} (đơn vị ${v.unit}) không đạt: dịch vụ không truy cập được qua đường truyền nào. ${fix({ kind: 'service-unreachable', check: v.check!, site: v.site! }).vi}.`,
      description_en: `Item "${v.title_en}" fails at ${v.site} (unit ${v.unit}): the service is unreachable over every link. ${fix({ kind: 'service-unreachable', check: v.check!, site: v.site! }).en}.`,
    }),
    steps: {
      vi: [
        'Xem trên bảng theo dõi có sự cố chung cho hạng mục này không: nếu có, đây không phải lỗi tại điểm.',
        `${fix({ kind: 'service-unreachable', check: '<check>', site: '<site>' }).vi}.`,
      ],
      en: [
        'See on the board whether this item has a shared incident: if so, the fault is not at the site.',
        `${fix({ kind: 'service-unreachable', check: '<check>', site: '<site>' }).en}.`,
      ],
    },
  },
  {
    // A URL of a URL list (an old URL that must be kept or redirected) that answers otherwise:
    // one alert per URL, named by it. The agent writes the series only when the list's mapping
    // is wrong, not when the network or the server fails every URL (other alerts say that).
    alert: 'SansangUrlWrong',
    severity: 'warning',
    for: (c) => c.kindFor('service', '1m'),
    expr: () => `max by (unit, site, target, url) (${AGENT_METRICS.urlFailing}) == 1`,
    vars: { ...unitVars, url: label('url'), target: label('target') },
    text: (v) => ({
      summary: `Đường dẫn ${v.url} không đúng (${v.unit})`,
      description: `Đường dẫn quan trọng ${v.url} (danh sách ${v.target}) không trả kết quả như danh sách yêu cầu khi kiểm tra từ điểm ${v.site} (đơn vị ${v.unit}); bảng theo dõi ghi điều nhận được. ${urlFix(v).vi}.`,
      description_en: `The important URL ${v.url} (list ${v.target}) does not answer as its list expects, checked from ${v.site} (unit ${v.unit}); the board says what came back. ${urlFix(v).en}.`,
    }),
    steps: {
      vi: [
        'Mở đơn vị trên bảng theo dõi: hạng mục đường dẫn quan trọng ghi kết quả cần có và kết quả nhận được.',
        `${urlFix({ url: '<url>' }).vi}.`,
        'Nếu đường dẫn đã bỏ có chủ đích, sửa danh sách đường dẫn (tệp CSV) và kiểm tra lại bằng sansang inventory check.',
      ],
      en: [
        'Open the unit on the board: the important-URLs item says what was expected and what came back.',
        `${urlFix({ url: '<url>' }).en}.`,
        'If the URL was dropped on purpose, change the URL list (the CSV) and check it with sansang inventory check.',
      ],
    },
  },
  {
    alert: 'SansangHighPacketLoss',
    severity: 'warning',
    perItemOf: 'loss',
    for: () => '0s',
    expr: (_c, match) => `${SERIES.ok}{${match}} == 0`,
    vars: unitVars,
    text: (v) => ({
      summary: `Mất gói cao tại điểm ${v.site} (${v.unit})`,
      description: `Tỷ lệ mất gói ICMP trên đường truyền chính của điểm ${v.site} (đơn vị ${v.unit}) vượt ngưỡng. ${primaryLoss.vi}.`,
      description_en: `ICMP packet loss over the primary link of ${v.site} (unit ${v.unit}) is above its threshold. ${primaryLoss.en}.`,
    }),
    steps: {
      vi: [`${primaryLoss.vi}.`, 'Nếu mất gói kéo dài, báo nhà mạng kèm thời điểm bắt đầu trên bảng theo dõi.'],
      en: [`${primaryLoss.en}.`, 'If it lasts, report it to the network operator with the start time the board shows.'],
    },
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
    steps: {
      vi: [
        'Xin cấp lại chứng thư cho tên miền (sansang certs csr) và gửi CA của tỉnh.',
        'Đặt chứng thư mới và triển khai lại trước ngày hết hạn.',
      ],
      en: [
        "Request a new certificate for the hostname (sansang certs csr) from the province's CA.",
        'Install it and deploy again before the expiry date.',
      ],
    },
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
    steps: {
      vi: [
        'Xin cấp lại chứng thư ngay hôm nay; báo lãnh đạo trung tâm dữ liệu.',
        'Triển khai chứng thư mới và kiểm tra lại trên bảng theo dõi.',
      ],
      en: ['Request the new certificate today; tell the head of the data center.', 'Deploy it and check the board again.'],
    },
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
    steps: {
      vi: [
        'Kiểm tra hai bảng theo dõi (sansang board) ở hai trung tâm dữ liệu có chạy không (/healthz).',
        'Kiểm tra Prometheus có thu số liệu của bảng (job sansang-board, trang Targets).',
        'Khởi động lại bảng; nhật ký ký xác nhận được giữ nguyên.',
      ],
      en: [
        'Check that both boards (sansang board) run in the two data centers (/healthz).',
        'Check that Prometheus scrapes them (job sansang-board, the Targets page).',
        'Restart the board; its sign-off log is kept.',
      ],
    },
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
    steps: {
      vi: ['Kiểm tra tiến trình sansang board trên máy đó và nhật ký của nó.', 'Khởi động lại; bảng kia đồng bộ lại nhật ký ký xác nhận.'],
      en: ['Check the sansang board process on that machine and its log.', 'Restart it; the other board syncs the sign-off log back.'],
    },
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
    const base = { alert: spec.alert, severity: spec.severity, vars: spec.vars, text: spec.text, steps: spec.steps };
    if (spec.perSiteItem) {
      const items = new Map(classes.filter((k) => k.item.kind !== 'manual').map((k) => [k.item.id, k.item]));
      return [...items.values()].map((item) => ({
        ...base,
        checks: [item.id],
        labels: { check: item.id },
        for: spec.for(c),
        expr: spec.expr(c, `check="${item.id}"`),
        vars: { ...spec.vars, ...spec.perSiteItem!(c, item) },
      }));
    }
    if (!spec.perItemOf) return [{ ...base, for: spec.for(c), expr: spec.expr(c, '') }];
    const kind = spec.perItemOf;
    return [...byFor(classes.filter((k) => k.item.evidence.kind === kind))].map(([forD, group]) => ({
      ...base,
      checks: group.map((k) => k.item.id),
      for: spec.atLeastSeconds && durationSeconds(forD) < spec.atLeastSeconds(c) ? `${spec.atLeastSeconds(c)}s` : forD,
      expr: spec.expr(c, checkMatcher(group)),
    }));
  });
}

/** Whether any team escalates: then every alert has an escalation twin. */
export function escalates(inv: Inventory): boolean {
  return inv.teams.some((t) => t.escalateTo);
}

/**
 * Alertmanager cannot route by an alert's age, so each alert has a twin: the same name and
 * labels plus `escalated="true"`, firing once the alert has fired for `notify.escalateAfter`
 * (it reads the alert's own ALERTS series: cheap, and the same labels), which alertmanager.yml
 * routes to the team's `escalateTo`. An acknowledgement on the board silences both twins.
 */
export function escalationDefs(inv: Inventory, defs = alertDefs(inv)): AlertDef[] {
  if (!escalates(inv)) return [];
  const after = inv.notify.escalateAfter;
  return defs.map((d) => ({
    ...d,
    escalated: true,
    for: after,
    expr: `max without (alertstate) (ALERTS{alertname="${d.alert}", alertstate="firing", ${ESCALATED_LABEL}=""${d.checks ? `, check=~"${[...d.checks].sort().join('|')}"` : ''}})`,
    text: (v: Vars) => {
      const t = d.text(v);
      return {
        summary: `${t.summary} — chưa ai nhận xử lý sau ${after}, chuyển cấp`,
        description: `${t.description} Chưa ai nhận xử lý trên bảng theo dõi sau ${after}: chuyển lên tổ cấp trên.`,
        description_en: `${t.description_en} Nobody acknowledged it on the board within ${after}: escalated.`,
      };
    },
  }));
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
  const defs = alertDefs(inv);
  return [...defs, ...escalationDefs(inv, defs)].map((d) => ({
    alert: d.alert,
    expr: d.expr,
    for: d.for,
    labels: { severity: d.severity, ...d.labels, ...(d.escalated ? { [ESCALATED_LABEL]: 'true' } : {}) },
    annotations: { ...d.text(d.vars), runbook_url: runbookUrl(inv, d.alert) },
  }));
}
