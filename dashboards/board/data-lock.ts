// One board per --data-dir. Two boards appending to one sign-off log would each see only their
// own sign-offs, and the second to start would cut what it takes for a torn last line while the
// first is writing it. The lock is a file, `board.lock`, created exclusively, naming the
// process that holds it (pid, and its start time, so a reused pid is not taken for the holder).
// A lock left by a board that died (SIGKILL, power cut) is taken over; one held by a live board,
// or by a board on another host (a data dir on a shared filesystem), refuses the start with a
// message that says what to do.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../inventory/index.ts';

export const LOCK_FILE = 'board.lock';

interface LockRecord {
  pid: number;
  host: string;
  /** The process' start time in clock ticks since boot (/proc/PID/stat, field 22). */
  procStart: string;
  since: string;
  token: string;
}

/** A process' start time, or null when there is no such process. */
function procStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A board killed but not yet reaped by its parent (a zombie, state Z) or dying (X) holds nothing.
    if (fields[0] === 'Z' || fields[0] === 'X') return null;
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function parse(text: string): LockRecord | null {
  try {
    const r = JSON.parse(text) as Partial<LockRecord>;
    return typeof r.pid === 'number' && typeof r.host === 'string' && typeof r.procStart === 'string' && typeof r.token === 'string'
      ? (r as LockRecord)
      : null;
  } catch {
    return null; // torn by a crash while the lock was written: nobody holds it
  }
}

export interface DataDirLock {
  readonly file: string;
  release(): Promise<void>;
}

/** Takes the data dir for this process, or throws an InputError naming the board that has it. */
export async function lockDataDir(dir: string): Promise<DataDirLock> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, LOCK_FILE);
  const me: LockRecord = {
    pid: process.pid,
    host: hostname(),
    procStart: procStart(process.pid) ?? '',
    since: new Date().toISOString(),
    token: randomUUID(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(file, 'wx');
      try {
        await fh.writeFile(`${JSON.stringify(me)}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      return {
        file,
        release: async () => {
          // Only our own lock: never one a later board took over.
          const held = parse(await readFile(file, 'utf8').catch(() => ''));
          if (held?.token === me.token) await unlink(file).catch(() => undefined);
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new InputError(`cannot lock the data dir ${dir}: ${(e as Error).message}`);
    }
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text === null) continue; // released meanwhile: try again
    const held = parse(text);
    if (held && held.host !== me.host)
      throw new InputError(
        `the data dir ${dir} is in use by a board on ${held.host} (pid ${held.pid}, since ${held.since}); give this board a data dir of its own, or delete ${file} if that board is gone`,
      );
    if (held && procStart(held.pid) === held.procStart)
      throw new InputError(
        `the data dir ${dir} is in use by another board (pid ${held.pid}, since ${held.since}); stop it first, or give this board a data dir of its own`,
      );
    // Left by a board that is gone: moved aside (atomically: of two boards taking it over, one wins), then try again.
    await rename(file, `${file}.stale-${me.token}`).then(
      () => unlink(`${file}.stale-${me.token}`).catch(() => undefined),
      () => undefined,
    );
  }
  throw new InputError(`cannot lock the data dir ${dir}: other boards keep taking it (${file})`);
}
