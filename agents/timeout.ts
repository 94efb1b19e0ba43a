// An outer deadline for work that may never settle (the `ping` package can leave its promise
// pending; a stuck mount can hang a collector): the caller moves on, the work is abandoned.

export class TimeoutError extends Error {
  constructor(ms: number) {
    super(`timed out after ${(ms / 1000).toFixed(1)} s`);
    this.name = 'TimeoutError';
  }
}

/** Resolves or rejects as `work` does, or rejects with TimeoutError after `ms`; aborts `ac` then. */
export function withTimeout<T>(work: Promise<T>, ms: number, ac?: AbortController): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      ac?.abort();
      reject(new TimeoutError(ms));
    }, ms);
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
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
