// Parser for the General Statistics Office's conversion table of commune-level units
// ("Bảng chuyển đổi đơn vị hành chính mới – cũ", July 2025) as published: a CSV with two
// header records, province section lines between the data, cells with embedded newlines,
// stray white space and some text not in NFC. See shared/data/README.md.
import { InputError } from './problems.ts';

export interface NsoNoteFlags {
  whole: boolean;
  part: boolean;
  unchanged: boolean;
  renamed: boolean;
  typeChanged: boolean;
  specialZone: boolean;
}

export interface NsoOldUnit {
  code: string | null;
  name: string | null;
  district: { code: string | null; name: string } | null;
  oldProvince: { code: string | null; name: string } | null;
  note: string;
  flags: NsoNoteFlags;
  line: number;
}

export type NsoUnitKind = 'xa' | 'phuong' | 'dac_khu';

export interface NsoUnit {
  code: string;
  name: string;
  kind: NsoUnitKind;
  province: { code: string; name: string };
  mergedFrom: NsoOldUnit[];
  line: number;
}

export interface NsoProvince {
  code: string;
  name: string;
  units: NsoUnit[];
}

/** Provinces in file order, each with its units in file order. */
export interface NsoTable {
  provinces: NsoProvince[];
}

export class NsoParseError extends InputError {
  // Plain fields rather than parameter properties: they are not erasable TypeScript syntax.
  readonly file: string;
  readonly line: number;
  readonly reason: string;

  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'NsoParseError';
    this.file = file;
    this.line = line;
    this.reason = message;
  }
}

// ---------------------------------------------------------------------------------------
// CSV reading (RFC 4180) with physical line numbers

interface CsvRecord {
  cells: string[];
  /** Physical line (1-based) on which the record starts. */
  line: number;
}

interface CsvCell {
  value: string;
  next: number;
  line: number;
  end: 'comma' | 'eol' | 'eof';
}

/** Split text into records. Quoted cells may hold commas, newlines and doubled quotes. */
export function readCsv(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (pos < text.length) {
    const start = line;
    const cells: string[] = [];
    let cell: CsvCell;
    do {
      cell = text[pos] === '"' ? readQuoted(text, pos, line, file) : readPlain(text, pos, line);
      cells.push(cell.value);
      pos = cell.next;
      line = cell.line;
    } while (cell.end === 'comma');
    records.push({ cells, line: start });
  }
  return records;
}

/** Length of the line break at pos (CRLF, LF or a lone CR), 0 if there is none. */
function lineBreakAt(text: string, pos: number): number {
  if (text[pos] === '\r') return text[pos + 1] === '\n' ? 2 : 1;
  return text[pos] === '\n' ? 1 : 0;
}

/** What follows a cell: a comma, a line break or the end of the text. */
function cellEnd(text: string, pos: number, line: number, value: string): CsvCell {
  if (pos >= text.length) return { value, next: pos, line, end: 'eof' };
  if (text[pos] === ',') return { value, next: pos + 1, line, end: 'comma' };
  const br = lineBreakAt(text, pos);
  return { value, next: pos + br, line: line + 1, end: 'eol' };
}

function readPlain(text: string, pos: number, line: number): CsvCell {
  let end = pos;
  while (end < text.length && text[end] !== ',' && lineBreakAt(text, end) === 0) end++;
  return cellEnd(text, end, line, text.slice(pos, end));
}

function readQuoted(text: string, pos: number, line: number, file: string): CsvCell {
  const openedOn = line;
  let value = '';
  let i = pos + 1;
  for (;;) {
    if (i >= text.length) {
      throw new NsoParseError(file, openedOn, 'quoted cell is never closed (file truncated?)');
    }
    if (text[i] === '"') {
      if (text[i + 1] !== '"') break;
      value += '"';
      i += 2;
      continue;
    }
    const br = lineBreakAt(text, i);
    if (br > 0) line++;
    value += text.slice(i, i + Math.max(br, 1));
    i += Math.max(br, 1);
  }
  i++; // closing quote
  if (i < text.length && text[i] !== ',' && lineBreakAt(text, i) === 0) {
    throw new NsoParseError(file, line, `unexpected ${JSON.stringify(text[i])} after a closing quote`);
  }
  return cellEnd(text, i, line, value);
}

// ---------------------------------------------------------------------------------------
// Cell helpers

/** NFC, runs of white space (including newlines inside quoted cells) folded, trimmed. */
function clean(cell: string): string {
  return cell.normalize('NFC').replace(/\s+/g, ' ').trim();
}

