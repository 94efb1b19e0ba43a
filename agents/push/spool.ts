// A push queue's backlog on disk: one file per push (an uncompressed WriteRequest), oldest
// first, so what waited while the data center could not be reached is sent in the order it was
// measured (Prometheus refuses a series' samples out of order) and survives a restart of the
// agent or the PC. Bounded: beyond `maxBytes` the oldest files go, and their samples are counted
// as dropped. A file's name holds its sequence number and its sample count.
import { mkdir, readFile, readdir, rm, stat, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

interface Entry {
  name: string;
  bytes: number;
  samples: number;
}

const NAME = /^(\d{12})-(\d+)\.rw$/;

export class Spool {
  private entries: Entry[] = [];
  private seq = 0;
  bytes = 0;
  dropped = 0;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  /** Reads what an earlier run left (its files, in order); removes half-written ones. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const names = (await readdir(this.dir)).sort();
    for (const name of names) {
      const m = NAME.exec(name);
      if (!m) {
        if (name.endsWith('.tmp')) await rm(join(this.dir, name), { force: true });
        continue;
      }
      const bytes = (await stat(join(this.dir, name))).size;
      this.entries.push({ name, bytes, samples: Number(m[2]) });
      this.bytes += bytes;
      this.seq = Math.max(this.seq, Number(m[1]) + 1);
    }
  }

  get length(): number {
    return this.entries.length;
  }

  get samples(): number {
    return this.entries.reduce((n, e) => n + e.samples, 0);
  }

  /** Adds a push at the end (written whole, then renamed), dropping the oldest beyond the bound. */
  async append(body: Buffer, samples: number): Promise<void> {
    const name = `${String(this.seq++).padStart(12, '0')}-${samples}.rw`;
    const tmp = join(this.dir, `${name}.tmp`);
    await writeFile(tmp, body, { mode: 0o600 });
    await rename(tmp, join(this.dir, name));
    this.entries.push({ name, bytes: body.length, samples });
    this.bytes += body.length;
    while (this.bytes > this.maxBytes && this.entries.length > 1) {
      const old = this.entries.shift()!;
      this.bytes -= old.bytes;
      this.dropped += old.samples;
      await rm(join(this.dir, old.name), { force: true });
    }
  }

  /**
   * The oldest pushes, up to `maxBytes` together (at least one), as one WriteRequest body. A file
   * that is gone (the folder cleaned by hand) is dropped and counted; one that cannot be read
   * (out of file handles, a failing disk) throws and stays queued: a body missing a file would
   * be sent, accepted and shifted, and the file's samples lost without a count.
   */
  async head(maxBytes: number): Promise<{ count: number; samples: number; body: Buffer } | null> {
    for (;;) {
      if (!this.entries.length) return null;
      const take: Entry[] = [];
      let size = 0;
      for (const e of this.entries) {
        if (take.length && size + e.bytes > maxBytes) break;
        take.push(e);
        size += e.bytes;
      }
      const parts: Buffer[] = [];
      let gone: Entry | null = null;
      // One file at a time: a backlog of thousands of files must not hold thousands of handles.
      for (const e of take) {
        try {
          parts.push(await readFile(join(this.dir, e.name)));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
            throw new Error(`the queued push ${join(this.dir, e.name)} cannot be read: ${(err as Error).message}`);
          gone = e;
          break;
        }
      }
      if (!gone) return { count: take.length, samples: take.reduce((n, e) => n + e.samples, 0), body: Buffer.concat(parts) };
      this.entries.splice(this.entries.indexOf(gone), 1);
      this.bytes -= gone.bytes;
      this.dropped += gone.samples;
    }
  }

  /** Removes the `count` oldest pushes (sent, or refused for good: then counted as dropped). */
  async shift(count: number, dropped = false): Promise<void> {
    const gone = this.entries.splice(0, count);
    // The figures first, all at once: whoever reads them while the files go sees them whole.
    for (const e of gone) {
      this.bytes -= e.bytes;
      if (dropped) this.dropped += e.samples;
    }
    for (const e of gone) await rm(join(this.dir, e.name), { force: true });
  }
}
