/* The watch room's page. Plain browser JavaScript, served by the board (nothing from the
 * internet). Every piece of data goes into the page through textContent and attributes set one
 * by one, never as markup: unit names and notes are untrusted text. */
/* global SANSANG_STATES, document, window, location, fetch, EventSource, localStorage, sessionStorage, setTimeout, clearTimeout, URLSearchParams */
'use strict';

const I18N = {
  vi: {
    title: 'Sẵn sàng — bảng theo dõi chuyển đổi',
    connecting: 'Đang kết nối…',
    live: 'Trực tiếp',
    offline: 'Mất kết nối, đang thử lại',
    filterState: 'Trạng thái',
    filterDistrict: 'Huyện cũ',
    all: 'Tất cả',
    notGo: 'Chưa sẵn sàng (mọi trạng thái trừ ĐẠT)',
    hotOnly: 'Chỉ điểm nóng',
    search: 'Tìm',
    shown: 'Hiển thị {n}/{total} đơn vị',
    report: 'Báo cáo giao ca',
    reportCsv: 'Báo cáo (CSV)',
    weekReport: 'Báo cáo tuần',
    assetsCsv: 'Tài sản CNTT (CSV)',
    unitAssets: 'Tài sản CNTT của đơn vị (CSV)',
    hot: 'Điểm nóng',
    since: 'từ',
    sites: 'điểm',
    back: '← Về danh sách',
    items: 'Hạng mục',
    item: 'Hạng mục',
    state: 'Trạng thái',
    detail: 'Chi tiết',
    siteList: 'Các điểm',
    links: 'Đường truyền',
    answered: 'trả lời',
    noAnswer: 'không trả lời',
    notPolled: 'chưa có dữ liệu',
    link_primary: 'Đường truyền chính',
    link_backup: 'Đường truyền dự phòng',
    linkLost: 'mất — tác tử trả lời qua {over}, không qua đường này',
    over_primary: 'đường truyền chính',
    over_backup: 'đường truyền dự phòng',
    role_headquarters: 'trụ sở',
    role_branch: 'chi nhánh',
    'role_service-point': 'bộ phận một cửa',
    manual: 'Xác nhận thủ công',
    signoff: 'Ký xác nhận',
    withdraw: 'Rút xác nhận',
    who: 'Người xác nhận',
    note: 'Ghi chú',
    signedBy: 'Đã xác nhận bởi {who} ({team}) lúc {at}',
    withdrawnBy: 'Đã rút xác nhận bởi {who} ({team}) lúc {at}',
    notSigned: 'Chưa xác nhận',
    maintenance: 'Bảo trì',
    setMaint: 'Đặt lịch bảo trì',
    from: 'Từ',
    to: 'Đến',
    reason: 'Lý do',
    site: 'Điểm',
    wholeUnit: 'Cả đơn vị',
    save: 'Lưu',
    signin: 'Đăng nhập tổ',
    signout: 'Đăng xuất',
    team: 'Tổ',
    token: 'Mã truy cập',
    signedInAs: 'Tổ: {team}',
    needSignin: 'Đăng nhập tổ (cuối trang) để ký xác nhận.',
    noTokens: 'Bảng này chưa cấu hình mã truy cập (--tokens): không thể ký xác nhận.',
    badToken: 'Mã truy cập không đúng với tổ này (token).',
    tokensBusy: 'Bảng đang kiểm tra nhiều mã truy cập: thử lại sau ít giây.',
    failing: 'Chưa đạt',
    advisory: 'khuyến nghị',
    allGo: 'Mọi hạng mục đạt',
    mode_embedded: 'đọc trực tiếp từ tác tử',
    mode_prometheus: 'từ Prometheus',
    updated: 'Cập nhật {at}',
    peer: 'Bảng đối tác',
    peerOk: 'đồng bộ lúc {at}',
    peerErr: 'lỗi: {err}',
    peerFuture: 'từ chối {n} mục ghi có giờ vượt trước đồng hồ bảng này (kiểm tra đồng hồ hai bảng)',
    agent: 'Tác tử',
    clockOffset: 'lệch đồng hồ {s} giây',
    error: 'Lỗi: {err}',
    more: '… và {n} hạng mục khác',
    unknownUnit: 'Không có đơn vị này',
    owner: 'Phụ trách',
    howToFix: 'Cách khắc phục',
    windows: 'Lịch bảo trì đang hiệu lực',
    incident: 'Sự cố chung: {title} không đạt tại {n}/{of} đơn vị',
    incidentWhere: 'Dịch vụ: {where}',
    incidentSince: 'từ {at} ({ago})',
    incidentUnit: 'thuộc sự cố chung',
    ack: 'Nhận xử lý',
    ackNote: 'Ghi chú (số phiếu, việc đang làm)',
    ackedBy: 'Đã nhận xử lý: {who} ({team}) lúc {at}',
    ackedShort: 'đã nhận: {who}',
    countdown: 'Còn {days} ngày đến ngày vận hành chính thức {date}: {n}/{total} đơn vị chưa ĐẠT',
    countdownToday: 'Hôm nay vận hành chính thức ({date}): {n}/{total} đơn vị chưa ĐẠT',
    countdownPast: 'Đã vận hành chính thức từ {date} ({days} ngày): {n}/{total} đơn vị chưa ĐẠT',
    page: 'Trang {n}/{of}',
    otherUnits: 'Đơn vị khác',
    noDistrict: 'Chưa rõ huyện cũ',
  },
  en: {
    title: 'Sẵn sàng — cutover watch board',
    connecting: 'Connecting…',
    live: 'Live',
    offline: 'Connection lost, retrying',
    filterState: 'State',
    filterDistrict: 'Old district',
    all: 'All',
    notGo: 'Not ready (everything but GO)',
    hotOnly: 'Hot spots only',
    search: 'Search',
    shown: 'Showing {n} of {total} units',
    report: 'Shift report',
    reportCsv: 'Shift report (CSV)',
    weekReport: 'Week report',
    assetsCsv: 'IT assets (CSV)',
    unitAssets: 'IT assets of this unit (CSV)',
    hot: 'Hot spot',
    since: 'since',
    sites: 'sites',
    back: '← Back to the list',
    items: 'Items',
    item: 'Item',
    state: 'State',
    detail: 'Detail',
    siteList: 'Sites',
    links: 'Links',
    answered: 'answered',
    noAnswer: 'no answer',
    notPolled: 'no data yet',
    link_primary: 'Primary link',
    link_backup: 'Backup link',
    linkLost: 'down — the agent answers over the {over}, not over this link',
    over_primary: 'primary link',
    over_backup: 'backup link',
    role_headquarters: 'headquarters',
    role_branch: 'branch',
    'role_service-point': 'service point',
    manual: 'Manual sign-offs',
    signoff: 'Sign off',
    withdraw: 'Withdraw',
    who: 'Signed by',
    note: 'Note',
    signedBy: 'Signed off by {who} ({team}) at {at}',
    withdrawnBy: 'Withdrawn by {who} ({team}) at {at}',
    notSigned: 'Not signed off',
    maintenance: 'Maintenance',
    setMaint: 'Set a maintenance window',
    from: 'From',
    to: 'To',
    reason: 'Reason',
    site: 'Site',
    wholeUnit: 'Whole unit',
    save: 'Save',
    signin: 'Team sign-in',
    signout: 'Sign out',
    team: 'Team',
    token: 'Token',
    signedInAs: 'Team: {team}',
    needSignin: 'Sign in with your team token (page bottom) to sign off.',
    noTokens: 'This board has no team tokens (--tokens): sign-offs are disabled.',
    badToken: 'The token is not valid for this team.',
    tokensBusy: 'The board is busy checking other tokens: try again in a few seconds.',
    failing: 'Failing',
    advisory: 'advisory',
    allGo: 'Every item GO',
    mode_embedded: 'read from the agents directly',
    mode_prometheus: 'from Prometheus',
    updated: 'Updated {at}',
    peer: 'Peer board',
    peerOk: 'synced at {at}',
    peerErr: 'error: {err}',
    peerFuture: "{n} entries dated ahead of this board's clock refused (check both clocks)",
    agent: 'Agent',
    clockOffset: 'clock off by {s} s',
    error: 'Error: {err}',
    more: '… and {n} more items',
    unknownUnit: 'No such unit',
    owner: 'Owner',
    howToFix: 'How to fix',
    windows: 'Open maintenance windows',
    incident: 'Shared incident: {title} fails at {n} of {of} units',
    incidentWhere: 'Services: {where}',
    incidentSince: 'since {at} ({ago})',
    incidentUnit: 'part of the shared incident',
    ack: 'Acknowledge',
    ackNote: 'Note (ticket number, what is being done)',
    ackedBy: 'Acknowledged by {who} ({team}) at {at}',
    ackedShort: 'acknowledged: {who}',
    countdown: '{days} days to go-live on {date}: {n} of {total} units not GO',
    countdownToday: 'Go-live today ({date}): {n} of {total} units not GO',
    countdownPast: 'Live since {date} ({days} days): {n} of {total} units not GO',
    page: 'Page {n} of {of}',
    otherUnits: 'Other units',
    noDistrict: 'Old district not known',
  },
};

