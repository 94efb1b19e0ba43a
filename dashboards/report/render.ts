// The week report as a page that prints on A4 and as CSV: names, not ids (the CSV carries both),
// local time with the offset stated, four-digit years, Vietnamese by default.
import { allChecklistItems, VERDICT_WORDS, type ChecklistItem, type Inventory } from '../../inventory/index.ts';
import { toCsv } from '../board/csv.ts';
import { escapeHtml } from '../board/report.ts';
import type { Acknowledgement, IncidentFigures, ReportFigures } from './figures.ts';
import { localIso, localText, offsetAt } from './period.ts';

export type Lang = 'vi' | 'en';

export interface ReportContext {
  inventory: Inventory;
  lang: Lang;
  /** Where the figures came from (shown on the page). */
  prometheus: string;
  generatedMs: number;
  /** Problems with the data, said on the page and on stderr by the CLI. */
  problems: readonly string[];
}

const V = VERDICT_WORDS;
const T = {
  vi: {
    title: 'Báo cáo tuần',
    min: 'phút',
    period: 'Kỳ báo cáo',
    localTime: (off: string, tz: string) => `giờ địa phương, UTC${off} (${tz})`,
    generated: 'Lập lúc',
    source: (url: string, step: number) => `Nguồn: Prometheus ${url}, lấy mẫu mỗi ${step} giây`,
    summary: 'Tóm tắt',
    unitsCount: 'đơn vị',
    meanGo: `tỷ lệ ${V.vi.go} trung bình`,
    incidentsCount: 'sự cố chung',
    units: 'Các đơn vị',
    unit: 'Đơn vị',
    goShare: `Tỷ lệ ${V.vi.go}`,
    nogoMin: `${V.vi.nogo} (phút)`,
    unknownMin: `${V.vi.unknown} (phút)`,
    maintMin: 'Bảo trì (phút)',
    episodes: `Số lần ${V.vi.nogo}`,
    recover: 'Khôi phục TB / tối đa (phút)',
    incidentsCol: 'Sự cố chung',
    topItems: 'Hạng mục lỗi nhiều nhất',
    nogoAtEnd: `còn ${V.vi.nogo} cuối kỳ`,
    noData: 'không có dữ liệu trong kỳ',
    incidents: 'Sự cố chung (một dịch vụ lỗi tại nhiều đơn vị)',
    item: 'Hạng mục',
    start: 'Bắt đầu',
    end: 'Kết thúc',
    ongoing: 'còn đang diễn ra',
    before: 'từ trước kỳ',
    length: 'Thời lượng (phút)',
    affected: 'Đơn vị bị ảnh hưởng',
    peak: (n: number) => `tối đa ${n} đơn vị cùng lúc`,
    acks: 'Nhận xử lý',
    noAck: 'không ai nhận xử lý',
    after: (m: string) => `sau ${m} phút`,
    items: 'Hạng mục lỗi nhiều nhất',
    unitMinutes: `Đơn vị × phút ${V.vi.nogo}`,
    unitsN: 'Số đơn vị',
    timesN: 'Số lần',
    where: 'Tại',
    none: 'Không có',
    more: (n: number) => `và ${n} đơn vị khác`,
    problems: 'Cảnh báo về dữ liệu',
    notes: [
      `Tỷ lệ ${V.vi.go}: phần thời gian ngoài bảo trì đơn vị ở trạng thái ${V.vi.go}. Thời gian không có dữ liệu được tính là ${V.vi.unknown}, không bao giờ là ${V.vi.go}.`,
      `Khôi phục: từ lúc đơn vị chuyển sang ${V.vi.nogo} đến lúc ${V.vi.go} trở lại; chỉ tính những lần thấy trọn trong kỳ.`,
      'Sự cố chung: một hạng mục không đạt cùng lúc tại nhiều đơn vị (ngưỡng trong inventory), do nguyên nhân ở phía trung tâm.',
    ],
    back: 'Về bảng',
    csv: 'Tải CSV',
    print: 'In báo cáo',
  },
  en: {
    title: 'Week report',
    min: 'min',
    period: 'Period',
    localTime: (off: string, tz: string) => `local time, UTC${off} (${tz})`,
    generated: 'Generated',
    source: (url: string, step: number) => `Source: Prometheus ${url}, sampled every ${step} seconds`,
    summary: 'Summary',
    unitsCount: 'units',
    meanGo: `mean share ${V.en.go}`,
    incidentsCount: 'shared incidents',
    units: 'Units',
    unit: 'Unit',
    goShare: `Share ${V.en.go}`,
    nogoMin: `${V.en.nogo} (min)`,
    unknownMin: `${V.en.unknown} (min)`,
    maintMin: 'Maintenance (min)',
    episodes: `Times ${V.en.nogo}`,
    recover: 'Recovery mean / max (min)',
    incidentsCol: 'Shared incidents',
    topItems: 'Items that failed most',
    nogoAtEnd: `still ${V.en.nogo} at the end`,
    noData: 'no data in the period',
    incidents: 'Shared incidents (one service failing at many units)',
    item: 'Item',
    start: 'Start',
    end: 'End',
    ongoing: 'still going on',
    before: 'from before the period',
    length: 'Length (min)',
    affected: 'Units affected',
    peak: (n: number) => `at most ${n} units at once`,
    acks: 'Acknowledged',
    noAck: 'nobody acknowledged it',
    after: (m: string) => `after ${m} min`,
    items: 'Items that failed most',
    unitMinutes: `Unit × minutes ${V.en.nogo}`,
    unitsN: 'Units',
    timesN: 'Times',
    where: 'Where',
    none: 'None',
    more: (n: number) => `and ${n} more units`,
    problems: 'Data problems',
    notes: [
      `Share ${V.en.go}: the part of the time outside maintenance the unit was ${V.en.go}. Time without data counts as ${V.en.unknown}, never ${V.en.go}.`,
      `Recovery: from the unit turning ${V.en.nogo} to ${V.en.go} again; only episodes seen whole in the period.`,
      'Shared incident: one item failing at many units at once (thresholds in the inventory), a cause at the centre.',
    ],
    back: 'Back to the board',
    csv: 'Download CSV',
    print: 'Print',
  },
} as const;

