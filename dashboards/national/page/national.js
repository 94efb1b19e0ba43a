/* The national board's page: provinces → units → items. Plain browser JavaScript, served by the
 * national board (nothing from the internet). Every piece of data goes into the page through
 * textContent and attributes set one by one, never as markup: names come from the provinces. */
/* global SANSANG_STATES, document, window, location, fetch, localStorage, setTimeout, URL, URLSearchParams */
'use strict';

const I18N = {
  vi: {
    title: 'Sẵn sàng — toàn quốc',
    provinces: 'Các tỉnh, kém nhất trước',
    worst: 'Đơn vị kém nhất cả nước',
    worstShown: (n, total) => `${n} trong ${total} đơn vị chưa ĐẠT`,
    live: 'Trực tiếp',
    offline: 'Mất kết nối, đang thử lại',
    st_go: 'ĐẠT',
    st_nogo: 'CHƯA ĐẠT',
    st_unknown: 'KHÔNG RÕ',
    st_maintenance: 'BẢO TRÌ',
    units: 'đơn vị',
    lastSent: 'gửi lần cuối',
    never: 'chưa gửi',
    back: '← Toàn quốc',
    backProvince: '← Tỉnh',
    board: 'Bảng theo dõi của tỉnh',
    item: 'Hạng mục',
    state: 'Trạng thái',
    advisory: 'khuyến nghị',
    since: 'từ',
    noItems: 'Không có số liệu về các hạng mục',
    queries: (q) => `${q} truy vấn mỗi lần làm mới`,
  },
  en: {
    title: 'Sẵn sàng — national',
    provinces: 'Provinces, worst first',
    worst: 'Worst units of the country',
    worstShown: (n, total) => `${n} of ${total} units not GO`,
    live: 'Live',
    offline: 'Disconnected, retrying',
    st_go: 'GO',
    st_nogo: 'NO-GO',
    st_unknown: 'UNKNOWN',
    st_maintenance: 'MAINTENANCE',
    units: 'units',
    lastSent: 'last sent',
    never: 'nothing sent',
    back: '← National',
    backProvince: '← Province',
    board: "The province's board",
    item: 'Item',
    state: 'State',
    advisory: 'advisory',
    since: 'since',
    noItems: 'No data on the items',
    queries: (q) => `${q} queries per refresh`,
  },
};

let lang = new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : localStorage.getItem('sansang-lang') === 'en' ? 'en' : 'vi';
let overview = null;
let refreshSeconds = 5;

const t = (k, ...a) => {
  const v = I18N[lang][k];
  return typeof v === 'function' ? v(...a) : (v ?? k);
};

function el(tag, attrs = {}, children = []) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') n.textContent = v;
    else n.setAttribute(k, v);
  }
  for (const c of children) if (c) n.appendChild(c);
  return n;
}

const badge = (state) => el('span', { class: 'st st-' + state, 'data-state': state, text: t('st_' + state) });

function ago(iso) {
  if (!iso) return '';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  const u = lang === 'vi' ? ['giây', 'phút', 'giờ'] : ['s', 'min', 'h'];
  const [n, k] = s < 60 ? [s, 0] : s < 3600 ? [Math.floor(s / 60), 1] : [Math.floor(s / 3600), 2];
  return lang === 'vi' ? `${n} ${u[k]} trước` : `${n} ${u[k]} ago`;
}

const itemTitle = (i) => (lang === 'vi' ? i.title : i.titleEn);

function applyStaticTexts() {
  document.documentElement.lang = lang;
  document.title = t('title');
  document.getElementById('title').textContent = t('title');
  for (const n of document.querySelectorAll('[data-i18n]')) n.textContent = t(n.getAttribute('data-i18n'));
  document.getElementById('lang').textContent = lang === 'vi' ? 'English' : 'Tiếng Việt';
}

async function getJson(url) {
  const r = await fetch(url, { cache: 'no-store' });
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.json();
}

function setLive(ok) {
  const live = document.getElementById('live');
  live.className = 'live ' + (ok ? 'on' : 'off');
  live.textContent = ok ? t('live') : t('offline');
}

function showProblems(list) {
  const box = document.getElementById('problems');
  box.replaceChildren(...list.map((p) => el('p', { text: p })));
  box.hidden = list.length === 0;
}

function counts(provinces) {
  const by = {};
  for (const p of provinces) by[p.state] = (by[p.state] || 0) + 1;
  return document
    .getElementById('counts')
    .replaceChildren(
      ...SANSANG_STATES.order.map((s) =>
        el('span', { class: 'count st-' + s, 'data-state': s }, [
          el('b', { text: String(by[s] || 0) }),
          document.createTextNode(' ' + t('st_' + s)),
        ]),
      ),
    );
}