let lang = localStorage.getItem('sansang.lang') === 'en' ? 'en' : 'vi';
let overview = null;
let checklist = {};
let unitDetail = null;
let source = null;
let pollTimer = null;

function t(key, vars) {
  let s = (I18N[lang] && I18N[lang][key]) || I18N.vi[key] || key;
  if (vars) for (const k of Object.keys(vars)) s = s.split('{' + k + '}').join(String(vars[k]));
  return s;
}

/** Builds an element; strings become text nodes, never markup. */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return e;
}

function tz() {
  return (overview && overview.province && overview.province.timezone) || 'Asia/Ho_Chi_Minh';
}

/** 01/07/2025 08:30:00 (UTC+07:00): the province's local time, four-digit years, the offset stated (as dashboards/local-time.ts). */
function fmtTime(iso) {
  if (!iso) return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  try {
    const f = new Intl.DateTimeFormat('en-GB', {
      timeZone: tz(),
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
    const local = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
    const off = Math.round((local - Math.floor(ms / 1000) * 1000) / 60000);
    const a = Math.abs(off);
    const offset = (off < 0 ? '-' : '+') + String(Math.floor(a / 60)).padStart(2, '0') + ':' + String(a % 60).padStart(2, '0');
    return p.day + '/' + p.month + '/' + p.year + ' ' + p.hour + ':' + p.minute + ':' + p.second + ' (UTC' + offset + ')';
  } catch {
    return iso;
  }
}

function ago(iso) {
  if (!iso) return '';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  const units = lang === 'vi' ? ['giây', 'phút', 'giờ', 'ngày'] : ['s', 'min', 'h', 'd'];
  const [n, u] = s < 60 ? [s, 0] : s < 3600 ? [Math.floor(s / 60), 1] : s < 86400 ? [Math.floor(s / 3600), 2] : [Math.floor(s / 86400), 3];
  return lang === 'vi' ? n + ' ' + units[u] + ' trước' : n + ' ' + units[u] + ' ago';
}

/** A state's word, from the board's /states.js: the same words as the agent's table (inventory/remedies.ts). */
function stateWord(state) {
  const words = SANSANG_STATES.words[lang] || SANSANG_STATES.words.vi;
  return words[state] || state;
}

function badge(state) {
  return el('span', { class: 'st st-' + state, 'data-state': state, text: stateWord(state) });
}

function itemTitle(id) {
  const c = checklist[id];
  return c ? c.title[lang] : id;
}

function applyStaticTexts() {
  document.documentElement.lang = lang;
  document.title = t('title');
  for (const n of document.querySelectorAll('[data-i18n]')) n.textContent = t(n.getAttribute('data-i18n'));
  document.getElementById('lang').textContent = lang === 'vi' ? 'English' : 'Tiếng Việt';
  document.getElementById('l-report').setAttribute('href', 'report?lang=' + lang);
  document.getElementById('l-report-csv').setAttribute('href', 'report.csv?lang=' + lang);
  document.getElementById('l-week').setAttribute('href', 'report/week?lang=' + lang);
}

// ---------------------------------------------------------------- data

async function getJson(url) {
  const r = await fetch(url, { cache: 'no-store' });
  if (!r.ok) throw new Error('HTTP ' + r.status);
  return r.json();
}

async function refresh() {
  try {
    overview = await getJson('api/state');
    if (location.hash.startsWith('#/unit/'))
      unitDetail = await getJson('api/units/' + encodeURIComponent(decodeURIComponent(location.hash.slice(7))));
    render();
  } catch (e) {
    setLive(false, e.message);
  }
}

function setLive(ok, err) {
  const n = document.getElementById('live');
  n.textContent = ok ? t('live') : t('offline') + (err ? ' (' + err + ')' : '');
  n.className = ok ? 'live on' : 'live off';
}

function connect() {
  if (source) source.close();
  if (typeof EventSource === 'undefined') return poll();
  source = new EventSource('api/events');
  source.addEventListener('version', () => {
    setLive(true);
    refresh();
  });
  source.onerror = () => setLive(false);
  // Belt and braces: a periodic read even if the event stream is held up by a proxy.
  poll();
}

function poll() {
  clearTimeout(pollTimer);
  const every = Math.max(5, (overview && overview.refreshSeconds) || 15) * 1000;
  pollTimer = setTimeout(() => refresh().finally(poll), every);
}

// ---------------------------------------------------------------- overview

const MAX_FAILING = 6;
// The order of the states (what needs attention first), from the board's /states.js.
const ORDER = Object.fromEntries(SANSANG_STATES.order.map((s, i) => [s, i]));

function filters() {
  return {
    state: document.getElementById('f-state').value,
    district: document.getElementById('f-district').value,
    hot: document.getElementById('f-hot').checked,
    text: document.getElementById('f-text').value.trim().toLowerCase(),
  };
}

function renderHeader() {
  document.getElementById('province').textContent = overview.province.name;
  const counts = document.getElementById('counts');
  counts.replaceChildren(
    ...SANSANG_STATES.order.map((s) =>
      el(
        'button',
        {
          type: 'button',
          class: 'count st-' + s,
          'data-count': s,
          onclick: () => {
            document.getElementById('f-state').value = s;
            location.hash = '';
            render();
          },
        },
        el('b', { text: String(overview.counts[s]) }),
        ' ',
        stateWord(s),
      ),
    ),
  );
  const problems = document.getElementById('problems');
  problems.hidden = overview.problems.length === 0;
  problems.replaceChildren(
    ...overview.problems.map((p) =>
      el(
        'p',
        { 'data-problem': p.kind },
        el('b', { text: p.reason[lang] }),
        p.fix ? el('span', { class: 'fix', text: ' — ' + p.fix[lang] }) : null,
      ),
    ),
  );
  renderCountdown();
  renderIncidents();
  const meta = [t('updated', { at: fmtTime(overview.at) }), t('mode_' + overview.mode), overview.datacenter];
  if (overview.peer)
    meta.push(
      t('peer') +
        ' ' +
        overview.peer.url +
        ': ' +
        (overview.peer.lastError
          ? t('peerErr', { err: (lang === 'vi' && overview.peer.lastErrorVi) || overview.peer.lastError })
          : overview.peer.lastOkAt
            ? t('peerOk', { at: fmtTime(overview.peer.lastOkAt) })
            : '…') +
        (overview.peer.clockOffsetSeconds != null && Math.abs(overview.peer.clockOffsetSeconds) >= 1
          ? ', ' + t('clockOffset', { s: overview.peer.clockOffsetSeconds })
          : '') +
        (overview.peer.refusedFromFuture ? ', ' + t('peerFuture', { n: overview.peer.refusedFromFuture }) : ''),
    );
  document.getElementById('meta').textContent = meta.join(' · ');
  renderSignin();
}

/** A date (YYYY-MM-DD) as the reader writes it, with four-digit years. */
function fmtDate(ymd) {
  const [y, m, d] = ymd.split('-');
  return lang === 'vi'
    ? d + '/' + m + '/' + y
    : d + ' ' + ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][Number(m) - 1] + ' ' + y;
}

/** Days from today (in the province's time zone) to the go-live date, and the units not GO yet. */
function renderCountdown() {
  const box = document.getElementById('countdown');
  const date = overview.province.effectiveDate;
  if (!date) {
    box.hidden = true;
    return;
  }
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: tz() }).format(new Date());
  const days = Math.round((Date.parse(date + 'T00:00:00Z') - Date.parse(today + 'T00:00:00Z')) / 86400000);
  const notGo = overview.units.filter((u) => u.state !== 'go').length;
  const vars = { days: Math.abs(days), date: fmtDate(date), n: notGo, total: overview.units.length };
  box.hidden = false;
  box.className = 'countdown' + (days >= 0 && days <= 7 && notGo ? ' urgent' : '');
  box.dataset.days = String(days);
  box.dataset.notGo = String(notGo);
  box.textContent = t(days > 0 ? 'countdown' : days === 0 ? 'countdownToday' : 'countdownPast', vars);
}