const lower = (s: string): string => s.toLocaleLowerCase('vi');

/** `Tỉnh Nghệ An (40)` -> name and code; a cell without brackets has code null. */
function splitCode(cell: string): { name: string; code: string | null } {
  const m = /^(.*?)\s*\((\d+)\)$/.exec(cell);
  return m ? { name: m[1] ?? '', code: m[2] ?? null } : { name: cell, code: null };
}

function optionalLabel(cell: string): { code: string | null; name: string } | null {
  return cell === '' ? null : splitCode(cell);
}

/** '1', '01' and '001' all become '01'. */
export function normaliseProvinceCode(code: string): string {
  const trimmed = code.trim();
  if (!/^\d+$/.test(trimmed)) throw new InputError(`province code "${code}" is not a number`);
  return String(Number.parseInt(trimmed, 10)).padStart(2, '0');
}

/** Kind of a new unit from its name; "Xa " is a misspelling of "Xã " found in the table. */
function unitKind(name: string): NsoUnitKind | null {
  const n = lower(name);
  if (n.startsWith('phường ')) return 'phuong';
  if (n.startsWith('xã ') || n.startsWith('xa ')) return 'xa';
  if (n.startsWith('đặc khu ')) return 'dac_khu';
  return null;
}

/**
 * Flags read from a note as published. Part-like notes: "Nhập một phần…" (also misspelt
 * "Nhâp"), "Đổi tên từ một phần…", "Phần còn lại sau khi tách…". A renaming or change of
 * type without "một phần" carries the whole old unit over, as does "Giữ nguyên".
 */
export function noteFlags(note: string): NsoNoteFlags {
  const n = lower(clean(note));
  const part = n.includes('một phần') || n.startsWith('phần còn lại');
  const unchanged = n.startsWith('giữ nguyên');
  const renamed = n.startsWith('đổi tên');
  const typeChanged = n.includes('đổi loại hình');
  const specialZone = /^sắp xếp toàn bộ .* thành đặc khu/.test(n);
  const wholeWords = /^nh[aâậ]p toàn bộ/.test(n) || unchanged || specialZone || renamed || typeChanged;
  return {
    whole: !part && wholeWords,
    part,
    unchanged,
    renamed,
    typeChanged,
    specialZone,
  };
}

// ---------------------------------------------------------------------------------------
// Record classification

/** Column positions in the published table. */
const COL = {
  province: 0,
  newName: 1,
  newCode: 2,
  oldName: 3,
  oldCode: 4,
  note: 5,
  district: 6,
  oldProvince: 7,
} as const;
const MIN_COLUMNS = 8;

const at = (cells: string[], i: number): string => cells[i] ?? '';

/** First header record: "Đơn vị hành chính từ ngày 01/7/2025,,,Đơn vị hành chính trước…". */
function isGroupHeader(cells: string[]): boolean {
  return lower(at(cells, 0)).startsWith('đơn vị hành chính');
}

/** Second header record: "Tỉnh, thành phố | Tên Xã mới | Mã Xã mới | Tên Xã cũ | …". */
function isColumnHeader(cells: string[]): boolean {
  return (
    lower(at(cells, COL.province)).startsWith('tỉnh') &&
    lower(at(cells, COL.newName)).startsWith('tên') &&
    lower(at(cells, COL.newCode)).startsWith('mã') &&
    cells.length >= MIN_COLUMNS
  );
}

/** Province section line ("THÀNH PHỐ HÀ NỘI,,,…"): only the first cell filled. */
function isSectionLine(cells: string[]): boolean {
  return at(cells, 0) !== '' && cells.slice(1).every((c) => c === '');
}

const isBlank = (cells: string[]): boolean => cells.every((c) => c === '');

// ---------------------------------------------------------------------------------------
// Data rows

interface DataRow {
  province: { code: string; name: string };
  unit: { code: string; name: string; kind: NsoUnitKind };
  old: NsoOldUnit;
}

