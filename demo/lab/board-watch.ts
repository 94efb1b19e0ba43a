// What the lab's test and benchmark read from the board: is it up, the units' states
// (`/api/state`), one unit's items (`/api/units/:code`).
export type BoardState = 'go' | 'nogo' | 'unknown' | 'maintenance';

export interface UnitLine {
  code: string;
  name: string;
  state: BoardState;
  failing: { check: string; state: BoardState; sites: string[] }[];
}

export interface UnitItems {
  code: string;
  state: BoardState;
  items: { check: string; state: BoardState; sites: string[]; reason?: string }[];
}

async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return (await r.json()) as T;
}

export async function unitLines(board: string): Promise<UnitLine[]> {
  return (await getJson<{ units: UnitLine[] }>(`${board}/api/state`)).units;
}

export async function unitItems(board: string, code: string): Promise<UnitItems> {
  return (await getJson<{ unit: UnitItems }>(`${board}/api/units/${encodeURIComponent(code)}`)).unit;
}

export async function itemState(board: string, code: string, check: string): Promise<BoardState | undefined> {
  return (await unitItems(board, code)).items.find((i) => i.check === check)?.state;
}

/** Polls `probe` every `everyMs` until it returns a value, or throws after `timeoutMs` with the last thing it saw. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 250): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > until) throw new Error(`${what}: not within ${timeoutMs / 1000} s${last ? ` (last: ${last})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Every unit GO, as the board's overview says. */
export function allUnitsGo(board: string, timeoutMs: number): Promise<UnitLine[]> {
  let seen = '';
  return waitUntil(
    'every unit GO',
    async () => {
      const units = await unitLines(board);
      seen = units
        .map((u) => `${u.code} ${u.state}${u.failing.length ? ` (${u.failing.map((f) => `${f.check} ${f.state}`).join(', ')})` : ''}`)
        .join('; ');
      if (units.length && units.every((u) => u.state === 'go')) return units;
      throw new Error(seen);
    },
    timeoutMs,
    500,
  );
}