/** The acknowledgement form of an incident or a unit's item: who, a note, the button (signed-in teams only). */
function ackForm(body, onDone, onFail) {
  const a = auth();
  if (!a) return null;
  const who = el('input', { name: 'who', required: true, maxlength: 200, placeholder: t('who'), value: a.who || '' });
  const note = el('input', { name: 'note', maxlength: 2000, placeholder: t('ackNote') });
  return el(
    'form',
    {
      class: 'ack',
      onsubmit: async (ev) => {
        ev.preventDefault();
        sessionStorage.setItem('sansang.auth', JSON.stringify(Object.assign(a, { who: who.value })));
        try {
          await post('api/acks', Object.assign({ who: who.value, note: note.value }, body));
          if (document.activeElement) document.activeElement.blur();
          await refresh();
          if (onDone) onDone();
        } catch (e) {
          if (onFail) onFail(e);
        }
      },
    },
    who,
    ' ',
    note,
    ' ',
    el('button', { type: 'submit', text: t('ack') }),
  );
}

function ackedText(ack) {
  return t('ackedBy', { who: ack.who, team: ack.team, at: fmtTime(ack.at) }) + (ack.note ? ': ' + ack.note : '');
}

/** One banner per shared-cause incident: the item, its services and where they run, since when, who is on it. */
function renderIncidents() {
  const box = document.getElementById('incidents');
  const list = overview.incidents || [];
  box.hidden = list.length === 0;
  if (box.contains(document.activeElement) && document.activeElement.tagName === 'INPUT') return;
  box.replaceChildren(
    ...list.map((inc) => {
      const err = el('span', { class: 'status error' });
      return el(
        'div',
        { class: 'incident', 'data-incident': inc.check },
        el('b', { text: t('incident', { title: inc.title[lang], n: inc.units.length, of: inc.of }) }),
        inc.where[lang] ? el('span', { text: ' · ' + t('incidentWhere', { where: inc.where[lang] }) }) : null,
        inc.since ? el('span', { text: ' · ' + t('incidentSince', { at: fmtTime(inc.since), ago: ago(inc.since) }) }) : null,
        inc.ack
          ? el('div', { class: 'acked', text: ackedText(inc.ack) })
          : ackForm({ check: inc.check }, null, (e) => (err.textContent = t('error', { err: e.message }))),
        err,
      );
    }),
  );
}

