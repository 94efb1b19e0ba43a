// Reads an inventory from YAML: parse with positions, validate with the strict schema, run the
// cross-checks, and report every problem at once as FILE:LINE:COL. Hostile input (huge files,
// devices and pipes, alias bombs, deep nesting, explicit-key bombs, duplicate keys) ends in a
// problem within a bounded amount of work, never a hang or a stack trace.
import { open } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { readUrlList } from './url-list.ts';
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { Inventory } from './schema.ts';
import { crossCheck } from './crosscheck.ts';
import { todoIssues } from './province-checks.ts';
import { InventoryError, closest, formatPath, type Issue, type PathSegment, type Problem } from './problems.ts';

/**
 * The whole country imported (34 provinces, 3,321 units, a portal each) is 4.6 MB of YAML and
 * loads in under 3 s and 600 MB; twice the country's size is room enough, and bounds the memory
 * a mistaken or hostile file can cost (inventory/README.md has the measurement).
 */
export const MAX_INVENTORY_BYTES = 8 * 1024 * 1024;
const MAX_ALIASES = 1000;
const MAX_DEPTH = 64;
/** YAML nodes: the country holds about 700,000; converting is linear in them once keys are plain. */
const MAX_NODES = 3_000_000;

export interface LoadResult {
  inventory?: Inventory;
  problems: Problem[];
}

export async function loadInventoryFile(file: string): Promise<Inventory> {
  const r = await readInventoryFile(file);
  if (!r.inventory || r.problems.length) throw new InventoryError(r.problems);
  return r.inventory;
}

export async function readInventoryFile(file: string): Promise<LoadResult> {
  const r = await readYamlText(file);
  if ('problems' in r) return r;
  const parsed = parseInventory(r.text, file);
  if (parsed.inventory) parsed.problems.push(...urlListProblems(parsed.inventory, file));
  return parsed;
}

/**
 * Every URL list the inventory names (url-list probes), read relative to the inventory file:
 * a malformed row is a problem at the list's own FILE:LINE:COL.
 */
export function urlListProblems(inv: Inventory, file: string): Problem[] {
  const out: Problem[] = [];
  const read = new Set<string>();
  for (const s of inv.services)
    for (const p of s.probes) {
      if (p.kind !== 'url-list' || read.has(p.file)) continue;
      read.add(p.file);
      const shown = isAbsolute(p.file) ? p.file : join(dirname(file), p.file);
      out.push(...readUrlList(shown).problems);
    }
  return out;
}

/**
 * A YAML file's text, read within MAX_INVENTORY_BYTES (a device or a pipe never ends, so what is
 * read decides, not what the name promises), or the one problem that stopped it.
 */
export async function readYamlText(file: string): Promise<{ text: string } | { problems: Problem[] }> {
  const problem = (message: string) => ({ problems: [{ file, line: 1, col: 1, message }] });
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    return problem(`cannot read the inventory: ${readError(e)}`);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile())
      return problem(`not a file but ${st.isDirectory() ? 'a directory' : 'a device or a pipe'}: an inventory is a YAML file`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.alloc(Math.min(1 << 20, MAX_INVENTORY_BYTES + 1 - total));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > MAX_INVENTORY_BYTES)
        return problem(
          `the file is larger than ${mb(MAX_INVENTORY_BYTES)} MB, the most an inventory may be (the whole country is under 5 MB)`,
        );
    }
    return { text: Buffer.concat(chunks).toString('utf8') };
  } catch (e) {
    return problem(`cannot read the inventory: ${readError(e)}`);
  } finally {
    await fh.close();
  }
}

function readError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT'
    ? 'no such file'
    : code === 'EACCES'
      ? 'permission denied'
      : code === 'EISDIR'
        ? 'it is a directory'
        : (code ?? String(e));
}

export function loadInventoryText(text: string, file = '<inventory>'): Inventory {
  const r = parseInventory(text, file);
  if (!r.inventory || r.problems.length) throw new InventoryError(r.problems);
  return r.inventory;
}

