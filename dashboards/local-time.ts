// Times as the province reads them: local to its time zone, four-digit years, the offset stated.
// The page (board/page/board.js) writes the same form in the browser.

function parts(ms: number, timeZone: string): Record<string, string> {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  return Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
}

/** The zone's offset from UTC at that instant, as +07:00. */
export function offsetOf(ms: number, timeZone: string): string {
  const p = parts(ms, timeZone);
  const local = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  const minutes = Math.round((local - Math.floor(ms / 1000) * 1000) / 60_000);
  const a = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** ISO 8601 in local time with its offset (2025-07-01T08:30:00+07:00): for CSV, read by people and programs. */
export function localIso(iso: string | number | null, timeZone: string): string {
  if (iso === null) return '';
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const p = parts(ms, timeZone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${offsetOf(ms, timeZone)}`;
}

/** 01/07/2025 08:30:00 (UTC+07:00): for pages and printed reports. */
export function localText(iso: string | number | null, timeZone: string): string {
  if (iso === null) return '';
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const p = parts(ms, timeZone);
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}:${p.second} (UTC${offsetOf(ms, timeZone)})`;
}