function renderDistricts() {
  const sel = document.getElementById('f-district');
  const cur = sel.value;
  const all = [...new Set(overview.units.flatMap((u) => u.districts))].sort((a, b) => a.localeCompare(b, 'vi'));
  const have = [...sel.options].slice(1).map((o) => o.value);
  if (have.join('\n') === all.join('\n')) return;
  sel.replaceChildren(
    el('option', { value: '', 'data-i18n': 'all', text: t('all') }),
    ...all.map((d) => el('option', { value: d, text: d })),
  );
  sel.value = all.includes(cur) ? cur : '';
}

function renderOverview() {
  renderDistricts();
  const f = filters();
  const units = overview.units
    .filter(
      (u) =>
        (!f.state || (f.state === 'notgo' ? u.state !== 'go' : u.state === f.state)) &&
        (!f.hot || u.hotSpot) &&
        (!f.district || u.districts.includes(f.district)) &&
        (!f.text || (u.code + ' ' + u.name).toLowerCase().includes(f.text)),
    )
    .sort((a, b) => Number(b.hotSpot) - Number(a.hotSpot) || ORDER[a.state] - ORDER[b.state] || a.code.localeCompare(b.code));
  document.getElementById('shown').textContent = t('shown', { n: units.length, total: overview.units.length });
  const list = document.getElementById('units');
  list.replaceChildren(
    ...units.map((u) =>
      el(
        'li',
        { class: 'unit st-' + u.state + (u.hotSpot ? ' hot' : ''), 'data-unit': u.code, 'data-state': u.state },
        el(
          'a',
          { href: '#/unit/' + encodeURIComponent(u.code) },
          el(
            'div',
            { class: 'unit-head' },
            badge(u.state),
            el('span', { class: 'code', text: u.code }),
            u.hotSpot ? el('span', { class: 'hot-mark', text: t('hot') }) : null,
          ),
          el('div', { class: 'name', text: u.name }),
          el('div', { class: 'since', text: u.since ? t('since') + ' ' + fmtTime(u.since) + ' (' + ago(u.since) + ')' : '' }),
          u.districts.length ? el('div', { class: 'districts', text: u.districts.join(', ') }) : null,
          u.failing.length
            ? el(
                'ul',
                { class: 'failing' },
                ...u.failing
                  .slice(0, MAX_FAILING)
                  .map((i) =>
                    el(
                      'li',
                      { class: 'st-' + i.state + (i.blocking ? '' : ' advisory') },
                      badge(i.state),
                      ' ',
                      itemTitle(i.check),
                      i.sites.length ? ' — ' + i.sites.join(', ') : '',
                      i.since ? ' (' + ago(i.since) + ')' : '',
                      i.incident ? el('span', { class: 'incident-mark', text: ' · ' + t('incidentUnit') }) : null,
                      i.ack ? el('span', { class: 'acked', text: ' · ' + t('ackedShort', { who: i.ack.who }) }) : null,
                    ),
                  ),
              )
            : null,
          u.failing.length > MAX_FAILING ? el('div', { class: 'more', text: t('more', { n: u.failing.length - MAX_FAILING }) }) : null,
        ),
      ),
    ),
  );
}

