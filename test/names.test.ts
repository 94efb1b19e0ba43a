// One names module: a `sansang_` metric name or a scrape job name written as a string in
// production code outside inventory/names.ts fails this test (comments do not count). The one
// exception, by design: a metric that a single agent probe kind or host collector alone declares
// and writes may be named in that file, and then in no other (agents/README.md, "Adding a probe kind").
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { JOBS } from '../inventory/names.ts';

const root = new URL('..', import.meta.url).pathname;
const FOLDERS = ['agents', 'bench', 'bin', 'dashboards', 'demo', 'inventory', 'stacks'];
const NAMES_MODULE = 'inventory/names.ts';
/** Where a metric only one probe kind or collector writes may be declared. */
const KIND_FILES = /^agents\/(probes|host)\//;
/** `sansang_…` identifiers that are not metrics: nftables table names. */
const NOT_METRICS = new Set(['sansang_lab', 'sansang_demo', 'sansang_detect']);

function productionFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory())
      return name === 'test-support' || name === 'testdata' || name === 'node_modules' ? [] : productionFiles(p);
    if (!/\.(ts|js)$/.test(name) || /\.test\.ts$/.test(name) || /^testing[-.]/.test(name)) return [];
    return [p];
  });
}

interface Literal {
  text: string;
  /** The property it is the value of (`job_name: '…'`), if any. */
  key?: string;
}

/** Every string literal and template piece in a file (not its comments). */
function strings(file: string): Literal[] {
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: Literal[] = [];
  const visit = (n: ts.Node): void => {
    if (
      ts.isStringLiteral(n) ||
      ts.isNoSubstitutionTemplateLiteral(n) ||
      ts.isTemplateHead(n) ||
      ts.isTemplateMiddle(n) ||
      ts.isTemplateTail(n)
    ) {
      const p = n.parent;
      const key = ts.isPropertyAssignment(p) && p.initializer === n ? p.name.getText(src).replace(/['"]/g, '') : undefined;
      out.push(key ? { text: n.text, key } : { text: n.text });
    }
    n.forEachChild(visit);
  };
  visit(src);
  return out;
}

const files = FOLDERS.flatMap((f) => productionFiles(join(root, f))).map((f) => relative(root, f));
const texts = new Map(files.map((f) => [f, strings(join(root, f))]));

describe('one names module', () => {
  it('reads the production code it means to (a guard against a test that checks nothing)', () => {
    expect(files).toContain(NAMES_MODULE);
    expect(files).toContain('dashboards/rules/recording.ts');
    expect(files).toContain('agents/registry.ts');
    expect(files.length).toBeGreaterThan(60);
    expect(texts.get(NAMES_MODULE)!.some((t) => t.text === 'sansang_check_status')).toBe(true);
  });

  it('no scrape job name is written outside inventory/names.ts', () => {
    const jobs = Object.values(JOBS) as string[];
    const found: string[] = [];
    for (const [file, list] of texts) {
      if (file === NAMES_MODULE) continue;
      for (const { text, key } of list) {
        // A job named as a job: `job_name: 'sansang-agent'`, `job: '…'`, or `job="…"` in PromQL. The
        // program, the systemd unit and the containers may share the word.
        const asJob = (key === 'job_name' || key === 'job') && jobs.includes(text);
        if (asJob || jobs.some((j) => text.includes(`job="${j}"`) || text.includes(`job=~"${j}`)))
          found.push(`${file}: ${JSON.stringify(text)}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('no sansang_ metric name is written outside inventory/names.ts, but where one probe kind or collector alone declares it', () => {
    const where = new Map<string, Set<string>>();
    for (const [file, list] of texts)
      for (const { text } of list)
        for (const m of text.matchAll(/\bsansang_[a-z0-9_]+/g)) {
          if (NOT_METRICS.has(m[0])) continue;
          const set = where.get(m[0]) ?? new Set<string>();
          set.add(file);
          where.set(m[0], set);
        }
    const bad: string[] = [];
    for (const [name, set] of where) {
      const others = [...set].filter((f) => f !== NAMES_MODULE);
      if (others.length === 0) continue;
      const ownedByOneKind = !set.has(NAMES_MODULE) && others.length === 1 && KIND_FILES.test(others[0]!);
      if (!ownedByOneKind) bad.push(`${name}: ${others.join(', ')}`);
    }
    expect(bad).toEqual([]);
  });
});
