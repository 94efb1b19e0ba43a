// The board's sign-off log: an append-only JSON-lines file under --data-dir. Every entry has a
// unique id; an entry is written and fsync'ed before the request that made it is answered, so
// a crash loses nothing that was acknowledged. A torn last line (a crash in the middle of a
// write that was never acknowledged) is cut off with a warning on start, never fatal.
// Two boards pull each other's entries (peer.ts): the union by id is the truth, and per unit
// and item the latest entry (timestamp, then id) wins.
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

const Iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected a date and time');
const Text = (max: number) => z.string().max(max);

export const SignoffEntry = z.strictObject({
  id: z.string().min(8).max(64),
  type: z.literal('signoff'),
  unit: z.string().regex(/^\d{5}$/),
  check: z.string().min(1).max(63),
  /** false withdraws an earlier sign-off. */
  signed: z.boolean(),
  who: Text(200),
  team: Text(63),
  note: Text(2000),
  at: Iso,
  /** The board that accepted it. */
  origin: Text(200),
});

export const MaintenanceEntry = z.strictObject({
  id: z.string().min(8).max(64),
  type: z.literal('maintenance'),
  unit: z.string().regex(/^\d{5}$/),
  site: z.string().max(63).optional(),
  from: Iso,
  to: Iso,
  reason: Text(2000),
  who: Text(200),
  team: Text(63),
  at: Iso,
  origin: Text(200),
});

/**
 * "I'm on it": a team member acknowledges a unit's failing item (with `unit`) or a shared
 * incident (an item failing at many units, without `unit`). The board silences the alerts in
 * Alertmanager while it lasts; it ends by itself on recovery (an AckClearEntry).
 */
export const AckEntry = z.strictObject({
  id: z.string().min(8).max(64),
  type: z.literal('ack'),
  unit: z
    .string()
    .regex(/^\d{5}$/)
    .optional(),
  check: z.string().min(1).max(63),
  who: Text(200),
  team: Text(63),
  note: Text(2000),
  at: Iso,
  origin: Text(200),
  /** The Alertmanager silence that stops repeats and escalation, when one was made. */
  silence: Text(64).optional(),
  silenceError: Text(500).optional(),
});

/** An acknowledgement ends: the item recovered (or the incident is over). */
export const AckClearEntry = z.strictObject({
  id: z.string().min(8).max(64),
  type: z.literal('ack-clear'),
  ack: z.string().min(8).max(64),
  reason: z.enum(['recovered']),
  at: Iso,
  origin: Text(200),
});

export const LogEntry = z.discriminatedUnion('type', [SignoffEntry, MaintenanceEntry, AckEntry, AckClearEntry]);
export type SignoffEntry = z.infer<typeof SignoffEntry>;
export type MaintenanceEntry = z.infer<typeof MaintenanceEntry>;
export type AckEntry = z.infer<typeof AckEntry>;
export type AckClearEntry = z.infer<typeof AckClearEntry>;
export type LogEntry = z.infer<typeof LogEntry>;

export const LOG_FILE = 'board-log.jsonl';

export function newEntryId(): string {
  return randomUUID();
}

/** Does `a` win over `b` for the same unit and item: later timestamp, then greater id. */
export function isLater(a: { at: string; id: string }, b: { at: string; id: string }): boolean {
  const ta = Date.parse(a.at);
  const tb = Date.parse(b.at);
  if (ta !== tb) return ta > tb;
  return a.id > b.id;
}

export const signoffKey = (unit: string, check: string): string => `${unit}/${check}`;

/** The log could not take an entry (disk full, I/O error): nothing of it is kept; answer 5xx. */
export class LogWriteError extends Error {
  override name = 'LogWriteError';
  constructor(
    message: string,
    /** ENOSPC: the disk is full (HTTP 507); anything else is a 500. */
    readonly diskFull: boolean,
  ) {
    super(message);
  }
}