// ---------------------------------------------------------------- wall

const wall = { on: false, group: 'district', start: 0, end: 0, timer: null, cycleMs: 15000, sound: false, nogo: null };

/** Short words for a tile: the first failing item's title, or the incident it belongs to. */
function tileNote(u) {
  const f = u.failing.find((i) => i.blocking) || u.failing[0];
  if (!f) return '';
  return (f.incident ? '⚠ ' : '') + itemTitle(f.check) + (u.failing.length > 1 ? ' +' + (u.failing.length - 1) : '');
}

/** The wall's cells: per group (response team or old district), a label and its units; groups and units worst first. */
function wallCells() {
  const groups = new Map();
  const add = (name, u) => {
    if (!groups.has(name)) groups.set(name, []);
    groups.get(name).push(u);
  };
  for (const u of overview.units) {
    if (wall.group === 'team') {
      const team = (overview.watchTeams || []).find((x) => x.units.includes(u.code));
      add(team ? team.name : t('otherUnits'), u);
    } else add(u.districts[0] || t('noDistrict'), u);
  }
  const worst = (list) => Math.min(...list.map((u) => ORDER[u.state]));
  const byState = (a, b) => ORDER[a.state] - ORDER[b.state] || Number(b.hotSpot) - Number(a.hotSpot) || a.name.localeCompare(b.name, 'vi');
  return [...groups.entries()]
    .sort((a, b) => worst(a[1]) - worst(b[1]) || a[0].localeCompare(b[0], 'vi'))
    .flatMap(([name, list]) => [{ label: name, n: list.length }, ...list.sort(byState).map((u) => ({ unit: u }))]);
}

function wallCell(c) {
  if (c.label) return el('li', { class: 'group-label', text: c.label + ' (' + c.n + ')' });
  const u = c.unit;
  const acked = u.failing.some((i) => i.ack);
  return el(
    'li',
    { class: 'tile st-' + u.state + (u.hotSpot ? ' hot' : ''), 'data-unit': u.code, 'data-state': u.state, title: u.code },
    el(
      'a',
      { href: '#/unit/' + encodeURIComponent(u.code) },
      el('span', { class: 'tile-name', text: u.name }),
      el('span', { class: 'tile-note', text: (acked ? '✓ ' : '') + tileNote(u) }),
    ),
  );
}

function renderWall() {
  const cells = wallCells();
  const list = document.getElementById('wall-tiles');
  if (wall.start >= cells.length) wall.start = 0;
  list.replaceChildren(...cells.slice(wall.start).map(wallCell));
  // Keep what fits on the screen; the rest is the next page.
  const limit = document.documentElement.clientHeight;
  let kept = 0;
  for (const c of list.children) {
    if (c.getBoundingClientRect().bottom > limit) break;
    kept++;
  }
  // A group's label alone at the bottom belongs to the next page.
  if (kept > 0 && kept < list.children.length && list.children[kept - 1].classList.contains('group-label')) kept--;
  while (list.children.length > Math.max(kept, 1)) list.lastChild.remove();
  wall.end = wall.start + Math.max(kept, 1);
  const pages = wall.end - wall.start >= cells.length ? 1 : Math.ceil(cells.length / (wall.end - wall.start));
  const pageBox = document.getElementById('wall-page');
  pageBox.hidden = pages <= 1;
  pageBox.textContent = t('page', { n: Math.min(pages, Math.floor(wall.start / (wall.end - wall.start)) + 1), of: pages });
  document.body.dataset.wallPages = String(pages);
  wallSound();
}

