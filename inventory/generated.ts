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
