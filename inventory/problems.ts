// Problems found in an inventory, each tied to a place in the YAML source so a person can go
// straight to it: `FILE:LINE:COL message`.

export type PathSegment = string | number;

export interface Issue {
  path: PathSegment[];
  message: string;
  /** Point at the key of the last segment instead of its value (unknown keys, duplicates). */
  atKey?: boolean;
}

export interface Problem {
  file: string;
  line: number;
  col: number;
  message: string;
}

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col} ${p.message}`;
}

/** Thrown by the loaders; the command line prints `problems` one per line, never a stack. */
export class InventoryError extends Error {
  constructor(public readonly problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'InventoryError';
  }
}

/** Edit distance, for "did you mean" on misspelt keys. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** A mistake in what a person gave us (a file, a flag): printed as its message, never as a stack. */
export class InputError extends Error {
  override name = 'InputError';
}
