// Files the generators produce (rules, prometheus.yml, haproxy.cfg…): pure data until written.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface GeneratedFile {
  /** Path relative to the output directory; files refer to each other by these relative paths. */
  path: string;
  content: string;
}

/** Writes each file atomically (temporary file, then rename), so a crash never leaves half a config. */
export async function writeGeneratedFiles(dir: string, files: readonly GeneratedFile[]): Promise<string[]> {
  const written: string[] = [];
  for (const f of files) {
    if (f.path.startsWith('/') || f.path.split('/').includes('..')) throw new Error(`refusing to write outside ${dir}: ${f.path}`);
    const target = join(dir, f.path);
    await mkdir(dirname(target), { recursive: true });
    const tmp = `${target}.tmp-${process.pid}`;
    await writeFile(tmp, f.content);
    await rename(tmp, target);
    written.push(target);
  }
  return written;
}

/**
 * Text from the inventory made safe for a comment in a line-oriented file (a YAML or HAProxy
 * `#`, a zone file's `;`, a Markdown heading): one line, no control characters, so a name can
 * never end the comment and start a record or a key of its own. The loader refuses control
 * characters already; this holds for any inventory object, loaded or built in code.
 */
export function commentText(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it removes
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\s]+/g, ' ').trim();
}
