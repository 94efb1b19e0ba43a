// The board image's build context, copied into cdktf.out (`board-image/`) at synth: the project's
// files that `.dockerignore` lets through, with the Dockerfile. The dc stacks name it by a path
// relative to their own folder, so cdktf.out holds everything the deploy reads from this project
// and can be copied to the machine that deploys.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** The context's folder inside the output directory. */
export const BOARD_CONTEXT_DIR = 'board-image';

export interface BoardContext {
  /** Paths relative to the project, `/`-separated, sorted. */
  files: string[];
  projectRoot: string;
  /** sha256 of the files' names and contents: the image is built again when it changes. */
  hash: string;
}

/** Docker's .dockerignore patterns (`*`, `?`, `**`, `!` exceptions; a matched folder takes its contents). */
export function dockerignoreMatcher(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = (negate ? l.slice(1) : l).replace(/^\/+|\/+$/g, '').replace(/^\.\//, '');
      return { negate, re: globToRegExp(pattern) };
    });
  return (path) => {
    const prefixes = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
    let ignored = false;
    for (const r of rules) if (prefixes.some((p) => r.re.test(p))) ignored = !r.negate;
    return ignored;
  };
}

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      const slash = pattern[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * The files of the context: everything under the project `.dockerignore` lets through, except
 * folders given in `skip` (the output directory itself); symbolic links to folders are not followed.
 */
export function boardContext(projectRoot: string, skip: readonly string[] = []): BoardContext {
  const root = resolve(projectRoot);
  const ignoreFile = join(root, '.dockerignore');
  const ignored = dockerignoreMatcher(existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8') : '');
  const skipped = new Set(skip.map((s) => resolve(s)));
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const abs = join(dir, entry.name);
      const rel = relative(root, abs).split(sep).join('/');
      if (skipped.has(abs) || ignored(rel)) continue;
      if (entry.isDirectory()) walk(abs);
      else if (entry.isFile()) files.push(rel);
    }
  };
  walk(root);
  // Docker reads these two whatever .dockerignore says.
  for (const always of ['Dockerfile', '.dockerignore']) if (existsSync(join(root, always)) && !files.includes(always)) files.push(always);
  files.sort();
  const hash = createHash('sha256');
  for (const f of files)
    hash
      .update(`${f}\0`)
      .update(readFileSync(join(root, f)))
      .update('\0');
  return { files, projectRoot: root, hash: hash.digest('hex') };
}

/** Copies the context into `<outdir>/board-image/`, replacing what an earlier synth left there. */
export function writeBoardContext(ctx: BoardContext, outdir: string): string {
  const dir = join(outdir, BOARD_CONTEXT_DIR);
  rmSync(dir, { recursive: true, force: true });
  for (const f of ctx.files) {
    const target = join(dir, f);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(ctx.projectRoot, f), target);
  }
  return dir;
}