/** Minutes as figures: whole when whole, else one decimal. */
function num(x: number, lang: Lang | 'csv'): string {
  const r = Math.round(x * 10) / 10;
  const s = Number.isInteger(r) ? String(r) : r.toFixed(1);
  return lang === 'vi' ? s.replace('.', ',') : s;
}
const pct = (share: number | null, lang: Lang | 'csv') => (share === null ? '' : num(share * 100, lang));

/**
 * The services an item depends on, with where they run: the words of the shared-outage alert
 * (dashboards/rules/alerts.ts `itemServices`). To be replaced by the shared
 * `servicesText(servicesOfItem(…))` of dashboards/incidents.ts when that lands on main.
 */
function itemServices(inv: Inventory, item: ChecklistItem, lang: Lang): string {
  const e = item.evidence;
  if (e.kind !== 'service') return '';
  const dcName = new Map(inv.dataCenters.map((d) => [d.id, d.name]));
  return inv.services
    .filter((s) => s.category === e.category)
    .map((s) => {
      const national = lang === 'vi' ? 'nền tảng quốc gia' : 'national platform';
      const where =
        s.scope === 'national'
          ? national
          : (s.hostedIn ?? []).map((d) => dcName.get(d) ?? d).join(', ') || (lang === 'vi' ? 'cấp tỉnh' : 'provincial');
      return `${s.name} (${where})`;
    })
    .join('; ');
}

interface Names {
  unit: (code: string) => string;
  item: (id: string) => string;
  services: (id: string) => string;
}

