// The shift report: the state of every unit, what changed during the shift, the open items.
// As a page that prints well (server-rendered, every untrusted text escaped) and as CSV.
// Also each unit's IT assets as the agents report them, as CSV, for the hand-over of equipment.
import { localIso, localText } from '../local-time.ts';
import { VERDICT_WORDS, type HostFacts } from '../../inventory/index.ts';
import type { BoardCore } from './board.ts';
import type { Change } from './history.ts';
import { toCsv } from './csv.ts';
import type { State } from '../states.ts';
import { stateRank } from '../states.ts';

export type Lang = 'vi' | 'en';

const T = {
  vi: {
    title: 'Báo cáo giao ca',
    shift: 'Ca trực',
    generated: 'Lập lúc',
    units: 'Trạng thái các đơn vị',
    changes: 'Thay đổi trong ca',
    open: 'Hạng mục còn mở',
    code: 'Mã',
    name: 'Đơn vị',
    state: 'Trạng thái',
    since: 'Từ lúc',
    failing: 'Hạng mục chưa đạt',
    at: 'Thời điểm',
    what: 'Nội dung',
    item: 'Hạng mục',
    sites: 'Điểm',
    detail: 'Chi tiết',
    none: 'Không có',
    signed: 'ký xác nhận',
    withdrawn: 'rút xác nhận',
    maint: 'đặt bảo trì',
    ack: 'nhận xử lý',
    ackCleared: 'hết nhận xử lý',
    recovered: 'đã đạt lại',
    incident: 'Sự cố chung',
    whyWindow: 'trong lịch bảo trì',
    whyAllGo: 'mọi hạng mục bắt buộc đạt',
    whyItems: 'hạng mục bắt buộc chưa đạt',
    print: 'In báo cáo',
    csv: 'Tải CSV',
    back: 'Về bảng',
    problems: 'Cảnh báo về dữ liệu',
    states: VERDICT_WORDS.vi as Record<State, string>,
  },
  en: {
    title: 'Shift report',
    shift: 'Shift',
    generated: 'Generated',
    units: 'State of every unit',
    changes: 'Changes during the shift',
    open: 'Open items',
    code: 'Code',
    name: 'Unit',
    state: 'State',
    since: 'Since',
    failing: 'Failing items',
    at: 'At',
    what: 'What',
    item: 'Item',
    sites: 'Sites',
    detail: 'Detail',
    none: 'None',
    signed: 'signed off',
    withdrawn: 'withdrew sign-off',
    maint: 'set maintenance',
    ack: 'acknowledged',
    ackCleared: 'acknowledgement cleared',
    recovered: 'recovered',
    incident: 'Shared incident',
    whyWindow: 'inside a maintenance window',
    whyAllGo: 'every blocking item GO',
    whyItems: 'blocking items not GO',
    print: 'Print',
    csv: 'Download CSV',
    back: 'Back to the board',
    problems: 'Data problems',
    states: VERDICT_WORDS.en as Record<State, string>,
  },
};

/** Why a unit changed: its blocking items not GO at that moment, or that every one is GO / a window began. */
function changeWhy(c: Change, t: (typeof T)[Lang], title: (id: string) => string): string {
  if (c.to === 'maintenance') return t.whyWindow;
  if (!c.why) return '';
  if (c.why.length === 0) return c.to === 'go' ? t.whyAllGo : '';
  return `${t.whyItems}: ${c.why.map((w) => `${title(w.check)} (${t.states[w.state]})`).join(', ')}`;
}