export function parseInventory(text: string, file: string): LoadResult {
  const r = parseModel(text, file, Inventory, crossCheck, 'the file is empty; see inventory/examples/demo.yaml for a start');
  return r.model ? { inventory: r.model, problems: r.problems } : { problems: r.problems };
}

/** What `parseModel` read: the model when its shape is right, and every problem found. */
export interface ModelResult<T> {
  model?: T;
  problems: Problem[];
}

/**
 * YAML text → a model of `schema`, with every problem at once as `FILE:LINE:COL message`: the same
 * bounds against hostile input, the same explanations (unknown keys with a suggestion, `TODO`
 * values, numbers where text belongs), then `check` on the parsed model. The province inventory
 * and the national inventory are both read by it.
 */
export function parseModel<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  check: (model: z.output<S>) => Issue[],
  emptyMessage: string,
): ModelResult<z.output<S>> {
  if (text.length > MAX_INVENTORY_BYTES) {
    return { problems: [{ file, line: 1, col: 1, message: `the text is larger than ${MAX_INVENTORY_BYTES} bytes` }] };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // Old Mac line ends (CR alone) and Windows' (CRLF) both read as LF: lines are counted right.
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  const lc = new LineCounter();
  const at = (offset: number): { line: number; col: number } => lc.linePos(offset);
  const problem = (offset: number, message: string): Problem => ({ file, ...at(offset), message });

  const depth = nestingDepth(text);
  if (depth.depth > MAX_DEPTH) {
    const before = text.slice(0, depth.offset);
    const line = before.split('\n').length;
    const col = depth.offset - before.lastIndexOf('\n');
    return { problems: [{ file, line, col, message: `nesting deeper than ${MAX_DEPTH} levels; an inventory needs far fewer` }] };
  }

  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, strict: true, merge: false });
  const syntax = doc.errors.map((e) => problem(e.pos[0], yamlMessage(e.message)));
  if (syntax.length) return { problems: syntax };
  const shape = shapeProblem(doc.contents);
  if (shape) return { problems: [problem(shape.offset, shape.message)] };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (e) {
    return { problems: [problem(0, `cannot expand the document: ${(e as Error).message}`)] };
  }
  if (data === null || data === undefined) return { problems: [problem(0, emptyMessage)] };

  const located = (issue: Issue): Problem => {
    const node = nodeAt(doc.contents, issue.path, issue.atKey ?? false);
    const where = formatPath(issue.path);
    return problem(node?.range?.[0] ?? 0, where ? `${where}: ${issue.message}` : issue.message);
  };

  // Values still marked TODO, whether or not their shape is right (`parent: TODO` is a valid name).
  const todo = todoIssues(data);
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const root = schema as unknown as z.core.$ZodType;
    const issues = parsed.error.issues.flatMap((i) => explain(i, data, root));
    const seen = new Set(issues.map((i) => formatPath(i.path)));
    return { problems: sortProblems([...issues, ...todo.filter((t) => !seen.has(formatPath(t.path)))].map(located)) };
  }
  const issues = [...check(parsed.data), ...todo];
  return { model: parsed.data, problems: sortProblems(issues.map(located)) };
}

function sortProblems(ps: Problem[]): Problem[] {
  return ps.sort((a, b) => a.line - b.line || a.col - b.col);
}