function names(inv: Inventory, lang: Lang): Names {
  const units = new Map(inv.units.map((u) => [u.code, u.name]));
  const items = new Map(allChecklistItems(inv).map((i) => [i.id, i]));
  return {
    unit: (c) => units.get(c) ?? c,
    item: (id) => items.get(id)?.title[lang] ?? id,
    services: (id) => {
      const i = items.get(id);
      return i ? itemServices(inv, i, lang) : '';
    },
  };
}

function ackText(a: Acknowledgement, n: Names, tz: string, lang: Lang): string {
  return `${a.who} (${a.team})${a.unit ? `, ${n.unit(a.unit)}` : ''}, ${localText(Date.parse(a.at), tz, lang)}${a.note ? `: ${a.note}` : ''}`;
}

export const CSV_COLUMNS = [
  'section',
  'unit_code',
  'unit_name',
  'check',
  'item',
  'start',
  'end',
  'go_pct',
  'go_minutes',
  'nogo_minutes',
  'unknown_minutes',
  'maintenance_minutes',
  'nogo_episodes',
  'recover_mean_minutes',
  'recover_max_minutes',
  'incidents',
  'units',
  'acknowledgements',
  'detail',
] as const;

type Row = Partial<Record<(typeof CSV_COLUMNS)[number], string | number>>;

/**
 * The report as CSV, one header, a `section` per row: `period` (its ends, the number of units and
 * incidents), `unit` (its figures), `incident` (nogo_minutes: its length; units: units affected)
 * followed by its `ack` rows, `item` (nogo_minutes: minutes summed over the units). Times are
 * local with their offset.
 */
export function reportCsv(f: ReportFigures, ctx: ReportContext): string {
  const { lang, inventory: inv } = ctx;
  const tz = inv.province.timezone;
  const t = T[lang];
  const n = names(inv, lang);
  const time = (ms: number) => localIso(ms, tz);
  const rows: Row[] = [];
  rows.push({
    section: 'period',
    start: time(f.grid.fromMs),
    end: time(f.grid.toMs),
    units: f.units.length,
    incidents: f.incidents.length,
    detail: inv.province.name,
  });
  for (const u of f.units)
    rows.push({
      section: 'unit',
      unit_code: u.unit,
      unit_name: n.unit(u.unit),
      go_pct: pct(u.goShare, 'csv'),
      go_minutes: num(u.goMinutes, 'csv'),
      nogo_minutes: num(u.nogoMinutes, 'csv'),
      unknown_minutes: num(u.unknownMinutes, 'csv'),
      maintenance_minutes: num(u.maintenanceMinutes, 'csv'),
      nogo_episodes: u.nogoEpisodes,
      recover_mean_minutes: u.recoverMeanMinutes === null ? '' : num(u.recoverMeanMinutes, 'csv'),
      recover_max_minutes: u.recoverMaxMinutes === null ? '' : num(u.recoverMaxMinutes, 'csv'),
      incidents: u.incidents,
      acknowledgements: u.acknowledgements,
      detail: [
        ...u.topItems.map((i) => `${n.item(i.check)}: ${num(i.minutes, lang)} ${t.min}`),
        ...(u.nogoAtEnd ? [t.nogoAtEnd] : []),
        ...(f.unitsWithoutData.includes(u.unit) ? [t.noData] : []),
      ].join('; '),
    });
  for (const x of f.incidents) {
    rows.push({
      section: 'incident',
      check: x.check,
      item: n.item(x.check),
      start: time(x.startMs),
      end: x.endMs === null ? '' : time(x.endMs),
      nogo_minutes: num(x.minutes, 'csv'),
      units: x.units.length,
      acknowledgements: x.acks.length,
      detail: [t.peak(x.peakUnits), ...(x.beganBefore ? [t.before] : []), ...(x.endMs === null ? [t.ongoing] : [])].join('; '),
    });
    for (const a of x.acks)
      rows.push({
        section: 'ack',
        ...(a.unit ? { unit_code: a.unit, unit_name: n.unit(a.unit) } : {}),
        check: a.check,
        item: n.item(a.check),
        start: time(Date.parse(a.at)),
        detail: `${a.who} (${a.team})${a.note ? `: ${a.note}` : ''}`,
      });
  }
  for (const i of f.items)
    rows.push({
      section: 'item',
      check: i.check,
      item: n.item(i.check),
      nogo_minutes: num(i.unitMinutes, 'csv'),
      nogo_episodes: i.episodes,
      units: i.units.length,
      detail: i.units.map(n.unit).join('; '),
    });
  return toCsv(
    CSV_COLUMNS,
    rows.map((r) => CSV_COLUMNS.map((c) => r[c] ?? '')),
  );
}

