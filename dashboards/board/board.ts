// The board's core: one catalog from the inventory, one data source (embedded or Prometheus),
// the sign-off log, the "since" tracker; it refreshes on a timer, keeps the last evaluation and
// its overview ready to serve, and tells listeners (the page's event stream) when it changes.
import type { Inventory } from '../../inventory/index.ts';
import { buildCatalog, type Catalog, type CatalogUnit } from './catalog.ts';
import { findIncidents, pointAtIncidents, type IncidentView } from './incidents.ts';
import { AckBody, MaintenanceBody, readBody, refusalVi, SignoffBody, windowProblem } from './requests.ts';
import { EmbeddedSource, type StatusFetcher } from './embedded.ts';
import type { EvalContext } from './evaluate.ts';
import { join } from 'node:path';
import { ChangeFile, CHANGES_FILE } from './changes.ts';
import { lockDataDir, type DataDirLock } from './data-lock.ts';
import { SinceTracker } from './history.ts';
import { allWindows, MaintenanceIndex } from './maintenance.ts';
import { PeerSync } from './peer.ts';
import { PrometheusSource } from './prometheus.ts';
import { PushReceiver, type PushReceiverOptions } from './push.ts';
import type { BoardSource, HostFactsOfSite } from './source.ts';
import { createSilence, expireSilence } from './silences.ts';
import { INCIDENT_ALERT } from '../alertmanager.ts';
import { STATES, type State } from '../states.ts';
import {
  BoardLog,
  newEntryId,
  type AckClearEntry,
  type AckEntry,
  type LogEntry,
  type MaintenanceEntry,
  type SignoffEntry,
} from './store.ts';
import type { TokenBook } from './tokens.ts';
import type { Evaluation, UnitSummary, UnitView } from './types.ts';

export interface BoardCoreOptions {
  inventory: Inventory;
  dataDir: string;
  tokens: TokenBook;
  prometheus?: string;
  alertmanager?: string;
  peer?: string;
  /** A token the peer board accepts, to read its log. */
  peerToken?: string;
  /** How often the data source is read (default: the agents' probe interval). */
  refreshMs?: number;
  /** How often the peer is pulled (default 3 s). */
  peerEveryMs?: number;
  datacenter: string;
  version: string;
  /** Names this board in the entries it accepts. */
  origin: string;
  warn?: (msg: string) => void;
  /** Tests: the board's clock as the data source compares it with Prometheus'. */
  clock?: () => number;
  /** Tests and the bench: replaces the HTTP fetch of the agents' /status. */
  fetcher?: StatusFetcher;
  /** Receives what agents push over links the data center cannot reach (dashboards/board/push.ts); without, pushes are refused. */
  push?: PushReceiverOptions;
}

/** An acknowledgement's silence lasts until recovery, when the board ends it; at most this long. */
export const ACK_LONGEST_MS = 24 * 3600_000;

export class InputRejected extends Error {
  constructor(
    message: string,
    readonly status = 400,
    /** The same in Vietnamese, for the page (names, not ids). */
    readonly vi?: string,
  ) {
    super(message);
  }
}

export class BoardCore {
  readonly catalog: Catalog;
  readonly tracker = new SinceTracker();
  readonly refreshMs: number;
  private readonly source: BoardSource;
  /** The receiver of agents' pushes, when the board has the province's push secret. */
  readonly push: PushReceiver | null;
  private readonly peerSync: PeerSync | null;
  private evaluation: Evaluation;
  private incidentList: IncidentView[] = [];
  private summaries = '[]';
  private unitsJson = '[]';
  private overviewCache: string | null = null;
  version = 0;
  private readonly listeners = new Set<(version: number) => void>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly warn: (msg: string) => void;
  readonly startedAt = new Date().toISOString();
  lastRefreshMs = 0;

