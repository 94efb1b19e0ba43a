// An outer deadline for work that may never settle (the `ping` package can leave its promise
// pending; a stuck mount can hang a collector): the caller moves on, the work is abandoned.

export class TimeoutError extends Error {
  constructor(ms: number) {
    super(`timed out after ${(ms / 1000).toFixed(1)} s`);
    this.name = 'TimeoutError';
  }
}

/** The abort reason of a passed deadline (one object: abort() without one builds a DOMException each time). */
const DEADLINE = new Error('the deadline passed');

/**
 * Resolves or rejects as `work` does, or rejects with TimeoutError after `ms`; aborts `ac` then.
 * With `graceMs`, work told to stop by the abort may still settle within that time (a prober
 * saying how far it got: connected, but no answer), and that is its result.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, ac?: AbortController, graceMs = 0): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let grace: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      ac?.abort(DEADLINE);
      if (graceMs > 0) grace = setTimeout(() => reject(new TimeoutError(ms)), graceMs);
      else reject(new TimeoutError(ms));
    }, ms);
    work.then(
      (v) => {
        clearTimeout(timer);
        clearTimeout(grace);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        clearTimeout(grace);
        reject(e);
      },
    );
  });
}

/** Parses a duration such as `2s`, `200ms`, `1m30s` into milliseconds. */
export function durationMs(d: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(d);
  if (!m || d.length === 0) throw new Error(`not a duration: ${d}`);
  return Number(m[1] ?? 0) * 3_600_000 + Number(m[2] ?? 0) * 60_000 + Number(m[3] ?? 0) * 1000 + Number(m[4] ?? 0);
}