function incidentRow(x: IncidentFigures, n: Names, tz: string, lang: Lang): string {
  const t = T[lang];
  const time = (ms: number) => escapeHtml(localText(ms, tz, lang));
  const services = n.services(x.check);
  const shown = x.units.slice(0, 12).map(n.unit);
  const more = x.units.length > shown.length ? `, ${t.more(x.units.length - shown.length)}` : '';
  const acks = x.acks.length
    ? `${x.firstAckMinutes === null ? '' : `${escapeHtml(t.after(num(x.firstAckMinutes, lang)))}:<br>`}${x.acks.map((a) => escapeHtml(ackText(a, n, tz, lang))).join('<br>')}`
    : `<em>${escapeHtml(t.noAck)}</em>`;
  return `<tr><td><b>${escapeHtml(n.item(x.check))}</b>${services ? `<br><small>${escapeHtml(services)}</small>` : ''}</td><td class="t">${time(x.startMs)}${x.beganBefore ? `<br><small>${escapeHtml(t.before)}</small>` : ''}</td><td class="t">${x.endMs === null ? escapeHtml(t.ongoing) : time(x.endMs)}</td><td class="n">${num(x.minutes, lang)}</td><td>${x.units.length}: ${escapeHtml(shown.join(', ') + more)}<br><small>${escapeHtml(t.peak(x.peakUnits))}</small></td><td>${acks}</td></tr>`;
}

/**
 * The page, printing on A4. On the board (`query`: its query string without `lang`): week.css
 * and links relative to `/report/week`. Standalone (`{ css }`: a file from `sansang report`): the
 * stylesheet inside the page and no links, since nothing is beside the file.
 */