/** Turns the page every `cycle` seconds while the wall does not hold every unit. */
function wallCycle() {
  clearTimeout(wall.timer);
  wall.timer = setTimeout(() => {
    if (!location.hash.startsWith('#/unit/')) {
      const total = wallCells().length;
      wall.start = wall.end < total ? wall.end : 0;
      renderWall();
    }
    wallCycle();
  }, wall.cycleMs);
}

/** A short tone when a unit turns NO-GO (only with ?sound: a wall screen in a watch room). */
function wallSound() {
  const now = new Set(overview.units.filter((u) => u.state === 'nogo').map((u) => u.code));
  const fresh = wall.nogo !== null && [...now].some((c) => !wall.nogo.has(c));
  wall.nogo = now;
  if (!fresh || !wall.sound) return;
  document.body.dataset.beeps = String(Number(document.body.dataset.beeps || 0) + 1);
  try {
    const ctx = new (window.AudioContext || window.webkitAudioContext)();
    const o = ctx.createOscillator();
    o.frequency.value = 880;
    o.connect(ctx.destination);
    o.start();
    o.stop(ctx.currentTime + 0.4);
  } catch {
    /* no audio on this screen */
  }
}

// ---------------------------------------------------------------- unit page

function auth() {
  try {
    return JSON.parse(sessionStorage.getItem('sansang.auth') || 'null');
  } catch {
    return null;
  }
}

async function post(url, body) {
  const a = auth();
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer ' + (a ? a.token : '') },
    body: JSON.stringify(Object.assign({ team: a ? a.team : '' }, body)),
  });
  const data = await r.json().catch(() => ({}));
  if (!r.ok)
    throw new Error(
      ERROR_CODES[data.code] ? t(ERROR_CODES[data.code]) : (lang === 'vi' && data.error_vi) || data.error || 'HTTP ' + r.status,
    );
  return data;
}

/** The server's error codes the page says in the reader's language; other errors as the server wrote them. */
const ERROR_CODES = { 'bad-token': 'badToken', 'no-tokens': 'noTokens', 'tokens-busy': 'tokensBusy' };

function renderSignin() {
  const box = document.getElementById('signin');
  const a = auth();
  if (a) {
    box.replaceChildren(
      t('signedInAs', { team: a.team }),
      ' ',
      el('button', {
        type: 'button',
        id: 'signout',
        onclick: () => {
          sessionStorage.removeItem('sansang.auth');
          render();
        },
        text: t('signout'),
      }),
    );
    return;
  }
  if (!overview.teams.length) {
    box.replaceChildren(t('noTokens'));
    return;
  }
  if (box.querySelector('form')) return;
  const team = el('select', { id: 'signin-team' }, ...overview.teams.map((x) => el('option', { value: x, text: x })));
  const token = el('input', { type: 'password', id: 'signin-token', autocomplete: 'off', placeholder: t('token') });
  const err = el('span', { class: 'status error', id: 'signin-error', role: 'alert' });
  box.replaceChildren(
    el(
      'form',
      {
        class: 'signin',
        onsubmit: async (ev) => {
          ev.preventDefault();
          // Checked at once: a wrong token is said now, not at the first sign-off.
          try {
            const r = await fetch('api/signin', {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token.value },
              body: JSON.stringify({ team: team.value }),
            });
            const data = await r.json().catch(() => ({}));
            if (!r.ok) throw new Error(ERROR_CODES[data.code] ? t(ERROR_CODES[data.code]) : data.error || 'HTTP ' + r.status);
            sessionStorage.setItem('sansang.auth', JSON.stringify({ team: team.value, token: token.value }));
            render();
          } catch (e) {
            err.textContent = e.message;
          }
        },
      },
      t('signin') + ': ',
      team,
      ' ',
      token,
      ' ',
      el('button', { type: 'submit', id: 'signin-go', text: 'OK' }),
      ' ',
      err,
    ),
  );
}

function localInput(d) {
  const p = (n) => String(n).padStart(2, '0');
  return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes());
}

