// alertmanager.yml from the inventory: one receiver per watch team (and a paging twin for hot
// spots), hot spots routed first with short waits, inhibitions so a dead WAN link does not also
// page for every service behind it, and each maintenance window muting only its own unit.
import { stringify } from 'yaml';
import { commentText, type GeneratedFile, type Inventory, type MaintenanceWindow, type Team } from '../inventory/index.ts';
import { unitRegex } from './rules/classes.ts';

export const ALERTMANAGER_FILE = 'alertmanager/alertmanager.yml';

interface Route {
  receiver?: string;
  matchers?: string[];
  continue?: boolean;
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  mute_time_intervals?: string[];
  routes?: Route[];
}

interface TimeRange {
  times?: { start_time: string; end_time: string }[];
  days_of_month: string[];
  months: string[];
  years: string[];
  location: string;
}

/** Placeholders amtool accepts; the data center's real relay goes here before deploying. */
export const SMTP_PLACEHOLDER = { smarthost: 'smtp.example.invalid:587', from: 'sansang-alerts@example.invalid' };

const HOT = { group_wait: '10s', group_interval: '1m', repeat_interval: '30m' } as const;

export const receiverName = (team: Team, hot: boolean) => `team-${team.id}${hot ? '-hotspot' : ''}`;

function receiverConfig(team: Team, hot: boolean) {
  return {
    name: receiverName(team, hot),
    ...(team.email.length ? { email_configs: team.email.map((to) => ({ to, send_resolved: true })) } : {}),
    ...(team.webhook.length ? { webhook_configs: team.webhook.map((url) => ({ url, send_resolved: true })) } : {}),
  };
}

function teamUnits(inv: Inventory, team: Team): string[] {
  return team.units.includes('*') ? inv.units.map((u) => u.code) : team.units.filter((c): c is string => c !== '*');
}

/** The team's routes, hot spots first; `only` restricts them to one unit (maintenance subtrees). */
function teamRoutes(inv: Inventory, teams: Team[], only?: string): { hot: Route[]; normal: Route[] } {
  const hotCodes = new Set(inv.units.filter((u) => u.hotSpot).map((u) => u.code));
  const hot: Route[] = [];
  const normal: Route[] = [];
  for (const team of teams) {
    const all = team.units.includes('*');
    const codes = teamUnits(inv, team).filter((c) => !only || c === only);
    const hotUnits = codes.filter((c) => hotCodes.has(c));
    const plain = codes.filter((c) => !hotCodes.has(c));
    if (hotUnits.length)
      hot.push({ receiver: receiverName(team, true), matchers: [`unit=~"${unitRegex(hotUnits)}"`], ...HOT, continue: true });
    if (all && !only) {
      // The whole province: also every alert without a unit (anchors, certificates, boards).
      normal.push({
        receiver: receiverName(team, false),
        ...(hotCodes.size ? { matchers: [`unit!~"${unitRegex([...hotCodes])}"`] } : {}),
        continue: true,
      });
    } else if (plain.length) {
      normal.push({ receiver: receiverName(team, false), matchers: [`unit=~"${unitRegex(plain)}"`], continue: true });
    }
  }
  return { hot, normal };
}