export function reportHtml(f: ReportFigures, ctx: ReportContext, page: { query: string } | { css: string }): string {
  const { lang, inventory: inv } = ctx;
  const tz = inv.province.timezone;
  const t = T[lang];
  const n = names(inv, lang);
  const time = (ms: number) => escapeHtml(localText(ms, tz, lang));
  const shares = f.units.map((u) => u.goShare).filter((s): s is number => s !== null);
  const meanGo = shares.length ? shares.reduce((a, b) => a + b, 0) / shares.length : null;
  const other = lang === 'vi' ? 'en' : 'vi';
  const q = 'query' in page ? escapeHtml(page.query) : '';
  const unitRows = f.units
    .map((u) => {
      const top = u.topItems.map((i) => `${escapeHtml(n.item(i.check))}: ${num(i.minutes, lang)} ${t.min}`);
      if (u.nogoAtEnd) top.push(`<b>${escapeHtml(t.nogoAtEnd)}</b>`);
      if (f.unitsWithoutData.includes(u.unit)) top.push(`<b>${escapeHtml(t.noData)}</b>`);
      const rec = u.recoverMeanMinutes === null ? '—' : `${num(u.recoverMeanMinutes, lang)} / ${num(u.recoverMaxMinutes ?? 0, lang)}`;
      return `<tr><td>${escapeHtml(n.unit(u.unit))}</td><td class="n">${u.goShare === null ? '—' : `${pct(u.goShare, lang)} %`}</td><td class="n">${num(u.nogoMinutes, lang)}</td><td class="n">${num(u.unknownMinutes, lang)}</td><td class="n">${num(u.maintenanceMinutes, lang)}</td><td class="n">${u.nogoEpisodes}</td><td class="n">${rec}</td><td class="n">${u.incidents}</td><td>${top.join('; ')}</td></tr>`;
    })
    .join('\n');
  const items = f.items.slice(0, 10);
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t.title)} — ${escapeHtml(inv.province.name)}</title>
${
  'css' in page
    ? `<style>\n${page.css}</style></head><body>`
    : `<link rel="stylesheet" href="week.css"></head><body>
<nav class="noprint"><a href="../">${escapeHtml(t.back)}</a> · <a href="week?${q}&amp;lang=${other}">${other === 'en' ? 'English' : 'Tiếng Việt'}</a> · <a href="week.csv?${q}&amp;lang=${lang}">${escapeHtml(t.csv)}</a> · <span>${escapeHtml(t.print)}: Ctrl+P</span></nav>`
}
<h1>${escapeHtml(t.title)} — ${escapeHtml(inv.province.name)}</h1>
<p>${escapeHtml(t.period)}: <b>${time(f.grid.fromMs)} – ${time(f.grid.toMs)}</b> (${escapeHtml(t.localTime(offsetAt(f.grid.fromMs, tz), tz))}) · ${escapeHtml(t.generated)}: ${time(ctx.generatedMs)}<br><small>${escapeHtml(t.source(ctx.prometheus, f.grid.stepMs / 1000))}</small></p>
${ctx.problems.length ? `<h2>${escapeHtml(t.problems)}</h2><ul class="problems">${ctx.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>` : ''}
<p class="summary"><b>${escapeHtml(t.summary)}:</b> ${f.units.length} ${escapeHtml(t.unitsCount)} · ${escapeHtml(t.meanGo)} ${meanGo === null ? '—' : `${pct(meanGo, lang)} %`} · ${f.incidents.length} ${escapeHtml(t.incidentsCount)}</p>
<h2>${escapeHtml(t.units)}</h2>
<table class="units"><thead><tr><th>${t.unit}</th><th>${t.goShare}</th><th>${t.nogoMin}</th><th>${t.unknownMin}</th><th>${t.maintMin}</th><th>${t.episodes}</th><th>${t.recover}</th><th>${t.incidentsCol}</th><th>${t.topItems}</th></tr></thead><tbody>
${unitRows}
</tbody></table>
<h2>${escapeHtml(t.incidents)}</h2>
${
  f.incidents.length
    ? `<table class="incidents"><thead><tr><th>${t.item}</th><th>${t.start}</th><th>${t.end}</th><th>${t.length}</th><th>${t.affected}</th><th>${t.acks}</th></tr></thead><tbody>
${f.incidents.map((x) => incidentRow(x, n, tz, lang)).join('\n')}
</tbody></table>`
    : `<p>${escapeHtml(t.none)}</p>`
}
<h2>${escapeHtml(t.items)}</h2>
${
  items.length
    ? `<table class="items"><thead><tr><th>${t.item}</th><th>${t.unitMinutes}</th><th>${t.unitsN}</th><th>${t.timesN}</th><th>${t.where}</th></tr></thead><tbody>
${items
  .map((i) => {
    const shown = i.units.slice(0, 8).map(n.unit);
    const more = i.units.length > shown.length ? `, ${t.more(i.units.length - shown.length)}` : '';
    return `<tr><td>${escapeHtml(n.item(i.check))}</td><td class="n">${num(i.unitMinutes, lang)}</td><td class="n">${i.units.length}</td><td class="n">${i.episodes}</td><td>${escapeHtml(shown.join(', ') + more)}</td></tr>`;
  })
  .join('\n')}
</tbody></table>`
    : `<p>${escapeHtml(t.none)}</p>`
}
<ul class="notes">${t.notes.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>
</body></html>
`;
}