function provinceCard(p) {
  const c = p.counts;
  const summary = SANSANG_STATES.order
    .filter((s) => c[s])
    .map((s) => `${c[s]} ${t('st_' + s)}`)
    .join(' · ');
  const sent = p.lastSampleAt ? `${t('lastSent')} ${ago(p.lastSampleAt)}` : t('never');
  return el('li', { class: 'unit st-' + p.state, 'data-province': p.code, 'data-state': p.state }, [
    el('a', { href: '#/p/' + encodeURIComponent(p.code) }, [
      el('div', { class: 'unit-head' }, [badge(p.state), el('span', { class: 'name', text: p.name })]),
      el('div', { class: 'small', text: `${p.units} ${t('units')}${summary ? ': ' + summary : ''}` }),
      el('div', { class: 'since', text: sent }),
      p.problem ? el('div', { class: 'small problem', text: p.problem }) : null,
    ]),
  ]);
}

function unitCard(u, provinceName) {
  return el('li', { class: 'unit st-' + u.state, 'data-unit': u.code, 'data-state': u.state }, [
    el('a', { href: `#/p/${encodeURIComponent(u.province)}/u/${encodeURIComponent(u.code)}` }, [
      el('div', { class: 'unit-head' }, [badge(u.state), el('span', { class: 'name', text: u.name })]),
      provinceName ? el('div', { class: 'districts', text: provinceName }) : null,
      u.since ? el('div', { class: 'since', text: `${t('since')} ${ago(u.since)}` }) : null,
      el(
        'ul',
        { class: 'failing' },
        u.failing.map((i) =>
          el('li', { class: i.blocking ? '' : 'advisory' }, [
            badge(i.state),
            document.createTextNode(' ' + itemTitle(i) + (i.blocking ? '' : ` (${t('advisory')})`)),
          ]),
        ),
      ),
    ]),
  ]);
}

function show(id) {
  for (const s of ['overview', 'province', 'unit']) document.getElementById(s).hidden = s !== id;
}

function renderOverview() {
  if (!overview) return;
  document.getElementById('name').textContent = overview.name;
  counts(overview.provinces);
  showProblems(overview.problems);
  const names = Object.fromEntries(overview.provinces.map((p) => [p.code, p.name]));
  document.getElementById('provinces').replaceChildren(...overview.provinces.map(provinceCard));
  document.getElementById('worst').replaceChildren(...overview.worst.map((u) => unitCard(u, names[u.province])));
  document.getElementById('worst-shown').textContent = t('worstShown', overview.worst.length, overview.worstTotal);
  document.getElementById('meta').textContent = `${overview.at} · ${t('queries', overview.queriesPerRefresh)}`;
}

async function renderProvince(code) {
  const d = await getJson('api/provinces/' + encodeURIComponent(code));
  const p = d.province;
  const sec = document.getElementById('province');
  sec.replaceChildren(
    el('a', { class: 'back', href: '#/', text: t('back') }),
    el('h2', {}, [badge(p.state), el('span', { text: p.name })]),
    el('p', { class: 'small', text: p.problem || (p.lastSampleAt ? `${t('lastSent')} ${ago(p.lastSampleAt)}` : t('never')) }),
    el(
      'p',
      { class: 'small' },
      p.boards.map((b) => el('a', { href: b, rel: 'noreferrer', text: `${t('board')} (${new URL(b).host}) ` })),
    ),
    el(
      'ul',
      { class: 'units' },
      d.units.map((u) => unitCard(u, null)),
    ),
  );
}

async function renderUnit(code, unit) {
  const d = await getJson(`api/provinces/${encodeURIComponent(code)}/units/${encodeURIComponent(unit)}`);
  const u = d.unit;
  const rows = u.items.map((i) =>
    el('tr', { 'data-check': i.check, 'data-state': i.state }, [
      el('td', { text: itemTitle(i) + (i.blocking ? '' : ` (${t('advisory')})`) }),
      el('td', {}, [badge(i.state)]),
    ]),
  );
  document
    .getElementById('unit')
    .replaceChildren(
      el('a', { class: 'back', href: '#/p/' + encodeURIComponent(code), text: `${t('backProvince')} ${d.province.name}` }),
      el('h2', {}, [badge(u.state), el('span', { text: u.name }), el('span', { class: 'code', text: u.code })]),
      rows.length
        ? el('table', { class: 'items' }, [el('tr', {}, [el('th', { text: t('item') }), el('th', { text: t('state') })]), ...rows])
        : el('p', { text: t('noItems') }),
    );
}

async function route() {
  const m = /^#\/p\/([^/]+)(?:\/u\/([^/]+))?$/.exec(location.hash);
  try {
    if (m && m[2]) {
      await renderUnit(decodeURIComponent(m[1]), decodeURIComponent(m[2]));
      show('unit');
    } else if (m) {
      await renderProvince(decodeURIComponent(m[1]));
      show('province');
    } else {
      renderOverview();
      show('overview');
    }
    setLive(true);
  } catch {
    setLive(false);
  }
}

async function poll() {
  try {
    overview = await getJson('api/national');
    refreshSeconds = overview.refreshSeconds || refreshSeconds;
    await route();
  } catch {
    setLive(false);
  }
  setTimeout(poll, Math.max(1, refreshSeconds) * 1000);
}

document.getElementById('lang').addEventListener('click', () => {
  lang = lang === 'vi' ? 'en' : 'vi';
  localStorage.setItem('sansang-lang', lang);
  applyStaticTexts();
  void route();
});
window.addEventListener('hashchange', () => void route());
applyStaticTexts();
void poll();
