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

export const LogEntry = z.discriminatedUnion('type', [SignoffEntry, MaintenanceEntry]);
export type SignoffEntry = z.infer<typeof SignoffEntry>;
export type MaintenanceEntry = z.infer<typeof MaintenanceEntry>;
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

export class BoardLog {
  private readonly list: LogEntry[] = [];
  private readonly ids = new Set<string>();
  private readonly latest = new Map<string, SignoffEntry>();
  private tail: Promise<unknown> = Promise.resolve();
  private listeners: (() => void)[] = [];

  private constructor(
    readonly file: string,
    private fh: FileHandle | null,
  ) {}

  /** Opens (or creates) the log in `dir`, reading what is there. */
  static async open(dir: string, warn: (msg: string) => void = (m) => process.stderr.write(`${m}\n`)): Promise<BoardLog> {
    await mkdir(dir, { recursive: true });
    const file = join(dir, LOG_FILE);
    let text = '';
    let existed = true;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      existed = false;
    }
    const log = new BoardLog(file, null);
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) {
      // Never acknowledged (the answer waits for the fsync of the whole line): drop it, and cut
      // it off so the next entry does not glue onto it.
      warn(`${file}: skipping a torn last line (${text.length - end} bytes) left by an interrupted write`);
      await truncate(file, Buffer.byteLength(text.slice(0, end)));
    }
    const lines = text.slice(0, end).split('\n');
    lines.forEach((line, n) => {
      if (!line.trim()) return;
      let data: unknown;
      try {
        data = JSON.parse(line);
      } catch {
        warn(`${file}:${n + 1}: skipping a line that is not JSON`);
        return;
      }
      const r = LogEntry.safeParse(data);
      if (!r.success) {
        warn(`${file}:${n + 1}: skipping an entry that does not conform: ${r.error.issues[0]?.message ?? ''}`);
        return;
      }
      log.remember(r.data);
    });
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
   * only once they are on disk. Returns the entries that were new.
   */
  append(entries: readonly LogEntry[]): Promise<LogEntry[]> {
    const run = async (): Promise<LogEntry[]> => {
      if (!this.fh) throw new Error('the sign-off log is closed');
      const seen = new Set<string>();
      const fresh = entries.filter((e) => !this.ids.has(e.id) && !seen.has(e.id) && !!seen.add(e.id));
      if (fresh.length === 0) return [];
      await this.fh.write(fresh.map((e) => `${JSON.stringify(e)}\n`).join(''));
      await this.fh.sync();
      for (const e of fresh) this.remember(e);
      for (const l of this.listeners) l();
      return fresh;
    };
    const p = this.tail.then(run, run);
    this.tail = p.catch(() => undefined);
    return p;
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