  private constructor(
    readonly opts: BoardCoreOptions,
    readonly log: BoardLog,
    private readonly changeFile: ChangeFile,
    private readonly lock: DataDirLock,
  ) {
    this.warn = opts.warn ?? ((m) => process.stderr.write(`${m}\n`));
    this.tracker.restore(changeFile.loaded);
    this.tracker.onChange = (c) => changeFile.add(c);
    this.catalog = buildCatalog(opts.inventory);
    // After a restart, units are UNKNOWN until their items have held for their `for`: not a change.
    let longestFor = 0;
    for (const cu of this.catalog.units) for (const i of cu.items.values()) longestFor = Math.max(longestFor, i.forSeconds);
    this.tracker.warmUntilMs = Date.now() + (longestFor + 2 * this.catalog.freshnessSeconds) * 1000;
    this.refreshMs = opts.refreshMs ?? this.catalog.intervalSeconds * 1000;
    this.push = opts.push ? new PushReceiver(this.catalog, opts.push) : null;
    const timeoutMs = Math.max(500, Math.min(5000, Math.floor(this.refreshMs * 0.8)));
    if (opts.prometheus) this.source = new PrometheusSource(this.catalog, opts.prometheus, timeoutMs, opts.clock);
    else {
      const ba = opts.inventory.agent.basicAuth;
      const password = process.env.SANSANG_AGENT_PASSWORD;
      if (ba && !password) this.warn('the agents require basic auth: set SANSANG_AGENT_PASSWORD for the board to read their /status');
      this.source = new EmbeddedSource(this.catalog, {
        timeoutMs,
        ...(ba && password ? { basicAuth: `${ba.username}:${password}` } : {}),
        ...(opts.fetcher ? { fetcher: opts.fetcher } : {}),
        pushed: (site, link) => this.push?.status(site, link),
      });
    }
    this.peerSync = opts.peer ? new PeerSync(opts.peer, log, opts.peerEveryMs ?? 3000, this.warn, opts.peerToken) : null;
    this.evaluation = this.withIncidents(this.source.evaluate(this.context(Date.now())));
    this.publish();
    log.onChange(() => this.reevaluate());
  }

  static async create(opts: BoardCoreOptions): Promise<BoardCore> {
    // The data dir is this board's alone before anything in it is read or cut.
    const lock = await lockDataDir(opts.dataDir);
    try {
      const log = await BoardLog.open(opts.dataDir, opts.warn);
      const changes = await ChangeFile.open(join(opts.dataDir, CHANGES_FILE), opts.warn ?? ((m) => process.stderr.write(`${m}\n`)));
      return new BoardCore(opts, log, changes, lock);
    } catch (e) {
      await lock.release();
      throw e;
    }
  }

  get mode(): BoardSource['mode'] {
    return this.source.mode;
  }

  get prometheusQueriesSent(): number {
    return this.source.queriesSent;
  }

  maintenanceAt(nowMs: number): MaintenanceIndex {
    return new MaintenanceIndex(allWindows(this.opts.inventory, this.log.maintenance()), nowMs);
  }

  private context(nowMs: number): EvalContext {
    return {
      nowMs,
      catalog: this.catalog,
      maintenance: this.maintenanceAt(nowMs),
      signoff: (u, c) => this.log.signoff(u, c),
      tracker: this.tracker,
    };
  }