function parseDataRow(cells: string[], line: number, file: string): DataRow {
  // Annotated so that calls to it narrow types like a throw does.
  const fail: (message: string) => never = (message) => {
    throw new NsoParseError(file, line, message);
  };
  const province = splitCode(at(cells, COL.province));
  if (province.code === null || province.name === '') {
    fail(`province cell "${at(cells, COL.province)}" lacks a code in brackets, e.g. "Tỉnh Nghệ An (40)"`);
  }
  const code = at(cells, COL.newCode);
  if (!/^\d+$/.test(code)) fail(`new-unit code "${code}" is not all digits`);
  const name = at(cells, COL.newName);
  const kind = unitKind(name) ?? fail(`cannot tell the kind of new unit "${name}" (Phường, Xã or Đặc khu)`);
  const oldCode = at(cells, COL.oldCode);
  if (oldCode !== '' && !/^\d+$/.test(oldCode)) fail(`old-unit code "${oldCode}" is not all digits`);
  const note = at(cells, COL.note);
  return {
    province: {
      code: normaliseProvinceCode(province.code),
      name: province.name,
    },
    unit: { code, name, kind },
    old: {
      // Special zones made of a whole former district have no old code and often no name.
      code: oldCode === '' ? null : oldCode,
      name: at(cells, COL.oldName) || null,
      district: optionalLabel(at(cells, COL.district)),
      oldProvince: optionalLabel(at(cells, COL.oldProvince)),
      note,
      flags: noteFlags(note),
      line,
    },
  };
}

type ProvinceEntry = NsoProvince & { label: NsoUnit['province'] };

/** Accumulates rows into provinces and units, both kept in order of first appearance. */
class TableBuilder {
  private readonly provinces = new Map<string, ProvinceEntry>();
  private readonly units = new Map<string, NsoUnit>();
  private readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  add(row: DataRow): void {
    const province = this.province(row.province);
    // Group by code, not by adjacency: a unit's rows need not be contiguous.
    let unit = this.units.get(row.unit.code);
    if (unit === undefined) {
      unit = {
        ...row.unit,
        province: province.label,
        mergedFrom: [],
        line: row.old.line,
      };
      this.units.set(unit.code, unit);
      province.units.push(unit);
    } else if (unit.province.code !== province.code) {
      throw new NsoParseError(
        this.file,
        row.old.line,
        `new unit ${unit.code} is under province ${province.code} here but under ${unit.province.code} on line ${unit.line}`,
      );
    }
    // Later rows may spell the unit's name differently (Điềm Thụy / Điềm Thuỵ): first wins.
    unit.mergedFrom.push(row.old);
  }

  private province(p: NsoUnit['province']): ProvinceEntry {
    let province = this.provinces.get(p.code);
    if (province === undefined) {
      province = {
        code: p.code,
        name: p.name,
        units: [],
        label: { code: p.code, name: p.name },
      };
      this.provinces.set(p.code, province);
    }
    return province;
  }

  build(): NsoTable {
    return {
      provinces: [...this.provinces.values()].map(({ code, name, units }) => ({
        code,
        name,
        units,
      })),
    };
  }
}

// ---------------------------------------------------------------------------------------
// Entry points

/** Parse the conversion table; throws NsoParseError naming the physical line at fault. */
export function parseNsoCsv(text: string, file: string): NsoTable {
  const records = readCsv(text, file);
  if (records.every((r) => isBlank(r.cells.map(clean)))) throw new NsoParseError(file, 1, 'file is empty');
  const builder = new TableBuilder(file);
  let width: number | null = null;
  for (const { cells: raw, line } of records) {
    const cells = raw.map(clean);
    if (isBlank(cells)) continue;
    if (width === null) {
      width = headerWidth(cells, line, file);
      continue;
    }
    if (cells.length !== width) {
      throw new NsoParseError(file, line, `expected ${width} cells as in the header, found ${cells.length}`);
    }
    if (isSectionLine(cells)) continue; // the province comes from each row's own first cell
    builder.add(parseDataRow(cells, line, file));
  }
  if (width === null) throw new NsoParseError(file, 1, 'header record "Tỉnh, thành phố, Tên Xã mới, Mã Xã mới, …" not found');
  return builder.build();
}

/** Before the column header: skip the group header, return the width at the column header. */
function headerWidth(cells: string[], line: number, file: string): number | null {
  if (isColumnHeader(cells)) return cells.length;
  if (isGroupHeader(cells)) return null;
  throw new NsoParseError(file, line, 'expected the header record "Tỉnh, thành phố, Tên Xã mới, Mã Xã mới, …" before any data');
}

/** The province with this code ('1' or '01'); the error lists the codes that exist. */
export function findProvince(table: NsoTable, code: string): NsoProvince {
  let wanted: string | null;
  try {
    wanted = normaliseProvinceCode(code);
  } catch {
    wanted = null;
  }
  const found = table.provinces.find((p) => p.code === wanted);
  if (found) return found;
  const known = table.provinces.map((p) => `${p.code} ${p.name}`).join(', ');
  throw new InputError(`no province with code "${code}" in the table; known: ${known}`);
}
