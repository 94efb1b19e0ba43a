// The report's period and its times: `from`/`to` as a day (in the province's time zone) or an
// instant with its offset; times written in local time with the offset stated, four-digit years.
import { InputError } from '../../inventory/index.ts';
import { localParts, offsetAt } from '../local-time.ts';

export interface Period {
  fromMs: number;
  toMs: number;
  stepMs: number;
}

/** Samples per series the report asks for at most (a week at one a minute is 10,080). */
export const MAX_POINTS = 50_000;
/** The default step: one sample a minute, so figures are in whole minutes. */
export const DEFAULT_STEP_MS = 60_000;

// Local time with its offset (the CSV's form, "2025-07-01T08:00:00+07:00"), as the board writes it.
export { localIso, offsetAt } from '../local-time.ts';

/** "01/07/2025 08:00" (vi) or "2025-07-01 08:00" (en), local; the page states the offset once. */
export function localText(ms: number, timeZone: string, lang: 'vi' | 'en'): string {
  const p = localParts(ms, timeZone);
  return lang === 'vi' ? `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}` : `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** The instant a local wall time has in the zone (no DST in Vietnam; two passes settle any other zone). */
function zonedToMs(y: number, mo: number, d: number, h: number, mi: number, timeZone: string): number {
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  let ms = wall;
  for (let i = 0; i < 2; i++) {
    const off = offsetAt(ms, timeZone);
    const m = /^([+-])(\d{2}):(\d{2})$/.exec(off);
    const minutes = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
    ms = wall - minutes * 60_000;
  }
  return ms;
}

/**
 * One end of the period: `2025-07-01` (a day in the province's zone: its start, or for `to` its
 * end, so `from=2025-07-01&to=2025-07-07` is the whole week), `2025-07-01T08:00` (local), or an
 * instant with its offset (`2025-07-01T08:00:00+07:00`, `…Z`).
 */
export function parseWhen(s: string, timeZone: string, end: boolean, name: string): number {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const ms = zonedToMs(y, m, d + (end ? 1 : 0), 0, 0, timeZone);
    if (m >= 1 && m <= 12 && d >= 1 && d <= 31 && !Number.isNaN(ms)) return ms;
  }
  const local = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$/.exec(s);
  if (local) return zonedToMs(Number(local[1]), Number(local[2]), Number(local[3]), Number(local[4]), Number(local[5]), timeZone);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s))) return Date.parse(s);
  throw new InputError(
    `${name}: expected a day (2025-07-01), a local time (2025-07-01T08:00) or a time with its offset (2025-07-01T08:00:00+07:00), not "${s}"`,
  );
}

/**
 * The period from the query or the flags: default the last 7 days up to now (to the minute);
 * `step` in seconds (default 60). Refuses an empty or reversed period and more than MAX_POINTS samples.
 */
export function parsePeriod(
  q: { from?: unknown; to?: unknown; step?: unknown },
  timeZone: string,
  nowMs = Date.now(),
  names = { from: 'from', to: 'to', step: 'step' },
): Period {
  const str = (v: unknown, name: string): string | undefined => {
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string') throw new InputError(`${name}: give it once`);
    return v.trim();
  };
  const stepText = str(q.step, names.step);
  const stepMs = stepText === undefined ? DEFAULT_STEP_MS : Number(stepText) * 1000;
  if (!Number.isInteger(stepMs) || stepMs < 1000 || stepMs > 86_400_000)
    throw new InputError(`${names.step}: expected whole seconds from 1 to 86400, not "${stepText}"`);
  const toText = str(q.to, names.to);
  const fromText = str(q.from, names.from);
  const toMs = toText === undefined ? Math.floor(nowMs / 60_000) * 60_000 : parseWhen(toText, timeZone, true, names.to);
  const fromMs = fromText === undefined ? toMs - 7 * 86_400_000 : parseWhen(fromText, timeZone, false, names.from);
  if (!(fromMs < toMs)) throw new InputError(`${names.from} must be before ${names.to}`);
  if ((toMs - fromMs) / stepMs > MAX_POINTS)
    throw new InputError(
      `the period holds more than ${MAX_POINTS} samples at a step of ${stepMs / 1000} s: shorten it or take a longer ${names.step} (at least ${Math.ceil((toMs - fromMs) / MAX_POINTS / 1000)} s)`,
    );
  return { fromMs, toMs, stepMs };
}
