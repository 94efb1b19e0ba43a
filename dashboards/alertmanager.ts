// alertmanager.yml from the inventory: one receiver per watch team (e-mail, Telegram, webhooks;
// and a paging twin for hot spots during the watch), a shared-cause incident once per team and
// item, escalation twins to the team each team escalates to, inhibitions so a dead WAN link or a
// central outage does not also page for every site behind it, and each maintenance window muting
// only its own unit.
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import {
  commentText,
  durationSeconds,
  InputError,
  siteChecks,
  type GeneratedFile,
  type Inventory,
  type MaintenanceWindow,
  type Team,
} from '../inventory/index.ts';
import { ESCALATED_LABEL } from './rules/alerts.ts';
import { unitRegex } from './rules/classes.ts';

export const ALERTMANAGER_FILE = 'alertmanager/alertmanager.yml';

interface Route {
  receiver?: string;
  matchers?: string[];
  group_by?: string[];
  continue?: boolean;
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  mute_time_intervals?: string[];
  active_time_intervals?: string[];
  routes?: Route[];
}

interface TimeRange {
  times?: { start_time: string; end_time: string }[];
  days_of_month: string[];
  months: string[];
  years: string[];
  location: string;
}

/** How the file is written for a given Alertmanager. */
export interface AlertmanagerOptions {
  /**
   * The Alertmanager version that reads the file (default: the stacks' image, 0.28). Telegram's
   * `bot_token_file` exists from 0.26 on; for an older one (Debian 12 ships 0.25) the token is
   * read from `notify.telegram.botTokenFile` now and written into the file itself.
   */
  version?: string;
  /** Reads a secret file (for the older Alertmanager); default: the file system. */
  readSecret?: (file: string) => string;
}

/** The shared-cause incident alert (dashboards/rules/alerts.ts): grouped and routed per item. */
export const INCIDENT_ALERT = 'SansangSharedOutage';
const WATCH_INTERVAL = 'watch';
const NOT_ESCALATED = `${ESCALATED_LABEL}!="true"`;
const ESCALATED = `${ESCALATED_LABEL}="true"`;

export const receiverName = (team: Team, hot: boolean) => `team-${team.id}${hot ? '-hotspot' : ''}`;

