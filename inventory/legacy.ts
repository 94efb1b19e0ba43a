// The table of the old units' portals (`inventory import --legacy FILE`): which hostnames each
// old unit served, and which paths (APIs) on them must keep working. Each hostname goes to the
// new unit its old unit merged into, where it answers 301 to the new portal, or proxies the kept
// paths. An old hostname belongs to exactly one new unit: every conflict is reported at its line.
//
//   old_code,hostname,keep_paths,new_code
//   16663,dongvinh.vinhcity.gov.vn,/api/tracuu /api/v1,
//   17011,xahung.nghean.gov.vn,,17012          (an old unit split in two: the new unit named)
import { isHostname } from './net.ts';
import { readCsv } from './nso.ts';
import { InputError } from './problems.ts';

export interface LegacyRow {
  oldCode: string;
  hostname: string;
  keepPaths: string[];
  /** The new unit, when the old one went into several. */
  newCode?: string;
  line: number;
}

/** What the table gives one new unit. */
export interface LegacyPortals {
  hostnames: string[];
  keepPaths: string[];
}

/** The table's problems, one per line as `FILE:LINE: message`; nothing is imported. */
export class LegacyTableError extends InputError {
  override name = 'LegacyTableError';
  constructor(readonly problems: string[]) {
    super(
      `the legacy hostnames table has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was written:\n  ${problems.join('\n  ')}`,
    );
  }
}

/** Column names as a person may write them (English or Vietnamese, any case, spaces or underscores). */
const COLUMNS: Record<keyof Omit<LegacyRow, 'line'>, string[]> = {
  oldCode: ['old_code', 'ma_cu', 'mã_cũ', 'mã_xã_cũ', 'mã_đơn_vị_cũ'],
  hostname: ['hostname', 'ten_mien', 'tên_miền'],
  keepPaths: ['keep_paths', 'giu_duong_dan', 'giữ_đường_dẫn'],
  newCode: ['new_code', 'ma_moi', 'mã_mới', 'mã_xã_mới', 'mã_đơn_vị_mới'],
};
const PATH = /^\/[A-Za-z0-9._~/-]*$/;

/** Reads the table; a spreadsheet's lost leading zeros are put back (`4` is `00004`). */
export function parseLegacyTable(text: string, file: string): LegacyRow[] {
  const records = readCsv(text, file).filter((r) => r.cells.some((c) => c.trim() !== ''));
  const header = records.shift();
  if (!header)
    throw new LegacyTableError([`${file}:1: the table is empty; its first line names the columns: old_code,hostname,keep_paths,new_code`]);
  const names = header.cells.map((c) => c.normalize('NFC').trim().toLowerCase().replace(/\s+/g, '_'));
  const col = Object.fromEntries(
    Object.entries(COLUMNS).map(([key, aliases]) => [key, names.findIndex((n) => aliases.includes(n))]),
  ) as Record<keyof typeof COLUMNS, number>;
  if (col.oldCode < 0 || col.hostname < 0)
    throw new LegacyTableError([
      `${file}:${header.line}: the first line names the columns: old_code,hostname (and optionally keep_paths, new_code); found ${header.cells.join(',')}`,
    ]);
  const problems: string[] = [];
  const rows: LegacyRow[] = [];
  for (const r of records) {
    const cell = (i: number) => (i >= 0 ? (r.cells[i] ?? '').normalize('NFC').trim() : '');
    const at = `${file}:${r.line}:`;
    const oldCode = unitCode(cell(col.oldCode));
    const newRaw = cell(col.newCode);
    const newCode = newRaw ? unitCode(newRaw) : undefined;
    const hostname = cell(col.hostname).toLowerCase().replace(/\.$/, '');
    const keepPaths = cell(col.keepPaths)
      .split(/[\s;|]+/)
      .filter(Boolean);
    if (!oldCode) problems.push(`${at} old_code "${cell(col.oldCode)}" is not a unit code (five digits, e.g. 16663)`);
    if (newCode === null) problems.push(`${at} new_code "${newRaw}" is not a unit code (five digits, e.g. 16681)`);
    if (!isHostname(hostname)) problems.push(`${at} "${cell(col.hostname)}" is not a hostname (e.g. dongvinh.vinhcity.gov.vn)`);
    for (const p of keepPaths) if (!PATH.test(p)) problems.push(`${at} "${p}" is not a path such as /api/v1`);
    if (oldCode && newCode !== null && isHostname(hostname))
      rows.push({ oldCode, hostname, keepPaths, ...(newCode ? { newCode } : {}), line: r.line });
  }
  if (problems.length) throw new LegacyTableError(problems);
  return rows;
}