function yamlMessage(m: string): string {
  // The yaml package appends "at line L, column C" and a source excerpt; we print our own position.
  return m.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * What the parsed document may not be, walked without recursion before it is converted: keys that
 * are maps or lists (no inventory has one, and converting nested ones costs the YAML library work
 * that grows as the fourth power of their depth), nesting deeper than MAX_DEPTH counting keys, or
 * more than MAX_NODES nodes.
 */
function shapeProblem(root: YamlNode | null): { offset: number; message: string } | undefined {
  const stack: { node: unknown; depth: number }[] = [{ node: root, depth: 1 }];
  let nodes = 0;
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    if (!node || typeof node !== 'object') continue;
    const offset = (node as { range?: [number] }).range?.[0] ?? 0;
    if (++nodes > MAX_NODES) return { offset, message: `more than ${MAX_NODES} YAML nodes; the whole country needs far fewer` };
    if (depth > MAX_DEPTH) return { offset, message: `nesting deeper than ${MAX_DEPTH} levels; an inventory needs far fewer` };
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items) {
        if (isPair(item)) {
          if (item.key !== null && !isScalar(item.key))
            return {
              offset: (item.key as { range?: [number] }).range?.[0] ?? offset,
              message: 'a key must be plain text, not a map or a list ("? …" keys)',
            };
          stack.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
        } else stack.push({ node: item, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/**
 * Flow and block nesting depth, measured without recursion before the parser sees the text.
 * Quoted scalars and comments are skipped: a "[" inside a name is not nesting.
 */
function nestingDepth(text: string): { depth: number; offset: number } {
  let flow = 0;
  let maxFlow = 0;
  let at = 0;
  let maxIndent = 0;
  let indentAt = 0;
  let lineStart = true;
  let indent = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      lineStart = true;
      indent = 0;
      continue;
    }
    if (lineStart) {
      if (c === ' ' || c === '-') {
        indent++;
        continue;
      }
      lineStart = false;
      if (indent > maxIndent) [maxIndent, indentAt] = [indent, i];
    }
    const prev = i > 0 ? text[i - 1]! : '\n';
    const tokenStart = prev === ' ' || prev === '\t' || prev === '\n' || prev === '[' || prev === '{' || prev === ',' || prev === ':';
    if (c === '#' && (prev === ' ' || prev === '\t' || prev === '\n')) {
      const nl = text.indexOf('\n', i);
      i = (nl < 0 ? text.length : nl) - 1;
    } else if ((c === '"' || c === "'") && tokenStart) {
      i = quotedEnd(text, i) - 1;
    } else if (c === '[' || c === '{') {
      if (++flow > maxFlow) [maxFlow, at] = [flow, i];
    } else if (c === ']' || c === '}') flow--;
  }
  // Block depth is approximated by indentation: two columns a level is the common style.
  const blockDepth = Math.floor(maxIndent / 2);
  return maxFlow >= blockDepth ? { depth: maxFlow, offset: at } : { depth: blockDepth, offset: indentAt };
}

/** The index just past the quoted scalar that opens at `start` (or the end of the text). */
function quotedEnd(text: string, start: number): number {
  const q = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (q === '"' && text[i] === '\\') i++;
    else if (text[i] === q) {
      if (q === "'" && text[i + 1] === "'") i++;
      else return i + 1;
    }
  }
  return text.length;
}

type ZodIssue = z.core.$ZodIssue;

/** Turns a zod issue into our issues: unknown keys one by one with a suggestion, TODOs named. */
function explain(i: ZodIssue, data: unknown, root: z.core.$ZodType): Issue[] {
  const path = i.path.filter((p): p is PathSegment => typeof p !== 'symbol');
  if (i.code === 'unrecognized_keys') {
    const known = knownKeysAt(data, path, root);
    return i.keys.map((k) => {
      const guess = closest(k, known);
      return { path: [...path, k], atKey: true, message: `unknown key "${k}"${guess ? ` (did you mean "${guess}"?)` : ''}` };
    });
  }
  const value = valueAt(data, path);
  if (typeof value === 'string' && value.startsWith('TODO')) {
    return [{ path, message: `still to be filled in by hand (${value}); ${plain(i)}` }];
  }
  if (value === undefined && i.code === 'invalid_type') return [{ path, message: 'missing: this key is required' }];
  if (i.code === 'invalid_type' && i.expected === 'string' && typeof value === 'number') {
    return [{ path, message: `expected text, got the number ${value}: quote it ("${value}"), codes keep their leading zeros` }];
  }
  if (i.code === 'invalid_union' && 'discriminator' in i && i.discriminator) {
    const kinds = discriminatorValues(data, path.slice(0, -1), String(i.discriminator), root);
    return [{ path, message: `unknown ${String(i.discriminator)} ${JSON.stringify(value)}; expected one of: ${kinds.join(', ')}` }];
  }
  return [{ path, message: plain(i) }];
}

function plain(i: ZodIssue): string {
  return i.message.replace(/^Invalid input: /, '');
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let cur: unknown = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

type Def = Record<string, unknown>;
const defOf = (s: z.core.$ZodType): Def => s._zod.def as unknown as Def;

/** The keys the schema allows for the object at `path`, found by walking the zod definitions. */
function knownKeysAt(data: unknown, path: readonly PathSegment[], root: z.core.$ZodType): string[] {
  const schema = schemaAt(root, data, path, true);
  const def = schema && defOf(schema);
  return def?.type === 'object' ? Object.keys(def.shape as object) : [];
}

/** The values a discriminated union at `path` accepts for its discriminator. */
function discriminatorValues(data: unknown, path: readonly PathSegment[], key: string, root: z.core.$ZodType): string[] {
  const schema = schemaAt(root, data, path, false);
  const def = schema && defOf(schema);
  if (def?.type !== 'union') return [];
  return (def.options as z.core.$ZodType[]).flatMap((o) => {
    const lit = (defOf(o).shape as Record<string, z.core.$ZodType> | undefined)?.[key];
    return lit ? ((defOf(lit).values as unknown[] | undefined) ?? []).map(String) : [];
  });
}

function schemaAt(
  root: z.core.$ZodType,
  data: unknown,
  path: readonly PathSegment[],
  pickUnionOption: boolean,
): z.core.$ZodType | undefined {
  let schema: z.core.$ZodType | undefined = root;
  let value: unknown = data;
  for (const seg of path) {
    schema = unwrap(schema, value, true);
    if (!schema) return undefined;
    const def = defOf(schema);
    value = value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>)[seg] : undefined;
    if (def.type === 'object') schema = (def.shape as Record<string, z.core.$ZodType>)[String(seg)];
    else if (def.type === 'array') schema = def.element as z.core.$ZodType;
    else if (def.type === 'record') schema = def.valueType as z.core.$ZodType;
    else return undefined;
  }
  return unwrap(schema, value, pickUnionOption);
}

function unwrap(schema: z.core.$ZodType | undefined, value: unknown, pickUnionOption: boolean): z.core.$ZodType | undefined {
  for (let guard = 0; schema && guard < 20; guard++) {
    const def = schema._zod.def as unknown as Record<string, unknown>;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') {
      schema = def.innerType as z.core.$ZodType;
    } else if (def.type === 'lazy') schema = (def.getter as () => z.core.$ZodType)();
    else if (def.type === 'pipe') schema = def.in as z.core.$ZodType;
    else if (def.type === 'union') {
      if (!pickUnionOption) return schema;
      const options = def.options as z.core.$ZodType[];
      const disc = def.discriminator as string | undefined;
      const tag = disc && value && typeof value === 'object' ? (value as Record<string, unknown>)[disc] : undefined;
      schema = options.find((o) => {
        const shape = (o._zod.def as unknown as { shape?: Record<string, z.core.$ZodType> }).shape;
        const lit = shape?.[disc ?? '']?._zod.def as unknown as { values?: unknown[] } | undefined;
        return lit?.values?.includes(tag);
      });
    } else return schema;
  }
  return schema;
}

/** The YAML node at a path, or the deepest one that exists on the way. */
function nodeAt(root: YamlNode | null, path: readonly PathSegment[], atKey: boolean): YamlNode | null {
  let cur: YamlNode | null = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(cur)) {
      const pair = cur.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return cur;
      // A problem with a whole collection points at its key, where a person reads its name.
      if (last && (atKey || isMap(pair.value) || isSeq(pair.value))) return pair.key as YamlNode;
      cur = (pair.value as YamlNode | null) ?? (pair.key as YamlNode);
    } else if (isSeq(cur) && typeof seg === 'number') {
      const item = cur.items[seg] as YamlNode | undefined;
      if (!item) return cur;
      cur = item;
    } else return cur;
  }
  return cur;
}
