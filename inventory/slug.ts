// Slugs for Vietnamese administrative-unit names.
//
// A slug is [a-z0-9-], has no leading, trailing or doubled hyphen and is at most 63
// characters long, so it can serve as a DNS label, a Prometheus label value and part of a
// Terraform resource name. (Terraform identifiers must not start with a digit; a slug that
// fell back to a numeric code does, so prefix it when building an identifier.)

export const MAX_SLUG_LENGTH = 63;

/** Turn a name into a slug; '' when the name has no letters or digits. */
export function slugify(name: string): string {
  const ascii = name
    .normalize('NFD')
    // Đ/đ carry a stroke, not a combining mark: NFD leaves them whole.
    .replace(/[Đđ]/g, 'd')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    // Apostrophes inside ethnic-minority names (Ea H'leo, Cư M'gar) join, not split.
    .replace(/['’ʼ`]/g, '')
    .replace(/[^a-z0-9]+/g, '-');
  return truncate(ascii, MAX_SLUG_LENGTH);
}

/** Cut to at most `max` characters and drop hyphens left at either end. */
function truncate(slug: string, max: number): string {
  return trimHyphens(trimHyphens(slug).slice(0, max));
}

function trimHyphens(s: string): string {
  return s.replace(/^-+|-+$/g, '');
}

/** `base-suffix`, shortening base (never the suffix) to stay within the length limit. */
function withSuffix(base: string, suffix: string): string {
  if (suffix === '') return base;
  const head = truncate(base, MAX_SLUG_LENGTH - suffix.length - 1);
  return head === '' ? truncate(suffix, MAX_SLUG_LENGTH) : `${head}-${suffix}`;
}

export interface SlugItem {
  key: string;
  name: string;
  code: string;
}

/** The slugs one item may take, most preferred first: name, name-code, name-code-n. */
interface Candidate {
  key: string;
  code: string;
  base: string;
  withCode: string;
  level: 0 | 1 | 2;
}

/**
 * Map each item's key to a slug unique within `items`.
 *
 * An item keeps the slug of its name unless another item has the same one; then every
 * item of the clash gets its code appended (`xa-tan-thanh-12345`). If even that clashes
 * (same name and code twice), a counter ordered by key follows. The outcome depends only
 * on the set of items, never on their order. Keys must be unique.
 */
export function uniqueSlugs(items: SlugItem[]): Map<string, string> {
  const candidates = items.map(toCandidate);
  assertUniqueKeys(candidates);
  const counters = counterByKey(candidates);
  for (;;) {
    const slugs = new Map(candidates.map((c) => [c.key, render(c, counters)]));
    const clashing = clashingKeys(slugs);
    if (clashing.size === 0) return new Map(items.map((i) => [i.key, slugs.get(i.key) ?? '']));
    let bumped = false;
    for (const c of candidates) {
      if (clashing.has(c.key) && c.level < 2) {
        c.level = c.level === 0 ? 1 : 2;
        bumped = true;
      }
    }
    if (!bumped) throw new Error(`cannot make slugs unique for keys: ${[...clashing].join(', ')}`);
  }
}

function toCandidate(item: SlugItem): Candidate {
  const code = slugify(item.code);
  // A name without letters (or digits) falls back to the code, then to the key.
  const base = slugify(item.name) || code || slugify(item.key) || 'unit';
  const withCode = base === code ? base : withSuffix(base, code);
  return { key: item.key, code, base, withCode, level: 0 };
}

function assertUniqueKeys(candidates: Candidate[]): void {
  const seen = new Set<string>();
  for (const c of candidates) {
    if (seen.has(c.key)) throw new Error(`uniqueSlugs: duplicate key "${c.key}"`);
    seen.add(c.key);
  }
}

/** 1-based rank of each key among the items sharing its name-code slug, in key order. */
function counterByKey(candidates: Candidate[]): Map<string, number> {
  const groups = new Map<string, string[]>();
  for (const c of candidates) pushTo(groups, c.withCode, c.key);
  const counters = new Map<string, number>();
  for (const keys of groups.values()) {
    [...keys].sort(compareStrings).forEach((key, i) => counters.set(key, i + 1));
  }
  return counters;
}

function render(c: Candidate, counters: Map<string, number>): string {
  if (c.level === 0) return c.base;
  if (c.level === 1) return c.withCode;
  const n = String(counters.get(c.key) ?? 1);
  return withSuffix(c.base, c.withCode === c.base ? n : `${c.code}-${n}`);
}

function clashingKeys(slugs: Map<string, string>): Set<string> {
  const bySlug = new Map<string, string[]>();
  for (const [key, slug] of slugs) pushTo(bySlug, slug, key);
  const out = new Set<string>();
  for (const keys of bySlug.values()) if (keys.length > 1) keys.forEach((k) => out.add(k));
  return out;
}

function pushTo(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

// Code-point order, independent of the locale the process runs in.
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The province's name as one DNS label, for hostname patterns (`{province}`): its kind dropped,
 * no hyphens. `Tỉnh Nghệ An` → `nghean`, `Thành phố Hồ Chí Minh` → `hochiminh`.
 */
export function provinceLabel(name: string): string {
  return slugify(name.normalize('NFC').replace(/^\s*(Tỉnh|Thành phố|TP\.?)\s+/iu, '')).replace(/-/g, '');
}