export function escapeHtml(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface ShiftSpan {
  fromMs: number;
  toMs: number;
}

/** The shift from the query: `from`/`to` (ISO) or `hours` back from now (default 8). */
export function shiftSpan(q: { from?: unknown; to?: unknown; hours?: unknown }, nowMs = Date.now()): ShiftSpan {
  const toMs = typeof q.to === 'string' && !Number.isNaN(Date.parse(q.to)) ? Date.parse(q.to) : nowMs;
  if (typeof q.from === 'string' && !Number.isNaN(Date.parse(q.from))) return { fromMs: Date.parse(q.from), toMs };
  const hours = typeof q.hours === 'string' && Number(q.hours) > 0 && Number(q.hours) <= 24 * 14 ? Number(q.hours) : 8;
  return { fromMs: toMs - hours * 3600_000, toMs };
}

interface ReportData {
  units: { code: string; name: string; state: State; since: string | null; failing: string[] }[];
  changes: { at: string; unit: string; name: string; what: string; detail: string }[];
  open: { unit: string; name: string; check: string; title: string; state: State; since: string | null; sites: string[]; detail: string }[];
}

function reportData(board: BoardCore, span: ShiftSpan, lang: Lang): ReportData {
  const t = T[lang];
  const catalog = board.checklistCatalog();
  const title = (id: string) => catalog[id]?.title[lang] ?? id;
  const ev = board.current;
  const names = new Map(ev.units.map((u) => [u.code, u.name]));
  const units = [...ev.units].sort((a, b) => stateRank(a.state) - stateRank(b.state) || a.code.localeCompare(b.code));
  const changes: ReportData['changes'] = board.tracker.changesBetween(span.fromMs, span.toMs).map((c) => ({
    at: c.at,
    unit: c.unit,
    name: names.get(c.unit) ?? c.unit,
    what: `${c.from ? t.states[c.from] : '—'} → ${t.states[c.to]}`,
    detail: changeWhy(c, t, title),
  }));
  const acks = new Map(board.log.entries().flatMap((e) => (e.type === 'ack' ? [[e.id, e] as const] : [])));
  for (const e of board.log.entries()) {
    const at = Date.parse(e.at);
    if (at < span.fromMs || at > span.toMs) continue;
    if (e.type === 'signoff')
      changes.push({
        at: e.at,
        unit: e.unit,
        name: names.get(e.unit) ?? e.unit,
        what: `${title(e.check)}: ${e.signed ? t.signed : t.withdrawn}`,
        detail: `${e.who} (${e.team})${e.note ? `: ${e.note}` : ''}`,
      });
    else if (e.type === 'maintenance')
      changes.push({
        at: e.at,
        unit: e.unit,
        name: names.get(e.unit) ?? e.unit,
        what: `${t.maint}${e.site ? ` (${e.site})` : ''}: ${localText(e.from, board.opts.inventory.province.timezone)} – ${localText(e.to, board.opts.inventory.province.timezone)}`,
        detail: `${e.who} (${e.team}): ${e.reason}`,
      });
    else if (e.type === 'ack')
      changes.push({
        at: e.at,
        unit: e.unit ?? '',
        name: e.unit ? (names.get(e.unit) ?? e.unit) : t.incident,
        what: `${t.ack}: ${title(e.check)}`,
        detail: `${e.who} (${e.team})${e.note ? `: ${e.note}` : ''}`,
      });
    else {
      const ack = acks.get(e.ack);
      changes.push({
        at: e.at,
        unit: ack?.unit ?? '',
        name: ack?.unit ? (names.get(ack.unit) ?? ack.unit) : t.incident,
        what: `${t.ackCleared}: ${ack ? title(ack.check) : ''}`,
        detail: t.recovered,
      });
    }
  }
  changes.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const open: ReportData['open'] = [];
  for (const u of units)
    for (const i of u.items)
      if (i.state === 'nogo' || i.state === 'unknown')
        open.push({
          unit: u.code,
          name: u.name,
          check: i.check,
          title: title(i.check),
          state: i.state,
          since: i.since,
          sites: i.sites,
          detail: [i.reason?.[lang], i.fix?.[lang]].filter(Boolean).join(' — '),
        });
  return {
    units: units.map((u) => ({
      code: u.code,
      name: u.name,
      state: u.state,
      since: u.since,
      failing: u.items.filter((i) => i.state === 'nogo' || i.state === 'unknown').map((i) => title(i.check)),
    })),
    changes,
    open,
  };
}

export function reportCsv(board: BoardCore, span: ShiftSpan, lang: Lang): string {
  const d = reportData(board, span, lang);
  // Local time with its offset, as on the page (never UTC a reader has to convert).
  const tz = board.opts.inventory.province.timezone;
  const time = (iso: string | null) => localIso(iso, tz);
  const rows: unknown[][] = [];
  for (const u of d.units) rows.push(['unit', u.code, u.name, u.state, '', '', time(u.since), '', u.failing.join('; ')]);
  for (const c of d.changes)
    rows.push(['change', c.unit, c.name, '', '', '', '', time(c.at), `${c.what}${c.detail ? ` — ${c.detail}` : ''}`]);
  for (const o of d.open) rows.push(['open', o.unit, o.name, o.state, o.check, o.sites.join(' '), time(o.since), '', o.detail]);
  return toCsv(['section', 'unit_code', 'unit_name', 'state', 'check', 'sites', 'since', 'at', 'detail'], rows);
}

export function reportHtml(board: BoardCore, span: ShiftSpan, lang: Lang): string {
  const t = T[lang];
  const d = reportData(board, span, lang);
  const tz = board.opts.inventory.province.timezone;
  const time = (iso: string | null | number) => escapeHtml(localText(iso, tz));
  const badge = (s: State) => `<span class="st st-${s}">${escapeHtml(t.states[s])}</span>`;
  const counts = board.counts();
  const q = `from=${encodeURIComponent(new Date(span.fromMs).toISOString())}&to=${encodeURIComponent(new Date(span.toMs).toISOString())}`;
  const problems = board.current.problems;
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t.title)} — ${escapeHtml(board.opts.inventory.province.name)}</title>
<link rel="stylesheet" href="report.css"></head><body>
<nav class="noprint"><a href="./">${escapeHtml(t.back)}</a> · <a href="report?${q}&amp;lang=${lang === 'vi' ? 'en' : 'vi'}">${lang === 'vi' ? 'English' : 'Tiếng Việt'}</a> · <a href="report.csv?${q}&amp;lang=${lang}">${escapeHtml(t.csv)}</a> · <span>${escapeHtml(t.print)}: Ctrl+P</span></nav>
<h1>${escapeHtml(t.title)} — ${escapeHtml(board.opts.inventory.province.name)}</h1>
<p>${escapeHtml(t.shift)}: ${time(span.fromMs)} – ${time(span.toMs)} (${escapeHtml(tz)}) · ${escapeHtml(t.generated)}: ${time(Date.now())} · ${escapeHtml(board.opts.datacenter)}</p>
<p class="counts">${(['nogo', 'unknown', 'maintenance', 'go'] as State[]).map((s) => `${badge(s)} ${counts[s]}`).join(' ')}</p>
${problems.length ? `<h2>${escapeHtml(t.problems)}</h2><ul>${problems.map((p) => `<li>${escapeHtml(p.reason[lang])}${p.fix ? ` — ${escapeHtml(p.fix[lang])}` : ''}</li>`).join('')}</ul>` : ''}
<h2>${escapeHtml(t.units)}</h2>
<table class="units"><thead><tr><th>${t.code}</th><th>${t.name}</th><th>${t.state}</th><th>${t.since}</th><th>${t.failing}</th></tr></thead><tbody>
${d.units.map((u) => `<tr><td>${escapeHtml(u.code)}</td><td>${escapeHtml(u.name)}</td><td>${badge(u.state)}</td><td>${time(u.since)}</td><td>${escapeHtml(u.failing.join('; '))}</td></tr>`).join('\n')}
</tbody></table>
<h2>${escapeHtml(t.changes)}</h2>
${
  d.changes.length
    ? `<table><thead><tr><th>${t.at}</th><th>${t.name}</th><th>${t.what}</th><th>${t.detail}</th></tr></thead><tbody>
${d.changes.map((c) => `<tr><td>${time(c.at)}</td><td>${escapeHtml(c.unit)} ${escapeHtml(c.name)}</td><td>${escapeHtml(c.what)}</td><td>${escapeHtml(c.detail)}</td></tr>`).join('\n')}
</tbody></table>`
    : `<p>${escapeHtml(t.none)}</p>`
}
<h2>${escapeHtml(t.open)}</h2>
${
  d.open.length
    ? `<table><thead><tr><th>${t.name}</th><th>${t.item}</th><th>${t.state}</th><th>${t.since}</th><th>${t.sites}</th><th>${t.detail}</th></tr></thead><tbody>
${d.open.map((o) => `<tr><td>${escapeHtml(o.unit)} ${escapeHtml(o.name)}</td><td>${escapeHtml(o.title)}</td><td>${badge(o.state)}</td><td>${time(o.since)}</td><td>${escapeHtml(o.sites.join(', '))}</td><td>${escapeHtml(o.detail)}</td></tr>`).join('\n')}
</tbody></table>`
    : `<p>${escapeHtml(t.none)}</p>`
}
</body></html>
`;
}

export const ASSET_COLUMNS = [
  'unit_code',
  'unit_name',
  'site',
  'site_name',
  'hostname',
  'manufacturer',
  'model',
  'serial',
  'os',
  'os_version',
  'cpu',
  'cores',
  'memory_bytes',
  'disks',
  'interfaces',
  'gathered_at',
  'note',
] as const;

export async function assetsCsv(board: BoardCore, codes: readonly string[]): Promise<string> {
  const rows: unknown[][] = [];
  for (const code of codes) {
    const cu = board.catalog.byCode.get(code);
    if (!cu) continue;
    const facts = await board.hostFacts(code);
    for (const f of facts) {
      const site = cu.sites.find((s) => s.site.id === f.site)!.site;
      const h: HostFacts | null = f.host;
      rows.push([
        code,
        cu.unit.name,
        f.site,
        site.name,
        h?.hostname ?? '',
        h?.manufacturer ?? '',
        h?.model ?? '',
        h?.serial ?? '',
        h?.os ?? '',
        h?.osVersion ?? '',
        h?.cpu ?? '',
        h?.cores ?? '',
        h?.memoryBytes ?? '',
        h ? h.disks.map((d) => `${d.name} ${d.model} ${d.sizeBytes}`).join('; ') : '',
        h ? h.interfaces.map((i) => `${i.name} ${i.mac} ${i.ipv4}${i.up ? '' : ' down'}`).join('; ') : '',
        h?.gatheredAt ?? '',
        h ? '' : f.error ? `no answer: ${f.error}` : 'the agent has not reported host facts',
      ]);
    }
  }
  return toCsv(ASSET_COLUMNS, rows);
}