  /** Starts the refresh loop and the peer sync; resolves after the first refresh. */
  async start(): Promise<void> {
    this.peerSync?.start();
    await this.refresh();
    const loop = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.running = this.refresh().finally(() => {
          this.running = null;
          loop();
        });
      }, this.refreshMs);
    };
    loop();
  }

  /** Reads the data source once and evaluates. */
  async refresh(): Promise<void> {
    const t0 = Date.now();
    await this.source.poll();
    this.lastRefreshMs = Date.now() - t0;
    this.reevaluate();
  }

  /** Evaluates again from what is known (after a sign-off, a window, a refresh). */
  reevaluate(): void {
    this.evaluation = this.withIncidents(this.source.evaluate(this.context(Date.now())));
    this.publish();
  }

  /** Shared-cause incidents found in an evaluation, and the affected items pointed at them. */
  private withIncidents(ev: Evaluation): Evaluation {
    this.incidentList = findIncidents(ev, this.catalog, this.opts.inventory.incidents);
    pointAtIncidents(ev, this.incidentList);
    this.attachAcks(ev);
    return ev;
  }

  /** Open acknowledgements onto the items and incidents they are about; those whose item recovered are cleared. */
  private attachAcks(ev: Evaluation): void {
    const open = this.log.openAcks();
    if (!open.length) return;
    const units = new Map(ev.units.map((u) => [u.code, u]));
    const incidents = new Map(this.incidentList.map((i) => [i.check, i]));
    const recovered: AckEntry[] = [];
    for (const a of open) {
      const view = { id: a.id, who: a.who, team: a.team, note: a.note, at: a.at };
      if (a.unit) {
        const item = units.get(a.unit)?.items.find((i) => i.check === a.check);
        if (!item) continue;
        // Recovered: GO again. UNKNOWN (a board that cannot see) is no recovery.
        if (item.state === 'go') recovered.push(a);
        else item.ack = view;
      } else {
        const inc = incidents.get(a.check);
        if (inc) inc.ack = view;
        // Over when the item is GO again at all but fewer units than an incident needs (a unit
        // still failing alone alerts on its own); UNKNOWN is not recovery, so a moment's gap in
        // the data does not end it.
        else if (!ev.problems.length) {
          const notGo = ev.units.filter((u) => u.items.some((i) => i.check === a.check && (i.state === 'nogo' || i.state === 'unknown')));
          if (notGo.length < this.opts.inventory.incidents.minUnits) recovered.push(a);
        }
      }
    }
    if (recovered.length) void this.clearAcks(recovered);
  }

  private clearing = new Set<string>();

  /** Ends acknowledgements whose item recovered: an entry in the log, the silence expired. */
  private async clearAcks(acks: AckEntry[]): Promise<void> {
    const todo = acks.filter((a) => !this.clearing.has(a.id));
    if (!todo.length) return;
    for (const a of todo) this.clearing.add(a.id);
    try {
      const at = new Date().toISOString();
      await this.log.append(
        todo.map((a): AckClearEntry => ({
          id: newEntryId(),
          type: 'ack-clear',
          ack: a.id,
          reason: 'recovered',
          at,
          origin: this.opts.origin,
        })),
      );
      if (this.opts.alertmanager)
        for (const a of todo)
          if (a.silence)
            await expireSilence(this.opts.alertmanager, a.silence).catch((e: Error) =>
              this.warn(`acknowledgement ${a.id}: the silence ${a.silence} could not be expired: ${e.message}`),
            );
    } catch (e) {
      this.warn(`acknowledgements: could not record their end: ${(e as Error).message}`);
    } finally {
      for (const a of todo) this.clearing.delete(a.id);
    }
  }

  /**
   * "I'm on it": a team member acknowledges a unit's failing item, or (without `unit`) a shared
   * incident. Written to the log; with --alertmanager, a silence of the item's alerts (a unit's,
   * or the incident's) stops repeats and escalation until the item recovers, when the board ends it.
   */
  async acknowledge(team: string, raw: unknown): Promise<{ entry: AckEntry; silence?: string; silenceError?: string }> {
    const b = readBody(AckBody, raw);
    if (!b.ok) throw new InputRejected(b.error, 400, refusalVi(b.error));
    const body = b.value;
    let matchers: Record<string, string>;
    if (body.unit) {
      const cu = this.unitFor(team, body.unit);
      const item = this.unit(cu.unit.code)?.items.find((i) => i.check === body.check);
      if (!item)
        throw new InputRejected(
          `"${body.check}" is not an item of unit ${cu.unit.code}`,
          400,
          `"${body.check}" không phải hạng mục của ${cu.unit.name}`,
        );
      if (item.state === 'go' || item.state === 'maintenance')
        throw new InputRejected(
          `"${body.check}" of unit ${cu.unit.code} is ${item.state === 'go' ? 'GO' : 'in maintenance'}: nothing to acknowledge`,
          409,
          `${this.itemTitle(body.check)} của ${cu.unit.name} ${item.state === 'go' ? 'đã ĐẠT' : 'đang BẢO TRÌ'}: không có gì để nhận xử lý`,
        );
      matchers = { unit: cu.unit.code };
    } else {
      const inc = this.incidentList.find((i) => i.check === body.check);
      if (!inc)
        throw new InputRejected(
          `there is no shared incident of "${body.check}" now`,
          409,
          `Hiện không có sự cố chung nào về ${this.itemTitle(body.check)}`,
        );
      const t = this.opts.inventory.teams.find((x) => x.id === team);
      if (!t || !(t.units.includes('*') || inc.units.some((u) => t.units.includes(u))))
        throw new InputRejected(
          `team "${t?.name ?? team}" covers none of the units of this incident`,
          403,
          `Tổ "${t?.name ?? team}" không phụ trách đơn vị nào của sự cố này`,
        );
      matchers = { alertname: INCIDENT_ALERT, check: inc.check };
    }
    const now = Date.now();
    const entry: AckEntry = {
      id: newEntryId(),
      type: 'ack',
      ...(body.unit ? { unit: body.unit } : {}),
      check: body.check,
      who: body.who,
      team,
      note: body.note,
      at: new Date(now).toISOString(),
      origin: this.opts.origin,
    };
    let silence: string | undefined;
    let silenceError: string | undefined;
    if (this.opts.alertmanager) {
      try {
        // Until recovery, when the board ends it; a day at most if no board is left to see it.
        silence = await createSilence(this.opts.alertmanager, {
          matchers,
          from: entry.at,
          to: new Date(now + ACK_LONGEST_MS).toISOString(),
          createdBy: `${body.who} (${team}, sansang board)`,
          comment: `Nhận xử lý / acknowledged: ${body.note || body.check}`,
        });
        entry.silence = silence;
      } catch (e) {
        silenceError = (e as Error).message.slice(0, 500);
        entry.silenceError = silenceError;
        this.warn(`acknowledgement of ${body.unit ?? 'the incident'} ${body.check}: ${silenceError}`);
      }
    }
    await this.log.append([entry]);
    return { entry, ...(silence ? { silence } : {}), ...(silenceError ? { silenceError } : {}) };
  }

  /** The incidents of the last evaluation. */
  get incidents(): readonly IncidentView[] {
    return this.incidentList;
  }

  private publish(): void {
    this.unitsJson = JSON.stringify(this.evaluation.units.map(summarise));
    // A change of incidents or problems is news for the page as much as a unit's.
    const summaries = `${this.unitsJson}${JSON.stringify(this.incidentList)}${JSON.stringify(this.evaluation.problems)}`;
    this.overviewCache = null;
    if (summaries !== this.summaries || this.version === 0) {
      this.summaries = summaries;
      this.version++;
      for (const l of this.listeners) l(this.version);
    }
  }

  onChange(l: (version: number) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get current(): Evaluation {
    return this.evaluation;
  }

  unit(code: string): UnitView | undefined {
    return this.evaluation.units.find((u) => u.code === code);
  }

  counts(): Record<State, number> {
    const c = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<State, number>;
    for (const u of this.evaluation.units) c[u.state]++;
    return c;
  }

  /** The overview the page lists, as JSON text (built once per evaluation). */
  overviewJson(): string {
    if (this.overviewCache) return this.overviewCache;
    const head = {
      at: this.evaluation.at,
      version: this.version,
      mode: this.mode,
      province: {
        code: this.opts.inventory.province.code,
        name: this.opts.inventory.province.name,
        timezone: this.opts.inventory.province.timezone,
        effectiveDate: this.opts.inventory.province.effectiveDate,
        watch: this.opts.inventory.province.watch,
      },
      // The wall groups units by response team (province-wide teams left out: they cover everything).
      watchTeams: this.opts.inventory.teams.filter((t) => !t.units.includes('*')).map((t) => ({ id: t.id, name: t.name, units: t.units })),
      datacenter: this.opts.datacenter,
      refreshSeconds: this.refreshMs / 1000,
      problems: this.evaluation.problems,
      incidents: this.incidentList,
      counts: this.counts(),
      peer: this.peerSync?.status ?? null,
      teams: this.opts.tokens.teams(),
    };
    this.overviewCache = `${JSON.stringify(head).slice(0, -1)},"units":${this.unitsJson}}`;
    return this.overviewCache;
  }

  /** Checklist items' titles and kinds, for the page. */
  checklistCatalog(): Record<
    string,
    {
      title: { vi: string; en: string };
      owner: { vi: string; en: string };
      kind: string;
      blocking: boolean;
      howToFix?: { vi: string; en: string };
    }
  > {
    const out: ReturnType<BoardCore['checklistCatalog']> = {};
    for (const cu of this.catalog.units)
      for (const [id, i] of cu.items)
        if (!out[id])
          out[id] = { title: i.title, owner: i.owner, kind: i.kind, blocking: i.blocking, ...(i.howToFix ? { howToFix: i.howToFix } : {}) };
    return out;
  }

  private itemTitle(id: string): string {
    for (const cu of this.catalog.units) {
      const i = cu.items.get(id);
      if (i) return i.title.vi;
    }
    return id;
  }

  /** The unit a team may act for, or a refusal: 404 unknown unit, 403 a unit the team does not cover. */
  private unitFor(team: string, code: string): CatalogUnit {
    const cu = this.catalog.byCode.get(code);
    if (!cu) throw new InputRejected(`unknown unit ${code}`, 404, `Không có đơn vị mã ${code}`);
    const t = this.opts.inventory.teams.find((x) => x.id === team);
    if (!t)
      throw new InputRejected(
        `team "${team}" is not one of the inventory's teams: it acts for no unit`,
        403,
        `"${team}" không phải tổ nào trong danh mục: không được thao tác cho đơn vị nào`,
      );
    if (!t.units.includes('*') && !t.units.includes(code)) {
      const who = this.opts.inventory.teams.filter((x) => x.units.includes('*') || x.units.includes(code)).map((x) => x.name);
      throw new InputRejected(
        `team "${t.name}" does not cover unit ${code} (${cu.unit.name})${who.length ? `; it is covered by: ${who.join(', ')}` : ''}`,
        403,
        `Tổ "${t.name}" không phụ trách ${cu.unit.name}${who.length ? `; đơn vị do ${who.join(', ')} phụ trách` : ''}`,
      );
    }
    return cu;
  }

  /**
   * The time of a new entry: now, or just after the latest entry already known for the same unit
   * and item if that one is dated later (a peer whose clock runs ahead): what a person does here
   * always takes effect.
   */
  private stamp(unit: string, check: string): string {
    const latest = this.log.signoff(unit, check);
    return new Date(Math.max(Date.now(), latest ? Date.parse(latest.at) + 1 : 0)).toISOString();
  }

  async signoff(team: string, raw: unknown): Promise<SignoffEntry> {
    const b = readBody(SignoffBody, raw);
    if (!b.ok) throw new InputRejected(b.error, 400, refusalVi(b.error));
    const body = b.value;
    const cu = this.unitFor(team, body.unit);
    if (!cu.manualIds.includes(body.check))
      throw new InputRejected(
        `"${body.check}" is not a manual item of unit ${cu.unit.code}`,
        400,
        `"${body.check}" không phải hạng mục xác nhận thủ công của ${cu.unit.name}`,
      );
    const entry: SignoffEntry = {
      id: newEntryId(),
      type: 'signoff',
      unit: cu.unit.code,
      check: body.check,
      signed: body.signed,
      who: body.who,
      team,
      note: body.note,
      at: this.stamp(cu.unit.code, body.check),
      origin: this.opts.origin,
    };
    await this.log.append([entry]);
    return entry;
  }

  async setMaintenance(team: string, raw: unknown): Promise<{ entry: MaintenanceEntry; silence?: string; silenceError?: string }> {
    const b = readBody(MaintenanceBody, raw);
    if (!b.ok) throw new InputRejected(b.error, 400, refusalVi(b.error));
    const body = b.value;
    const cu = this.unitFor(team, body.unit);
    if (body.site && !cu.sites.some((s) => s.site.id === body.site))
      throw new InputRejected(
        `"${body.site}" is not a site of unit ${cu.unit.code}`,
        400,
        `"${body.site}" không phải một điểm của ${cu.unit.name}`,
      );
    const now = Date.now();
    const from = body.from ? Date.parse(body.from) : now;
    const to = Date.parse(body.to);
    const problem = windowProblem(from, to, now);
    if (problem) throw new InputRejected(problem, 400, refusalVi(problem));
    const { reason, who } = body;
    const entry: MaintenanceEntry = {
      id: newEntryId(),
      type: 'maintenance',
      unit: cu.unit.code,
      ...(body.site ? { site: body.site } : {}),
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      reason,
      who,
      team,
      at: new Date(now).toISOString(),
      origin: this.opts.origin,
    };
    await this.log.append([entry]);
    if (!this.opts.alertmanager) return { entry };
    try {
      const silence = await createSilence(this.opts.alertmanager, {
        unit: entry.unit,
        ...(entry.site ? { site: entry.site } : {}),
        from: entry.from,
        to: entry.to,
        createdBy: `${who} (${team}, sansang board)`,
        comment: reason,
      });
      return { entry, silence };
    } catch (e) {
      this.warn(`maintenance ${entry.id}: ${(e as Error).message}`);
      return { entry, silenceError: (e as Error).message };
    }
  }

  logSince(cursor: number): { entries: LogEntry[]; next: number } {
    return this.log.since(cursor);
  }

  /** Host facts of a unit's sites, from the data source (the last poll's, or asked of the agents now). */
  async hostFacts(code: string): Promise<HostFactsOfSite[]> {
    const cu = this.catalog.byCode.get(code);
    if (!cu) return [];
    return this.source.hostFacts(
      cu.sites.map((cs) => ({
        id: cs.site.id,
        addresses: [cs.site.links.primary, cs.site.links.backup].flatMap((l) => (l ? [l.address] : [])),
        port: cs.site.agentPort,
      })),
    );
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.peerSync?.stop();
    this.source.close();
    this.push?.close();
    this.listeners.clear();
    await this.changeFile.close();
    await this.log.close();
    await this.lock.release();
  }
}

export function summarise(u: UnitView): UnitSummary {
  return {
    code: u.code,
    name: u.name,
    kind: u.kind,
    hotSpot: u.hotSpot,
    districts: u.districts,
    state: u.state,
    since: u.since,
    failing: u.items
      .filter((i) => i.state === 'nogo' || i.state === 'unknown')
      .map((i) => ({
        check: i.check,
        state: i.state,
        since: i.since,
        sites: i.sites,
        blocking: i.blocking,
        ...(i.incident ? { incident: i.incident } : {}),
        ...(i.ack ? { ack: { who: i.ack.who, team: i.ack.team } } : {}),
      })),
    sites: u.sites.length,
  };
}