function unitCode(s: string): string | null {
  return /^\d{1,5}$/.test(s) ? s.padStart(5, '0') : null;
}

interface NewUnit {
  code: string;
  name: string;
  mergedFrom: readonly { code: string | null; name: string | null }[];
  /** Its portal's hostname, if it has one (an old hostname may not be a new one). */
  hostname?: string;
  /** Legacy hostnames it already has (kept from the base inventory). */
  legacyHostnames?: readonly string[];
}

/**
 * Each row's hostname given to the new unit its old unit went into. Throws LegacyTableError with
 * every conflict: an old unit not in the province, split between several new units without
 * `new_code`, a `new_code` it did not go into, a hostname given to two new units or equal to a
 * new portal's hostname, a unit without a portal.
 */
export function attachLegacy(rows: readonly LegacyRow[], units: readonly NewUnit[], file: string): Map<string, LegacyPortals> {
  const into = new Map<string, NewUnit[]>();
  for (const u of units)
    for (const o of u.mergedFrom) if (o.code && !into.get(o.code)?.includes(u)) into.set(o.code, [...(into.get(o.code) ?? []), u]);
  const owner = new Map<string, { unit: string; where: string }>();
  const portalOf = new Map<string, string>();
  for (const u of units) {
    if (u.hostname) portalOf.set(u.hostname, u.code);
    for (const h of u.legacyHostnames ?? []) owner.set(h, { unit: u.code, where: 'the base inventory' });
  }
  const label = (u: NewUnit) => `${u.code} ${u.name}`;
  const problems: string[] = [];
  const out = new Map<string, LegacyPortals>();
  for (const row of rows) {
    const at = `${file}:${row.line}:`;
    const targets = into.get(row.oldCode) ?? [];
    let unit: NewUnit | undefined;
    if (targets.length === 0) problems.push(`${at} old unit ${row.oldCode} did not merge into any unit of this province`);
    else if (row.newCode) {
      unit = targets.find((u) => u.code === row.newCode);
      if (!unit) problems.push(`${at} old unit ${row.oldCode} did not go into ${row.newCode} but into ${targets.map(label).join(', ')}`);
    } else if (targets.length > 1)
      problems.push(
        `${at} old unit ${row.oldCode} was split between ${targets.map(label).join(' and ')}: name the one its portal goes to in the new_code column`,
      );
    else unit = targets[0];
    if (!unit) continue;
    if (!unit.hostname) {
      problems.push(`${at} unit ${label(unit)} has no portal to redirect ${row.hostname} to: give the base inventory a portalPlan`);
      continue;
    }
    const newPortal = portalOf.get(row.hostname);
    if (newPortal) {
      problems.push(`${at} ${row.hostname} is the new portal of unit ${newPortal}, not a legacy hostname`);
      continue;
    }
    const first = owner.get(row.hostname);
    if (first && first.unit !== unit.code) {
      problems.push(`${at} ${row.hostname} already goes to unit ${first.unit} (${first.where}); an old hostname belongs to one new unit`);
      continue;
    }
    owner.set(row.hostname, { unit: unit.code, where: `line ${row.line}` });
    const entry = out.get(unit.code) ?? { hostnames: [], keepPaths: [] };
    if (!entry.hostnames.includes(row.hostname)) entry.hostnames.push(row.hostname);
    for (const p of row.keepPaths) if (!entry.keepPaths.includes(p)) entry.keepPaths.push(p);
    out.set(unit.code, entry);
  }
  if (problems.length) throw new LegacyTableError(problems);
  return out;
}
