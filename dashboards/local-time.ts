// Times as the province reads them: local to its time zone, four-digit years, the offset stated.
// The page (board/page/board.js) writes the same form in the browser.

/** An instant's wall-clock fields in a time zone, with the zone's offset then ("+07:00"). */
export interface LocalParts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
  offset: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

export function localParts(ms: number, timeZone: string): LocalParts {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const tz = String(p.timeZoneName ?? 'GMT');
  return {
    year: String(p.year).padStart(4, '0'),
    month: String(p.month),
    day: String(p.day),
    hour: String(p.hour),
    minute: String(p.minute),
    second: String(p.second),
    offset: tz === 'GMT' ? '+00:00' : tz.replace(/^GMT/, ''),
  };
}

/** The zone's offset from UTC at that instant, as +07:00. */
export const offsetAt = (ms: number, timeZone: string): string => localParts(ms, timeZone).offset;

/** ISO 8601 in local time with its offset (2025-07-01T08:30:00+07:00): for CSV, read by people and programs. */
export function localIso(iso: string | number | null, timeZone: string): string {
  if (iso === null) return '';
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const p = localParts(ms, timeZone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${p.offset}`;
}

/** 01/07/2025 08:30:00 (UTC+07:00): for pages and printed reports. */
export function localText(iso: string | number | null, timeZone: string): string {
  if (iso === null) return '';
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const p = localParts(ms, timeZone);
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}:${p.second} (UTC${p.offset})`;
}
