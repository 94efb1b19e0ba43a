// The units' state changes, saved for the shift report so a restart of the board mid-shift does
// not lose "what changed during the shift". Not the sign-off log: a lost last line here costs a
// line of history, so lines are appended without waiting for the disk. Kept for 14 days.
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import type { Change } from './history.ts';
import { STATES } from '../states.ts';

export const CHANGES_FILE = 'unit-changes.jsonl';
const KEEP_MS = 14 * 24 * 3600 * 1000;

const isChange = (c: unknown): c is Change => {
  const x = c as Change;
  return (
    !!x &&
    typeof x.at === 'string' &&
    !Number.isNaN(Date.parse(x.at)) &&
    typeof x.unit === 'string' &&
    STATES.includes(x.to) &&
    (x.from === null || STATES.includes(x.from)) &&
    (x.why === undefined || (Array.isArray(x.why) && x.why.every((w) => typeof w?.check === 'string' && STATES.includes(w.state))))
  );
};

export class ChangeFile {
  private pending: Change[] = [];
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly file: string,
    readonly loaded: Change[],
    private readonly warn: (m: string) => void,
  ) {}

  static async open(file: string, warn: (m: string) => void): Promise<ChangeFile> {
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const cutoff = Date.now() - KEEP_MS;
    const loaded: Change[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const c: unknown = JSON.parse(line);
        if (isChange(c) && Date.parse(c.at) >= cutoff) loaded.push(c);
      } catch {
        // a torn line from a crash: that one change is lost, nothing else
      }
    }
    // Rewrite without what is too old or torn, so the file does not grow for ever.
    if (loaded.length || text) await writeFile(file, loaded.map((c) => `${JSON.stringify(c)}\n`).join(''));
    return new ChangeFile(file, loaded, warn);
  }

  add(c: Change): void {
    this.pending.push(c);
    this.timer ??= setTimeout(() => void this.flush(), 200);
  }

  private flush(): Promise<void> {
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    if (!batch.length) return this.writing;
    this.writing = this.writing.then(() =>
      appendFile(this.file, batch.map((c) => `${JSON.stringify(c)}\n`).join('')).catch((e: Error) =>
        this.warn(`${this.file}: ${e.message}`),
      ),
    );
    return this.writing;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.flush();
  }
}