/** Local calendar parts of an instant in a time zone. */
function localParts(iso: string, timeZone: string) {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const p = Object.fromEntries(f.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return { y: Number(p.year), m: Number(p.month), d: Number(p.day), time: `${p.hour}:${p.minute}` };
}

/**
 * A one-off window as Alertmanager time intervals. Alertmanager intervals recur; pinning
 * years, months and days of month makes them happen once. Minutes are the finest unit.
 */
export function windowRanges(w: Pick<MaintenanceWindow, 'from' | 'to'>, timeZone: string): TimeRange[] {
  const a = localParts(w.from, timeZone);
  const b = localParts(w.to, timeZone);
  const day = (p: { y: number; m: number; d: number }, times?: TimeRange['times']): TimeRange => ({
    ...(times ? { times } : {}),
    days_of_month: [String(p.d)],
    months: [String(p.m)],
    years: [String(p.y)],
    location: timeZone,
  });
  const sameDay = a.y === b.y && a.m === b.m && a.d === b.d;
  if (sameDay) return a.time < b.time ? [day(a, [{ start_time: a.time, end_time: b.time }])] : [];
  const out: TimeRange[] = [day(a, [{ start_time: a.time, end_time: '24:00' }])];
  // Whole days in between, one range per month.
  const cur = new Date(Date.UTC(a.y, a.m - 1, a.d + 1));
  const last = new Date(Date.UTC(b.y, b.m - 1, b.d));
  while (cur < last) {
    const y = cur.getUTCFullYear();
    const m = cur.getUTCMonth() + 1;
    const first = cur.getUTCDate();
    let end = first;
    while (true) {
      const next = new Date(Date.UTC(y, m - 1, end + 1));
      if (next >= last || next.getUTCMonth() + 1 !== m) break;
      end++;
    }
    out.push({
      days_of_month: [first === end ? String(first) : `${first}:${end}`],
      months: [String(m)],
      years: [String(y)],
      location: timeZone,
    });
    cur.setUTCDate(end + 1);
  }
  if (b.time !== '00:00') out.push(day(b, [{ start_time: '00:00', end_time: b.time }]));
  return out;
}

export function alertmanagerConfig(inv: Inventory) {
  const teams = inv.teams;
  const hotCodes = new Set(inv.units.filter((u) => u.hotSpot).map((u) => u.code));
  const receivers = teams.flatMap((t) => {
    const covered = teamUnits(inv, t);
    return [receiverConfig(t, false), ...(covered.some((c) => hotCodes.has(c)) ? [receiverConfig(t, true)] : [])];
  });
  const star = teams.find((t) => t.units.includes('*')) ?? teams[0];
  const fallback = star ? receiverName(star, false) : 'sansang-nobody';
  if (!star) receivers.push({ name: fallback });

  // Maintenance: one subtree per unit (and site) with windows, its leaves muted in the windows.
  const timeIntervals: { name: string; time_intervals: TimeRange[] }[] = [];
  const maintenanceRoutes: Route[] = [];
  const byScope = new Map<string, MaintenanceWindow[]>();
  for (const w of inv.maintenance) {
    const k = `${w.unit}/${w.site ?? ''}`;
    byScope.set(k, [...(byScope.get(k) ?? []), w]);
  }
  for (const [k, windows] of byScope) {
    const [unit, site] = k.split('/') as [string, string];
    const name = `maintenance-${unit}${site ? `-${site}` : ''}`;
    timeIntervals.push({ name, time_intervals: windows.flatMap((w) => windowRanges(w, inv.province.timezone)) });
    const { hot, normal } = teamRoutes(inv, teams, unit);
    const leaves = [...hot, ...normal].map((r) => ({ ...r, mute_time_intervals: [name] }));
    if (!leaves.length) continue;
    maintenanceRoutes.push({
      receiver: fallback,
      matchers: [`unit="${unit}"`, ...(site ? [`site="${site}"`] : [])],
      routes: leaves,
    });
  }
  const { hot, normal } = teamRoutes(inv, teams);

  return {
    global: { smtp_smarthost: SMTP_PLACEHOLDER.smarthost, smtp_from: SMTP_PLACEHOLDER.from, smtp_require_tls: true, resolve_timeout: '5m' },
    route: {
      receiver: fallback,
      group_by: ['alertname', 'unit', 'site'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [...maintenanceRoutes, ...hot, ...normal],
    },
    inhibit_rules: [
      {
        // A dead primary link (or every link) explains the services and loss behind it.
        source_matchers: ['alertname=~"SansangPrimaryWanDown|SansangWanDown"'],
        target_matchers: ['alertname=~"SansangServiceUnreachable|SansangHighPacketLoss"'],
        equal: ['unit', 'site'],
      },
      {
        source_matchers: ['alertname="SansangWanDown"'],
        target_matchers: ['alertname="SansangSiteAgentDown"'],
        equal: ['unit', 'site'],
      },
      {
        source_matchers: ['alertname="SansangCertificateExpiringSoon"'],
        target_matchers: ['alertname="SansangCertificateExpiring"'],
        equal: ['target', 'probe'],
      },
    ],
    receivers,
    ...(timeIntervals.length ? { time_intervals: timeIntervals } : {}),
  };
}

export function alertmanagerYaml(inv: Inventory): string {
  return (
    `# alertmanager.yml for ${commentText(inv.province.name)}, generated by \`sansang config alertmanager\` from the inventory.\n` +
    `# Do not edit: change the inventory and generate again. Replace the SMTP placeholders in "global"\n` +
    `# (${SMTP_PLACEHOLDER.smarthost}) with the data center's mail relay.\n` +
    stringify(alertmanagerConfig(inv), { lineWidth: 0 })
  );
}

export function alertmanagerFiles(inv: Inventory): GeneratedFile[] {
  return [{ path: ALERTMANAGER_FILE, content: alertmanagerYaml(inv) }];
}