const NL = 0x0a;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** Every entry we write starts so (JSON.stringify keeps the schema's key order). */
const ENTRY_START = Buffer.from('{"id":"');

/**
 * The entries in one line of the log, read at the byte level: NUL bytes (a file system's zeroed
 * tail after a crash) and a byte-order mark are dropped, and when the line does not parse, each
 * place an entry starts is tried, so an entry glued onto damaged bytes is still found.
 */
function entriesOfLine(line: Buffer): { entries: LogEntry[]; junk: boolean; reason?: string } {
  let b = line.subarray(line.subarray(0, 3).equals(BOM) ? 3 : 0);
  if (b.includes(0)) b = Buffer.from(b.filter((x) => x !== 0));
  const text = b.toString('utf8').trim();
  // Blank (white space only) is no damage; a line of NULs or a lone mark is.
  if (!text) return { entries: [], junk: line.some((x) => x !== 0x20 && x !== 0x0d && x !== 0x09), reason: 'no entry' };
  const parse = (t: string): LogEntry | string => {
    let data: unknown;
    try {
      data = JSON.parse(t);
    } catch {
      return 'not JSON';
    }
    const r = LogEntry.safeParse(data);
    return r.success ? r.data : `does not conform: ${r.error.issues[0]?.message ?? ''}`;
  };
  const whole = parse(text);
  if (typeof whole !== 'string') return { entries: [whole], junk: false };
  for (let at = b.indexOf(ENTRY_START, 1); at >= 0; at = b.indexOf(ENTRY_START, at + 1)) {
    const tail = parse(b.subarray(at).toString('utf8').trim());
    if (typeof tail !== 'string') return { entries: [tail], junk: true };
  }
  return { entries: [], junk: true, reason: whole };
}

export class BoardLog {
  private readonly list: LogEntry[] = [];
  private readonly ids = new Set<string>();
  private readonly latest = new Map<string, SignoffEntry>();
  private tail: Promise<unknown> = Promise.resolve();
  private listeners: (() => void)[] = [];
  /** Bytes of the file known to hold whole entries: an append that fails is cut back to this. */
  private goodBytes = 0;
  /** A failed append whose bytes could not be cut off yet: the next append cuts them first. */
  private damaged = false;

  private constructor(
    readonly file: string,
    private fh: FileHandle | null,
  ) {}

  /**
   * Opens (or creates) the log in `dir`, reading what is there byte by byte: a torn last line
   * (never acknowledged: the answer waits for the fsync of the whole line) is cut off at its
   * first byte; damaged lines are skipped with a warning, and whole entries in them kept.
   */
  static async open(dir: string, warn: (msg: string) => void = (m) => process.stderr.write(`${m}\n`)): Promise<BoardLog> {
    await mkdir(dir, { recursive: true });
    const file = join(dir, LOG_FILE);
    let bytes = Buffer.alloc(0);
    let existed = true;
    try {
      bytes = await readFile(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      existed = false;
    }
    const log = new BoardLog(file, null);
    // The end of the last whole line: what follows was never acknowledged (NULs of a zeroed tail too).
    const end = bytes.lastIndexOf(NL) + 1;
    if (end < bytes.length) {
      warn(`${file}: cutting off a torn last line (${bytes.length - end} bytes) left by an interrupted write`);
      await truncate(file, end);
    }
    let n = 0;
    for (let from = 0; from < end;) {
      const to = bytes.indexOf(NL, from);
      const line = bytes.subarray(from, to);
      n++;
      from = to + 1;
      const r = entriesOfLine(line);
      if (r.junk)
        warn(
          `${file}:${n}: ${r.entries.length ? 'damaged bytes before an entry, kept the entry' : `skipping a damaged line (${r.reason ?? 'not an entry'})`}`,
        );
      for (const e of r.entries) log.remember(e);
    }
    log.goodBytes = end;
    log.fh = await open(file, 'a');
    if (!existed) await syncDir(dir);
    return log;
  }

  private remember(e: LogEntry): boolean {
    if (this.ids.has(e.id)) return false;
    this.ids.add(e.id);
    this.list.push(e);
    if (e.type === 'signoff') {
      const k = signoffKey(e.unit, e.check);
      const cur = this.latest.get(k);
      if (!cur || isLater(e, cur)) this.latest.set(k, e);
    }
    return true;
  }

  /**
   * Appends the entries not already in the log (by id), in one write and one fsync; resolves
   * only once they are on disk, whole. A write the file system cuts short (disk full) is cut back
   * off the file and rejects with LogWriteError: nothing of it counts, and the next entry does
   * not glue onto its bytes. Returns the entries that were new.
   */
  append(entries: readonly LogEntry[]): Promise<LogEntry[]> {
    const run = async (): Promise<LogEntry[]> => {
      const fh = this.fh;
      if (!fh) throw new Error('the sign-off log is closed');
      const seen = new Set<string>();
      const fresh = entries.filter((e) => !this.ids.has(e.id) && !seen.has(e.id) && !!seen.add(e.id));
      if (fresh.length === 0) return [];
      if (this.damaged) await this.cutBack(fh);
      const buf = Buffer.from(fresh.map((e) => `${JSON.stringify(e)}\n`).join(''));
      try {
        // A write may take fewer bytes than asked without an error: write the rest.
        for (let done = 0; done < buf.length;) {
          const { bytesWritten } = await fh.write(buf, done, buf.length - done);
          if (bytesWritten <= 0) throw Object.assign(new Error('the file system took no more bytes'), { code: 'ENOSPC' });
          done += bytesWritten;
        }
        await fh.sync();
      } catch (e) {
        this.damaged = true;
        await this.cutBack(fh).catch(() => undefined);
        const code = (e as NodeJS.ErrnoException).code;
        throw new LogWriteError(
          code === 'ENOSPC'
            ? `the disk of ${this.file} is full: the entry was not kept`
            : `cannot write ${this.file}: ${(e as Error).message}`,
          code === 'ENOSPC' || code === 'EDQUOT',
        );
      }
      this.goodBytes += buf.length;
      for (const e of fresh) this.remember(e);
      for (const l of this.listeners) l();
      return fresh;
    };
    const p = this.tail.then(run, run);
    this.tail = p.catch(() => undefined);
    return p;
  }

  /** Cuts the file back to its last whole entry (after a failed write). */
  private async cutBack(fh: FileHandle): Promise<void> {
    await fh.truncate(this.goodBytes);
    await fh.sync();
    this.damaged = false;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  get size(): number {
    return this.list.length;
  }

  entries(): readonly LogEntry[] {
    return this.list;
  }

  /** Entries from position `cursor` on (for a peer), at most `limit`, and the next cursor. */
  since(cursor: number, limit = 5000): { entries: LogEntry[]; next: number } {
    const from = Math.max(0, Math.min(Math.floor(cursor) || 0, this.list.length));
    const entries = this.list.slice(from, from + limit);
    return { entries, next: from + entries.length };
  }

  /** The winning sign-off entry of a unit's item, if any. */
  signoff(unit: string, check: string): SignoffEntry | undefined {
    return this.latest.get(signoffKey(unit, check));
  }

  isSigned(unit: string, check: string): boolean {
    return this.latest.get(signoffKey(unit, check))?.signed === true;
  }

  /** The acknowledgements still open (not cleared), latest per unit and item (or incident). */
  openAcks(): AckEntry[] {
    const cleared = new Set<string>();
    const latest = new Map<string, AckEntry>();
    for (const e of this.list) {
      if (e.type === 'ack-clear') cleared.add(e.ack);
      else if (e.type === 'ack') {
        const k = `${e.unit ?? '*'}/${e.check}`;
        const cur = latest.get(k);
        if (!cur || isLater(e, cur)) latest.set(k, e);
      }
    }
    return [...latest.values()].filter((a) => !cleared.has(a.id));
  }

  /** The cleared acknowledgements' ids, with when they were cleared. */
  clearedAcks(): Map<string, string> {
    const m = new Map<string, string>();
    for (const e of this.list) if (e.type === 'ack-clear' && !m.has(e.ack)) m.set(e.ack, e.at);
    return m;
  }

  maintenance(): MaintenanceEntry[] {
    return this.list.filter((e): e is MaintenanceEntry => e.type === 'maintenance');
  }

  async close(): Promise<void> {
    await this.tail;
    const fh = this.fh;
    this.fh = null;
    await fh?.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  // The new file's directory entry must reach the disk too, or a crash can lose the whole file.
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // Some file systems refuse fsync on a directory; the file's own fsync is what we can do.
  }
}
