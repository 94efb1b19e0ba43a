// A URL list: the URLs and APIs that must be kept or redirected after the cutover, one per row
// of a CSV, each with its expected outcome. Read the same way by `inventory check` (every
// problem at FILE:LINE:COL), by the agent's `url-list` probe and by the demo's stand-ins.
//
//   url,status,location,body
//   http://vinhcity.nghean.gov.vn/thu-tuc?id=1,301,https://thanhvinh.nghean.gov.vn/thu-tuc?id=1,
//   https://thanhvinh.nghean.gov.vn/api/tracuu,200,,"""trangThai"":""ok"""
//   https://thanhvinh.nghean.gov.vn/,200,,/Cổng thông tin.*Thành Vinh/
//
// `status` is the answer expected; a redirect (301, 302, 303, 307, 308) names its `location`
// exactly; a kept URL may name text its `body` must contain, or a /regular expression/.
// Header names may also be written in Vietnamese: đường dẫn, mã, chuyển tới, nội dung.
import { readFileSync, statSync } from 'node:fs';
import { isSafeUrl } from './net.ts';
import type { Problem } from './problems.ts';

export interface UrlRow {
  url: string;
  status: number;
  location?: string;
  /** Text the body must contain, or a regular expression (written /…/). */
  body?: { text: string } | { regex: string };
  /** Where the row is, for a message. */
  line: number;
}

export interface UrlListResult {
  rows: UrlRow[];
  problems: Problem[];
}

/** A list larger than this is not a list of the URLs that matter. */
export const MAX_URL_LIST_BYTES = 2 * 1024 * 1024;
export const MAX_URL_LIST_ROWS = 20_000;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const COLUMNS = {
  url: ['url', 'đường dẫn', 'duong dan'],
  status: ['status', 'mã', 'ma', 'code'],
  location: ['location', 'chuyển tới', 'chuyen toi', 'redirect'],
  body: ['body', 'nội dung', 'noi dung'],
} as const;
type Column = keyof typeof COLUMNS;

interface Field {
  text: string;
  col: number;
}

/** The CSV's records with where each field starts (RFC 4180: quotes, doubled quotes, line breaks in quotes). */
function records(text: string): { line: number; fields: Field[] }[] {
  const out: { line: number; fields: Field[] }[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    const fields: Field[] = [];
    let lineStart = i;
    for (;;) {
      const fieldCol = i - lineStart + 1;
      let value = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) break;
          if (text[i] === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (text[i] === '\n') {
            line++;
            lineStart = i + 1;
          }
          value += text[i];
          i++;
        }
        // Anything after the closing quote up to the separator belongs to the field too.
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') value += text[i++];
      } else {
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') value += text[i++];
      }
      fields.push({ text: value, col: fieldCol });
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '\r') i++;
      if (text[i] === '\n') i++;
      line++;
      break;
    }
    out.push({ line: startLine, fields });
  }
  return out;
}

const norm = (s: string) => s.trim().toLowerCase().normalize('NFC');

