// `sansang agent check`: one round's raw results (no flapping thresholds) as a table a site
// technician can act on, in Vietnamese by default: item, result, measured value, what to do.
// What to do comes from the cause (inventory/remedies.ts), the same text on the item's row and
// on the probe row behind it, and the same the board shows.
import {
  VERDICT_WORDS,
  causeLine,
  sayCause,
  sliceSiteChecks,
  type ChecklistItem,
  type Lang,
  type ProbeResult,
} from '../inventory/index.ts';
import type { Agent, RoundOutcome } from './agent.ts';
import { judge, type Judgement } from './checks.ts';
import type { ProbeRun } from './probes/index.ts';

export type { Lang } from '../inventory/index.ts';

const T = {
  vi: {
    head: ['Hạng mục', 'Kết quả', 'Đo được', 'Cần làm'],
    checks: 'Danh mục kiểm tra',
    probes: 'Các phép đo',
    collectors: 'Thông tin máy',
    ready: 'SẴN SÀNG: mọi hạng mục bắt buộc đều đạt.',
    notReady: (n: number) => `CHƯA SẴN SÀNG: ${n} hạng mục bắt buộc ${VERDICT_WORDS.vi.nogo.toLowerCase()}.`,
    site: (site: string, unit: string) => `Điểm ${site} — đơn vị ${unit}`,
    link: { primary: 'đường chính', backup: 'đường dự phòng' },
    gateway: (gw: string) => `Cổng mặc định ${gw}`,
    records: 'bản ghi',
    collector: {
      filesystem: 'Ổ đĩa',
      memory: 'Bộ nhớ',
      load: 'Tải bộ xử lý',
      network: 'Cổng mạng',
      route: 'Tuyến mặc định',
      uptime: 'Thời gian chạy',
    } as Record<string, string>,
    collectorFail: 'Không đọc được thông tin này của máy; báo tổ kỹ thuật, gửi kèm /status của tác tử',
  },
  en: {
    head: ['Item', 'Result', 'Measured', 'What to do'],
    checks: 'Checklist',
    probes: 'Probes',
    collectors: 'Host',
    ready: 'READY: every blocking item passes.',
    notReady: (n: number) => `NOT READY: ${n} blocking item${n === 1 ? '' : 's'} ${VERDICT_WORDS.en.nogo}.`,
    site: (site: string, unit: string) => `Site ${site} — unit ${unit}`,
    link: { primary: 'primary', backup: 'backup' },
    gateway: (gw: string) => `Gateway ${gw}`,
    records: 'records',
    collector: {} as Record<string, string>,
    collectorFail: "Could not be read; tell the technical team, with the agent's /status",
  },
};

export interface Readiness {
  ready: boolean;
  items: { item: ChecklistItem; judgement: Judgement }[];
}

export function readinessOf(agent: Agent, outcome: RoundOutcome): Readiness {
  const items = sliceSiteChecks(agent.slice)
    .filter((i) => i.kind === 'edge')
    .map((item) => ({ item, judgement: judge(item, outcome.evidence) }));
  return { ready: items.every((i) => i.judgement.ok || !i.item.blocking), items };
}

function probeValue(r: ProbeResult, lang: Lang): string {
  const ms = `${(r.durationSeconds * 1000).toFixed(0)} ms`;
  if (r.icmp)
    return `${r.icmp.received}/${r.icmp.sent}${r.icmp.rttSeconds.length ? `, ${((r.icmp.rttSeconds.reduce((a, b) => a + b, 0) / r.icmp.rttSeconds.length) * 1000).toFixed(1)} ms` : ''}`;
  if (r.http?.status) return `HTTP ${r.http.status}, ${ms}`;
  if (r.dns) return `${r.dns.answers} ${T[lang].records}, ${ms}`;
  return ms;
}

/** A probe's row: the service's name (the gateway's address for its ping), the probe, the link. */
function probeLabel(run: ProbeRun, lang: Lang): string {
  const t = T[lang];
  const who = run.job.path.service ?? t.gateway(run.job.host);
  return `${who} · ${run.result.probe} (${t.link[run.result.link]})`;
}

/** What to do about an item: its cause's remedy, else the item's own `howToFix`. */
function itemAdvice(item: ChecklistItem, j: Judgement, lang: Lang): string {
  if (j.ok) return '';
  if (j.cause) {
    const said = sayCause(j.cause, lang);
    const fix = said.fix ?? item.howToFix?.[lang];
    return fix ? `${said.what} — ${fix}` : said.what;
  }
  return item.howToFix?.[lang] ?? j.reason;
}

function table(rows: string[][]): string {
  const last = rows[0]!.length - 1;
  const widths = rows[0]!.map((_, c) => (c === last ? Infinity : Math.min(48, Math.max(...rows.map((r) => [...(r[c] ?? '')].length)))));
  const cut = (s: string, w: number) => ([...s].length > w ? `${[...s].slice(0, w - 1).join('')}…` : s);
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === last ? cell : cut(cell, widths[c]!).padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function renderCheckTable(agent: Agent, outcome: RoundOutcome, lang: Lang): string {
  const t = T[lang];
  const w = VERDICT_WORDS[lang];
  const rd = readinessOf(agent, outcome);
  const out: string[] = [t.site(agent.slice.site.name, `${agent.slice.unit.code} ${agent.slice.unit.name}`), ''];
  out.push(`${t.checks}:`);
  out.push(
    table([
      t.head,
      ...rd.items.map(({ item, judgement: j }) => [
        item.title[lang],
        j.ok ? w.go : item.blocking ? w.nogo : w.warn,
        j.value ?? '-',
        itemAdvice(item, j, lang),
      ]),
    ]),
  );
  out.push('', `${t.probes}:`);
  out.push(
    table([
      t.head,
      ...outcome.probes.map((run) => [
        probeLabel(run, lang),
        run.result.success ? w.go : w.nogo,
        probeValue(run.result, lang),
        run.result.success || !run.observation.cause ? '' : causeLine(run.observation.cause, lang),
      ]),
    ]),
  );
  const failed = outcome.collectors.filter((c) => !c.result.success);
  if (failed.length) {
    out.push('', `${t.collectors}:`);
    out.push(
      table([
        t.head,
        ...failed.map((c) => [
          t.collector[c.result.collector] ?? c.result.collector,
          w.nogo,
          '-',
          lang === 'en' ? `${t.collectorFail}: ${c.result.error ?? ''}` : t.collectorFail,
        ]),
      ]),
    );
  }
  const failing = rd.items.filter((i) => !i.judgement.ok && i.item.blocking).length;
  out.push('', rd.ready ? t.ready : t.notReady(failing), '');
  return out.join('\n');
}

/** The same round as data (`agent check --json`): the items judged, and every probe's result with its cause. */
export function checkJson(agent: Agent, outcome: RoundOutcome): object {
  const rd = readinessOf(agent, outcome);
  return {
    site: agent.slice.site.id,
    ready: rd.ready,
    items: rd.items.map(({ item, judgement: j }) => ({
      check: item.id,
      blocking: item.blocking,
      ok: j.ok,
      reason: j.reason,
      ...(j.value ? { value: j.value } : {}),
      ...(j.cause ? { cause: j.cause } : {}),
    })),
    probes: outcome.probes.map((p) => p.result),
  };
}
