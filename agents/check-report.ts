// `sansang agent check`: one round's raw results (no flapping thresholds) as a table a site
// technician can act on, in Vietnamese by default: item, result, measured value, what to do.
import { sliceSiteChecks, type ChecklistItem, type ProbeResult } from '../inventory/index.ts';
import type { Agent, RoundOutcome } from './agent.ts';
import { judge, type Judgement } from './checks.ts';

export type Lang = 'vi' | 'en';

const T = {
  vi: {
    head: ['Hạng mục', 'Kết quả', 'Đo được', 'Cần làm'],
    ok: 'ĐẠT',
    fail: 'KHÔNG ĐẠT',
    warn: 'CẢNH BÁO',
    checks: 'Danh mục kiểm tra',
    probes: 'Các phép đo',
    collectors: 'Thông tin máy',
    ready: 'SẴN SÀNG: mọi hạng mục bắt buộc đều đạt.',
    notReady: (n: number) => `CHƯA SẴN SÀNG: ${n} hạng mục bắt buộc không đạt.`,
    site: (site: string, unit: string) => `Điểm ${site} — đơn vị ${unit}`,
    hints: {
      resolve: 'Kiểm tra máy chủ DNS của điểm',
      timeout: 'Không có phản hồi: kiểm tra đường truyền, tường lửa',
      refused: 'Dịch vụ từ chối kết nối: báo trung tâm dữ liệu',
      unreachable: 'Không có đường tới đích: kiểm tra bộ định tuyến',
      'link-down': 'Cổng mạng mất tín hiệu: kiểm tra dây cáp, modem, cổng switch',
      status: 'Dịch vụ trả lỗi: báo trung tâm dữ liệu',
      redirect: 'Chuyển hướng sai: báo trung tâm dữ liệu',
      tls: 'Lỗi chứng thư số: kiểm tra giờ máy và chứng thư',
      bind: 'Địa chỉ của đường truyền chưa gán cho máy này',
      protocol: 'Phản hồi không hợp lệ',
      other: 'Xem chi tiết lỗi',
    } as Record<string, string>,
    collectorFail: 'Không đọc được, xem lỗi',
  },
  en: {
    head: ['Item', 'Result', 'Measured', 'What to do'],
    ok: 'OK',
    fail: 'FAIL',
    warn: 'WARN',
    checks: 'Checklist',
    probes: 'Probes',
    collectors: 'Host',
    ready: 'READY: every blocking item passes.',
    notReady: (n: number) => `NOT READY: ${n} blocking item${n === 1 ? '' : 's'} failing.`,
    site: (site: string, unit: string) => `Site ${site} — unit ${unit}`,
    hints: {
      resolve: "Check the site's DNS server",
      timeout: 'No answer: check the link and the firewall',
      refused: 'The service refuses connections: call the data center',
      unreachable: 'No route to the target: check the router',
      'link-down': 'The network port has no carrier: check the cable, the modem, the switch port',
      status: 'The service answers with an error: call the data center',
      redirect: 'Wrong redirect: call the data center',
      tls: "Certificate problem: check the PC's clock and the certificate",
      bind: "The link's address is not on this machine",
      protocol: 'Malformed answer',
      other: 'See the error',
    } as Record<string, string>,
    collectorFail: 'Could not be read, see the error',
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

function probeValue(r: ProbeResult): string {
  if (r.icmp)
    return `${r.icmp.received}/${r.icmp.sent}${r.icmp.rttSeconds.length ? `, ${((r.icmp.rttSeconds.reduce((a, b) => a + b, 0) / r.icmp.rttSeconds.length) * 1000).toFixed(1)} ms` : ''}`;
  if (r.http?.status) return `HTTP ${r.http.status}, ${(r.durationSeconds * 1000).toFixed(0)} ms`;
  if (r.dns) return `${r.dns.answers} rr, ${(r.durationSeconds * 1000).toFixed(0)} ms`;
  return `${(r.durationSeconds * 1000).toFixed(0)} ms`;
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
  const rd = readinessOf(agent, outcome);
  const out: string[] = [t.site(agent.slice.site.id, `${agent.slice.unit.code} ${agent.slice.unit.name}`), ''];
  out.push(`${t.checks}:`);
  out.push(
    table([
      t.head,
      ...rd.items.map(({ item, judgement: j }) => [
        item.title[lang],
        j.ok ? t.ok : item.blocking ? t.fail : t.warn,
        j.value ?? '-',
        j.ok ? '' : `${item.howToFix?.[lang] ?? ''}${item.howToFix ? ' — ' : ''}${j.reason}`,
      ]),
    ]),
  );
  out.push('', `${t.probes}:`);
  out.push(
    table([
      t.head,
      ...outcome.probes.map(({ result: r }) => [
        `${r.target}/${r.probe} (${r.link})`,
        r.success ? t.ok : t.fail,
        probeValue(r),
        r.success ? '' : `${t.hints[r.errorKind ?? 'other'] ?? t.hints.other}: ${r.error ?? ''}`,
      ]),
    ]),
  );
  const failed = outcome.collectors.filter((c) => !c.result.success);
  if (failed.length) {
    out.push('', `${t.collectors}:`);
    out.push(table([t.head, ...failed.map((c) => [c.result.collector, t.fail, '-', `${t.collectorFail}: ${c.result.error ?? ''}`])]));
  }
  const failing = rd.items.filter((i) => !i.judgement.ok && i.item.blocking).length;
  out.push('', rd.ready ? t.ready : t.notReady(failing), '');
  return out.join('\n');
}