/** `a < b` for versions such as 0.25.0. */
export function olderThan(version: string, than: string): boolean {
  const a = version.replace(/^v/, '').split('.').map(Number);
  const b = than.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

function receiverConfig(inv: Inventory, team: Team, hot: boolean, opts: AlertmanagerOptions) {
  const tg = inv.notify.telegram;
  const inlineToken = !!tg && opts.version !== undefined && olderThan(opts.version, '0.26');
  const token = () => {
    const read = opts.readSecret ?? ((f: string) => readFileSync(f, 'utf8'));
    try {
      return read(tg!.botTokenFile).trim();
    } catch (e) {
      throw new InputError(
        `notify.telegram.botTokenFile ${tg!.botTokenFile}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); Alertmanager ${opts.version} has no bot_token_file, so the token is written into alertmanager.yml`,
      );
    }
  };
  return {
    name: receiverName(team, hot),
    ...(team.email.length ? { email_configs: team.email.map((to) => ({ to, send_resolved: true })) } : {}),
    ...(team.webhook.length ? { webhook_configs: team.webhook.map((url) => ({ url, send_resolved: true })) } : {}),
    ...(team.telegram.length && tg
      ? {
          telegram_configs: team.telegram.map((chat_id) => ({
            ...(inlineToken ? { bot_token: token() } : { bot_token_file: tg.botTokenFile }),
            api_url: tg.apiUrl,
            chat_id,
            parse_mode: 'HTML',
            send_resolved: true,
          })),
        }
      : {}),
  };
}

function teamUnits(inv: Inventory, team: Team): string[] {
  return team.units.includes('*') ? inv.units.map((u) => u.code) : team.units.filter((c): c is string => c !== '*');
}

/** The site items of the units a team covers: the incidents it hears of. */
function teamChecks(inv: Inventory, team: Team): string[] {
  const codes = new Set(teamUnits(inv, team));
  const ids = new Set<string>();
  for (const u of inv.units) if (codes.has(u.code)) for (const s of u.sites) for (const i of siteChecks(inv, u, s)) ids.add(i.id);
  return [...ids].sort();
}

/** The shorter of two durations. */
function shorter(a: string, b: string): string {
  return durationSeconds(a) <= durationSeconds(b) ? a : b;
}

/**
 * The teams' leaf routes for unit alerts, all `continue: true` so every team covering a unit hears
 * of it: hot spots through the team's hot-spot receiver while the watch runs (and its normal one
 * outside it: one stream at any time), the other units through the normal receiver, and the
 * escalation twins to the team each escalates to. `only` restricts them to one unit
 * (maintenance subtrees).
 */
function teamRoutes(inv: Inventory, teams: Team[], only?: string): Route[] {
  const hotCodes = new Set(inv.units.filter((u) => u.hotSpot).map((u) => u.code));
  const n = inv.notify;
  const hotTiming = {
    group_wait: shorter(n.groupWait, '10s'),
    group_interval: shorter(n.groupInterval, '1m'),
    repeat_interval: n.hotSpotRepeatInterval,
  };
  const plainAlerts = [`alertname!="${INCIDENT_ALERT}"`, NOT_ESCALATED];
  const hot: Route[] = [];
  const normal: Route[] = [];
  for (const team of teams) {
    const all = team.units.includes('*');
    const codes = teamUnits(inv, team).filter((c) => !only || c === only);
    const hotUnits = codes.filter((c) => hotCodes.has(c));
    const plain = codes.filter((c) => !hotCodes.has(c));
    if (hotUnits.length) {
      const m = `unit=~"${unitRegex(hotUnits)}"`;
      hot.push({
        receiver: receiverName(team, true),
        matchers: [m, ...plainAlerts],
        ...hotTiming,
        active_time_intervals: [WATCH_INTERVAL],
        continue: true,
      });
      normal.push({
        receiver: receiverName(team, false),
        matchers: [m, ...plainAlerts],
        mute_time_intervals: [WATCH_INTERVAL],
        continue: true,
      });
    }
    if (all && !only) {
      // The whole province: also every alert without a unit (anchors, certificates, boards).
      normal.push({
        receiver: receiverName(team, false),
        matchers: [...(hotCodes.size ? [`unit!~"${unitRegex([...hotCodes])}"`] : []), ...plainAlerts],
        continue: true,
      });
    } else if (plain.length) {
      normal.push({ receiver: receiverName(team, false), matchers: [`unit=~"${unitRegex(plain)}"`, ...plainAlerts], continue: true });
    }
  }
  return [...hot, ...normal, ...escalationRoutes(inv, teams, only)];
}

/** Escalation twins (label escalated="true") go to the team each team escalates to, once per target. */
function escalationRoutes(inv: Inventory, teams: Team[], only?: string): Route[] {
  const out: Route[] = [];
  const targets = new Map<string, Team[]>();
  for (const t of teams) if (t.escalateTo) targets.set(t.escalateTo, [...(targets.get(t.escalateTo) ?? []), t]);
  for (const [id, from] of targets) {
    const target = inv.teams.find((t) => t.id === id);
    if (!target) continue;
    const receiver = receiverName(target, false);
    const everything = !only && from.some((t) => t.units.includes('*'));
    const codes = [...new Set(from.flatMap((t) => teamUnits(inv, t)))].filter((c) => !only || c === only);
    if (everything) out.push({ receiver, matchers: [ESCALATED, `alertname!="${INCIDENT_ALERT}"`], continue: true });
    else if (codes.length) out.push({ receiver, matchers: [ESCALATED, `unit=~"${unitRegex(codes)}"`], continue: true });
  }
  return out;
}

/**
 * Incidents (one alert per item, no unit): to every team whose units have the item, once per
 * item (grouped by alert and item), and their escalation twins once to each team escalated to.
 */
function incidentRoutes(inv: Inventory): Route[] {
  const group_by = ['alertname', 'check'];
  const out: Route[] = [];
  for (const team of inv.teams) {
    const checks = teamChecks(inv, team);
    if (!checks.length) continue;
    out.push({
      receiver: receiverName(team, false),
      matchers: [`alertname="${INCIDENT_ALERT}"`, NOT_ESCALATED, `check=~"${checks.join('|')}"`],
      group_by,
      continue: true,
    });
  }
  for (const id of new Set(inv.teams.flatMap((t) => (t.escalateTo ? [t.escalateTo] : [])))) {
    const target = inv.teams.find((t) => t.id === id);
    if (target)
      out.push({ receiver: receiverName(target, false), matchers: [`alertname="${INCIDENT_ALERT}"`, ESCALATED], group_by, continue: true });
  }
  return out;
}

/** Whole days from one date to another (inclusive) in the province's time zone: one range per month. */
export function dayRanges(from: string, to: string, timeZone: string): TimeRange[] {
  const out: TimeRange[] = [];
  const [fy, fm, fd] = from.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = to.split('-').map(Number) as [number, number, number];
  for (let y = fy, m = fm; y < ty || (y === ty && m <= tm); m === 12 ? ((m = 1), y++) : m++) {
    const first = y === fy && m === fm ? fd : 1;
    const last = y === ty && m === tm ? td : new Date(Date.UTC(y, m, 0)).getUTCDate();
    out.push({
      days_of_month: [first === last ? String(first) : `${first}:${last}`],
      months: [String(m)],
      years: [String(y)],
      location: timeZone,
    });
  }
  return out;
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

export function alertmanagerConfig(inv: Inventory, opts: AlertmanagerOptions = {}) {
  const teams = inv.teams;
  const hotCodes = new Set(inv.units.filter((u) => u.hotSpot).map((u) => u.code));
  const receivers = teams.flatMap((t) => {
    const covered = teamUnits(inv, t);
    return [receiverConfig(inv, t, false, opts), ...(covered.some((c) => hotCodes.has(c)) ? [receiverConfig(inv, t, true, opts)] : [])];
  });
  const star = teams.find((t) => t.units.includes('*')) ?? teams[0];
  const fallback = star ? receiverName(star, false) : 'sansang-nobody';
  if (!star) receivers.push({ name: fallback });

  // The watch: hot-spot routes run on its dates (and their normal twins are muted then).
  const timeIntervals: { name: string; time_intervals: TimeRange[] }[] = [
    { name: WATCH_INTERVAL, time_intervals: dayRanges(inv.province.watch.from, inv.province.watch.to, inv.province.timezone) },
  ];
  // Maintenance: one subtree per unit (and site) with windows, its leaves muted in the windows.
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
    const leaves = teamRoutes(inv, teams, unit).map((r) => ({ ...r, mute_time_intervals: [...(r.mute_time_intervals ?? []), name] }));
    if (!leaves.length) continue;
    maintenanceRoutes.push({
      receiver: fallback,
      matchers: [`unit="${unit}"`, ...(site ? [`site="${site}"`] : [])],
      routes: leaves,
    });
  }
  const smtp = inv.notify.smtp;

  return {
    global: {
      ...(smtp
        ? {
            smtp_smarthost: smtp.smarthost,
            smtp_from: smtp.from,
            ...(smtp.username ? { smtp_auth_username: smtp.username } : {}),
            ...(smtp.passwordFile ? { smtp_auth_password_file: smtp.passwordFile } : {}),
            smtp_require_tls: smtp.requireTls,
          }
        : {}),
      resolve_timeout: '5m',
    },
    route: {
      receiver: fallback,
      group_by: ['alertname', 'unit', 'site'],
      group_wait: inv.notify.groupWait,
      group_interval: inv.notify.groupInterval,
      repeat_interval: inv.notify.repeatInterval,
      routes: [...maintenanceRoutes, ...incidentRoutes(inv), ...teamRoutes(inv, teams)],
    },
    inhibit_rules: [
      {
        // One item failing at many units is one incident: its per-site alerts are folded into it.
        source_matchers: [`alertname="${INCIDENT_ALERT}"`],
        target_matchers: ['alertname=~"SansangServiceUnreachable|SansangHighPacketLoss"'],
        equal: ['check'],
      },
      {
        // Agents silent at many units at once (the data center's own network, Prometheus' link):
        // one incident, not one page per site.
        source_matchers: [`alertname="${INCIDENT_ALERT}"`, 'check="agent-up"'],
        target_matchers: ['alertname="SansangSiteAgentDown"'],
        equal: [],
      },
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
    time_intervals: timeIntervals,
  };
}

export function alertmanagerYaml(inv: Inventory, opts: AlertmanagerOptions = {}): string {
  return (
    `# alertmanager.yml for ${commentText(inv.province.name)}, generated by \`sansang config alertmanager\` from the inventory.\n` +
    `# Do not edit: change the inventory and generate again. Secrets are read from the files named here.\n` +
    (inv.notify.telegram && opts.version && olderThan(opts.version, '0.26')
      ? `# Written for Alertmanager ${opts.version}: the Telegram bot token is in this file (no bot_token_file before 0.26); keep it readable by Alertmanager only.\n`
      : '') +
    stringify(alertmanagerConfig(inv, opts), { lineWidth: 0, aliasDuplicateObjects: false })
  );
}

export function alertmanagerFiles(inv: Inventory, opts: AlertmanagerOptions = {}): GeneratedFile[] {
  return [{ path: ALERTMANAGER_FILE, content: alertmanagerYaml(inv, opts) }];
}