function renderUnit() {
  const box = document.getElementById('unit');
  const back = el('a', { href: '#', class: 'back', text: t('back') });
  if (!unitDetail || !unitDetail.unit) {
    box.replaceChildren(back, el('p', { text: t('unknownUnit') }));
    return;
  }
  const u = unitDetail.unit;
  const status = el('p', { class: 'status', id: 'form-status', role: 'status' });
  const fail = (e) => {
    status.textContent = t('error', { err: e.message });
    status.className = 'status error';
  };
  const manualIds = u.items.filter((i) => checklist[i.check] && checklist[i.check].kind === 'manual');
  // Failing items first (NO-GO, then UNKNOWN), then the rest in checklist order.
  const siteIds = u.items
    .filter((i) => !checklist[i.check] || checklist[i.check].kind !== 'manual')
    .map((i, n) => ({ i, n }))
    .sort((a, b) => ORDER[a.i.state] - ORDER[b.i.state] || a.n - b.n)
    .map((x) => x.i);
  const itemRow = (i) => {
    const c = checklist[i.check] || {};
    return el(
      'tr',
      { class: 'st-' + i.state, 'data-check': i.check, 'data-state': i.state },
      el(
        'td',
        null,
        el('div', { text: itemTitle(i.check) }),
        c.owner ? el('div', { class: 'small', text: t('owner') + ': ' + c.owner[lang] }) : null,
        i.blocking ? null : el('span', { class: 'small', text: '(' + t('advisory') + ')' }),
      ),
      el('td', null, badge(i.state)),
      el('td', { text: i.since ? fmtTime(i.since) + ' (' + ago(i.since) + ')' : '' }),
      el(
        'td',
        { class: 'detail' },
        i.sites && i.sites.length ? i.sites.join(', ') + ' ' : '',
        i.reason ? el('span', { class: 'reason', text: i.reason[lang] }) : '',
        // The cause's own remedy; the item's general advice only where the cause gives none.
        i.fix
          ? el('div', { class: 'small fix', text: t('howToFix') + ': ' + i.fix[lang] })
          : i.state === 'nogo' && c.howToFix
            ? el('div', { class: 'small fix', text: t('howToFix') + ': ' + c.howToFix[lang] })
            : null,
        i.ack ? el('div', { class: 'acked', text: ackedText(i.ack) }) : null,
        // A unit's own failing item can be acknowledged here; one in a shared incident is acknowledged on its banner.
        i.ackable && !i.ack && !i.incident && (i.state === 'nogo' || i.state === 'unknown')
          ? ackForm({ unit: u.code, check: i.check }, null, fail)
          : null,
      ),
    );
  };
  const table = (rows) =>
    el(
      'table',
      { class: 'items' },
      el(
        'thead',
        null,
        el(
          'tr',
          null,
          el('th', { text: t('item') }),
          el('th', { text: t('state') }),
          el('th', { text: t('since') }),
          el('th', { text: t('detail') }),
        ),
      ),
      el('tbody', null, ...rows),
    );

  const manual = manualIds.map((i) => {
    const s = i.signoff;
    const who = el('input', { name: 'who', required: true, maxlength: 200, placeholder: t('who'), value: (auth() && auth().who) || '' });
    const note = el('input', { name: 'note', maxlength: 2000, placeholder: t('note') });
    const signed = s && s.signed;
    const form = el(
      'form',
      {
        class: 'signoff',
        'data-check': i.check,
        onsubmit: async (ev) => {
          ev.preventDefault();
          const a = auth();
          if (!a) return fail(new Error(t('needSignin')));
          sessionStorage.setItem('sansang.auth', JSON.stringify(Object.assign(a, { who: who.value })));
          try {
            await post('api/signoffs', { unit: u.code, check: i.check, who: who.value, note: note.value, signed: !signed });
            status.textContent = '';
            if (document.activeElement) document.activeElement.blur();
            await refresh();
          } catch (e) {
            fail(e);
          }
        },
      },
      who,
      ' ',
      note,
      ' ',
      el('button', { type: 'submit', text: signed ? t('withdraw') : t('signoff') }),
    );
    return el(
      'li',
      { class: 'manual st-' + i.state, 'data-check': i.check, 'data-state': i.state },
      el('div', null, badge(i.state), ' ', el('b', { text: itemTitle(i.check) })),
      el('div', {
        class: 'signoff-info',
        text: s ? t(s.signed ? 'signedBy' : 'withdrawnBy', { who: s.who, team: s.team, at: fmtTime(s.at) }) : t('notSigned'),
      }),
      s && s.note ? el('div', { class: 'note', text: s.note }) : null,
      form,
    );
  });

  const sites = u.sites.map((s) =>
    el(
      'section',
      { class: 'site st-' + s.state, 'data-site': s.id },
      el('h3', null, badge(s.state), ' ', s.name, ' ', el('span', { class: 'small', text: '(' + t('role_' + s.role) + ')' })),
      el(
        'ul',
        { class: 'links' },
        ...s.links.map((l) => {
          // Not answering over this link while answering over another: the link is down, not the agent.
          const over = s.links.find((o) => o.answered === true);
          const what =
            l.answered === true
              ? t('answered')
              : l.answered === false
                ? l.lost && over
                  ? t('linkLost', { over: t('over_' + over.link) })
                  : t('noAnswer')
                : t('notPolled');
          return el(
            'li',
            {
              class: 'link ' + (l.answered === true ? 'ok' : l.answered === false ? 'bad' : 'na'),
              'data-link': l.link,
              'data-lost': l.lost ? 'true' : null,
            },
            el('b', { text: t('link_' + l.link) }),
            ' ' + l.address + ': ' + what,
          );
        }),
      ),
      s.agent
        ? el('p', {
            class: 'small',
            text: t('agent') + ' ' + s.agent.version + ' · ' + t('clockOffset', { s: s.agent.clockOffsetSeconds }),
          })
        : null,
      table(s.items.map((i) => itemRow(Object.assign({ blocking: !checklist[i.check] || checklist[i.check].blocking, sites: [] }, i)))),
    ),
  );

  const from = el('input', { type: 'datetime-local', name: 'from', value: localInput(new Date()) });
  const to = el('input', { type: 'datetime-local', name: 'to', value: localInput(new Date(Date.now() + 2 * 3600_000)) });
  const reason = el('input', { name: 'reason', required: true, maxlength: 2000, placeholder: t('reason') });
  const mwho = el('input', { name: 'who', required: true, maxlength: 200, placeholder: t('who'), value: (auth() && auth().who) || '' });
  const site = el(
    'select',
    { name: 'site' },
    el('option', { value: '', text: t('wholeUnit') }),
    ...u.sites.map((s) => el('option', { value: s.id, text: s.name })),
  );
  const maint = el(
    'form',
    {
      class: 'maint',
      onsubmit: async (ev) => {
        ev.preventDefault();
        if (!auth()) return fail(new Error(t('needSignin')));
        try {
          await post('api/maintenance', {
            unit: u.code,
            site: site.value,
            from: new Date(from.value).toISOString(),
            to: new Date(to.value).toISOString(),
            reason: reason.value,
            who: mwho.value,
          });
          status.textContent = '';
          if (document.activeElement) document.activeElement.blur();
          await refresh();
        } catch (e) {
          fail(e);
        }
      },
    },
    el('h3', { text: t('setMaint') }),
    site,
    ' ',
    t('from'),
    ' ',
    from,
    ' ',
    t('to'),
    ' ',
    to,
    ' ',
    reason,
    ' ',
    mwho,
    ' ',
    el('button', { type: 'submit', text: t('save') }),
  );

  const parts = [
    back,
    el(
      'h2',
      { id: 'unit-title' },
      badge(u.state),
      ' ',
      el('span', { class: 'code', text: u.code }),
      ' ',
      el('span', { class: 'name', text: u.name }),
      u.hotSpot ? el('span', { class: 'hot-mark', text: t('hot') }) : null,
    ),
    el('p', {
      text:
        (u.since ? t('since') + ' ' + fmtTime(u.since) + ' (' + ago(u.since) + ')' : '') +
        (u.districts.length ? ' · ' + u.districts.join(', ') : ''),
    }),
    u.maintenance.length
      ? el(
          'div',
          { class: 'windows' },
          el('h3', { text: t('windows') }),
          el(
            'ul',
            null,
            ...u.maintenance.map((w) =>
              el('li', {
                text:
                  fmtTime(w.from) +
                  ' – ' +
                  fmtTime(w.to) +
                  (w.site ? ' (' + w.site + ')' : '') +
                  ': ' +
                  w.reason +
                  (w.who ? ' — ' + w.who + ' (' + w.team + ')' : ''),
              }),
            ),
          ),
        )
      : null,
    el('h3', { text: t('items') }),
    table(siteIds.map((i) => itemRow(Object.assign({ ackable: true }, i)))),
    el('h3', { text: t('manual') }),
    auth() ? null : el('p', { class: 'small', text: overview && overview.teams.length ? t('needSignin') : t('noTokens') }),
    status,
    el('ul', { class: 'manuals' }, ...manual),
    el('h3', { text: t('siteList') }),
    ...sites,
    maint,
    el('p', null, el('a', { href: 'units/' + encodeURIComponent(u.code) + '/assets.csv', text: t('unitAssets') })),
  ];
  // replaceChildren would write a null as the text "null".
  box.replaceChildren(...parts.filter((p) => p !== null && p !== undefined));
}