/** Reads a URL list's text; every problem at its line and column. */
export function parseUrlList(text: string, file: string): UrlListResult {
  const problems: Problem[] = [];
  const at = (line: number, col: number, message: string) => problems.push({ file, line, col, message });
  const body = text.replace(/^\uFEFF/, '');
  const recs = records(body).filter(
    (r) => !(r.fields.length === 1 && r.fields[0]!.text.trim() === '') && !r.fields[0]!.text.startsWith('#'),
  );
  if (!recs.length) {
    at(1, 1, 'the URL list is empty: it needs a header line (url,status,location,body) and one row per URL');
    return { rows: [], problems };
  }
  const head = recs[0]!;
  const index: Partial<Record<Column, number>> = {};
  head.fields.forEach((f, k) => {
    const name = norm(f.text);
    const col = (Object.keys(COLUMNS) as Column[]).find((c) => (COLUMNS[c] as readonly string[]).includes(name));
    if (!col) at(head.line, f.col, `unknown column "${f.text.trim()}"; the columns are url, status, location, body`);
    else if (index[col] !== undefined) at(head.line, f.col, `the column "${col}" is there twice`);
    else index[col] = k;
  });
  for (const c of ['url', 'status'] as const)
    if (index[c] === undefined) at(head.line, 1, `the header has no "${c}" column (the columns are url, status, location, body)`);
  if (problems.length) return { rows: [], problems };
  const rows: UrlRow[] = [];
  const seen = new Map<string, number>();
  for (const r of recs.slice(1)) {
    if (rows.length >= MAX_URL_LIST_ROWS) {
      at(r.line, 1, `more than ${MAX_URL_LIST_ROWS} URLs: split the list by unit`);
      break;
    }
    if (r.fields.length > head.fields.length) {
      const extra = r.fields[head.fields.length]!;
      at(r.line, extra.col, `${r.fields.length} fields, the header has ${head.fields.length} (a comma in a value needs "quotes")`);
      continue;
    }
    const field = (c: Column): Field | undefined => (index[c] === undefined ? undefined : r.fields[index[c]!]);
    const endCol = (r.fields.at(-1)?.col ?? 1) + (r.fields.at(-1)?.text.length ?? 0);
    const urlF = field('url');
    const url = urlF?.text.trim() ?? '';
    const before = problems.length;
    if (!urlF || !url) at(r.line, urlF?.col ?? endCol, 'no URL');
    else if (!isSafeUrl(url)) at(r.line, urlF.col, `"${url.slice(0, 80)}" is not an http:// or https:// URL with a hostname or an address`);
    else if (seen.has(url)) at(r.line, urlF.col, `${url} is already on line ${seen.get(url)}`);
    const statusF = field('status');
    const statusText = statusF?.text.trim() ?? '';
    const status = Number(statusText);
    const badStatus = !statusF || !/^\d{3}$/.test(statusText) || status < 100 || status > 599;
    if (badStatus) at(r.line, statusF?.col ?? endCol, `expected an HTTP status such as 200 or 301, not "${statusText.slice(0, 20)}"`);
    const locF = field('location');
    const location = locF?.text.trim() ?? '';
    const bodyF = field('body');
    const bodyText = bodyF?.text ?? '';
    if (REDIRECTS.has(status)) {
      if (!location) at(r.line, locF?.col ?? endCol, `a redirect (${status}) names the location it must go to`);
      else if (!isSafeUrl(location)) at(r.line, locF!.col, `"${location.slice(0, 80)}" is not an http:// or https:// URL`);
      if (bodyText.trim()) at(r.line, bodyF!.col, 'a redirect is judged by its location, not by a body');
      // A status that is no status is said once: whether a location belongs with it cannot be told.
    } else if (location && !badStatus)
      at(r.line, locF!.col, `a location is only for a redirect (301, 302, 303, 307, 308), not for ${statusText}`);
    let bodyRule: UrlRow['body'];
    if (bodyText.trim()) {
      const m = /^\/(.+)\/$/s.exec(bodyText.trim());
      if (m) {
        try {
          new RegExp(m[1]!);
          bodyRule = { regex: m[1]! };
        } catch (e) {
          at(
            r.line,
            bodyF!.col,
            `the regular expression does not compile: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`,
          );
        }
      } else bodyRule = { text: bodyText };
    }
    if (problems.length > before) continue;
    seen.set(url, r.line);
    rows.push({ url, status, ...(location ? { location } : {}), ...(bodyRule ? { body: bodyRule } : {}), line: r.line });
  }
  if (!rows.length && !problems.length) at(head.line, 1, 'the URL list has a header but no URL');
  return { rows, problems };
}

/** Reads a URL list file (within MAX_URL_LIST_BYTES); a file that cannot be read is one problem. */
export function readUrlList(path: string, shownAs = path): UrlListResult {
  const one = (message: string): UrlListResult => ({ rows: [], problems: [{ file: shownAs, line: 1, col: 1, message }] });
  try {
    const st = statSync(path);
    if (!st.isFile()) return one('not a file: a URL list is a CSV file');
    if (st.size > MAX_URL_LIST_BYTES) return one(`larger than ${MAX_URL_LIST_BYTES / 1024 / 1024} MB: split the list by unit`);
    return parseUrlList(readFileSync(path, 'utf8'), shownAs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return one(
      `cannot read the URL list: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? String(e))}`,
    );
  }
}

/** What a row expects, as a person reads it: `301 → https://…`, `200 containing "…"`. */
export function expectedOutcome(r: UrlRow): string {
  if (r.location) return `${r.status} → ${r.location}`;
  if (r.body && 'text' in r.body) return `${r.status} "${r.body.text.slice(0, 60)}"`;
  if (r.body) return `${r.status} /${r.body.regex.slice(0, 60)}/`;
  return String(r.status);
}