// ---------------------------------------------------------------- routing

function render() {
  if (!overview) return;
  applyStaticTexts();
  renderHeader();
  const onUnit = location.hash.startsWith('#/unit/');
  document.getElementById('overview').hidden = onUnit || wall.on;
  document.getElementById('wall').hidden = onUnit || !wall.on;
  document.getElementById('unit').hidden = !onUnit;
  // Do not rebuild a form someone is typing in.
  const typing =
    onUnit &&
    document.activeElement &&
    document.getElementById('unit').contains(document.activeElement) &&
    document.activeElement.tagName !== 'BUTTON';
  if (onUnit) {
    if (!typing) renderUnit();
  } else if (wall.on) renderWall();
  else renderOverview();
}

async function init() {
  document.getElementById('lang').addEventListener('click', () => {
    lang = lang === 'vi' ? 'en' : 'vi';
    localStorage.setItem('sansang.lang', lang);
    render();
  });
  for (const id of ['f-state', 'f-district', 'f-hot', 'f-text']) document.getElementById(id).addEventListener('input', render);
  document.getElementById('filters').addEventListener('submit', (e) => e.preventDefault());
  const q = new URLSearchParams(location.search);
  if (q.get('lang') === 'en' || q.get('lang') === 'vi') lang = q.get('lang');
  if (q.get('wall') !== null) {
    document.body.classList.add('wall');
    wall.on = true;
    wall.group = q.get('group') === 'team' ? 'team' : 'district';
    wall.sound = q.get('sound') !== null;
    const cycle = Number(q.get('cycle'));
    if (cycle >= 3) wall.cycleMs = cycle * 1000;
    wallCycle();
    window.addEventListener('resize', () => overview && !location.hash.startsWith('#/unit/') && renderWall());
  }
  window.addEventListener('hashchange', () => {
    unitDetail = null;
    refresh();
  });
  applyStaticTexts();
  try {
    checklist = await getJson('api/checklist');
  } catch {
    checklist = {};
  }
  await refresh();
  connect();
}

init();
