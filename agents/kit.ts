// `sansang agent kit`: everything one site needs, for a USB stick: the agent bundled by esbuild
// into one CommonJS file that any Node >= 20 runs with no `npm install`, the site's slice of the
// inventory (never the whole province) with the files it names, a systemd unit and a README.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import {
  InputError,
  findSite,
  loadInventoryFile,
  pushToken,
  readSecretText,
  siteSliceDocument,
  type SiteSliceDocument,
} from '../inventory/index.ts';
import {
  BUNDLE_NAME,
  CONFIG_NAME,
  EXECUTABLE_NAME,
  EXECUTABLE_UNIT_NAME,
  NODE_FLAGS,
  UNIT_NAME,
  kitReadme,
  systemdUnit,
} from './install/layout.ts';
import { buildExecutable } from './install/sea.ts';
import { carryProbeFiles } from './probes/kinds.ts';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The bundle's first lines. As a single executable (agents/install/sea.ts) it reads no Node
 * options from its command line, so the unit's V8 flags (NODE_FLAGS), given first, are set here
 * before any other code of the bundle runs, and taken off the arguments.
 */
const BANNER = [
  '#!/usr/bin/env node',
  '// sansang site agent, bundled by `sansang agent kit`. Run: node sansang-agent.cjs --help',
  `(() => { let sea = false; try { sea = require('node:sea').isSea(); } catch {} if (!sea) return; const flags = ${JSON.stringify(NODE_FLAGS)}; while (flags.includes(process.argv[2])) require('node:v8').setFlagsFromString(process.argv.splice(2, 1)[0]); })();`,
  "const __sansangBundleUrl = require('node:url').pathToFileURL(__filename).href;",
].join('\n');

/** Bundles agents/entry.ts into one file. */
export async function bundleAgent(outfile: string): Promise<void> {
  await build({
    entryPoints: [join(here, 'entry.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Some dependencies read import.meta.url at load (node-cron): give them this file's URL.
    define: { 'import.meta.url': '__sansangBundleUrl' },
    minify: true,
    legalComments: 'eof',
    logLevel: 'error',
    banner: { js: BANNER },
  });
}

export interface KitOptions {
  inventory: string;
  site: string;
  out: string;
  /** Also the single Linux x64 executable (default true). */
  executable?: boolean;
  /** The province's push secret file: the kit carries the site's own token (files/push-token.key), never the secret. */
  pushSecret?: string;
}

export async function buildKit(o: KitOptions): Promise<string[]> {
  const inv = await loadInventoryFile(o.inventory);
  if (!findSite(inv, o.site)) throw new InputError(`no site "${o.site}" in ${o.inventory}`);
  const slice = siteSliceDocument(inv, o.site);
  const invDir = dirname(resolve(o.inventory));
  await mkdir(join(o.out, 'files'), { recursive: true });
  const written: string[] = [];

  // Files the slice names are copied into files/ and the slice points at the copies.
  const copies = new Map<string, string>();
  const carry = async (file: string): Promise<string> => {
    const src = isAbsolute(file) ? file : resolve(invDir, file);
    let name = copies.get(src);
    if (!name) {
      name = `files/${copies.size}-${basename(src)}`;
      try {
        await copyFile(src, join(o.out, name));
      } catch {
        throw new InputError(`${file} (named in the inventory) cannot be read`);
      }
      copies.set(src, name);
      written.push(join(o.out, name));
    }
    return name;
  };
  const out: SiteSliceDocument = structuredClone(slice);
  for (const svc of out.services) for (const [i, p] of svc.probes.entries()) svc.probes[i] = await carryProbeFiles(p, carry);
  if (out.agent.caFile) out.agent.caFile = await carry(out.agent.caFile);
  if (o.pushSecret) {
    let secret: string;
    try {
      secret = readSecretText(await readFile(o.pushSecret, 'utf8'));
    } catch (e) {
      throw new InputError(
        `--push-secret ${o.pushSecret}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
      );
    }
    const name = 'files/push-token.key';
    await writeFile(join(o.out, name), `${pushToken(secret, slice.site.id)}\n`, { mode: 0o600 });
    written.push(join(o.out, name));
    out.agent.push = { ...out.agent.push, tokenFile: name };
  }
  if (out.agent.tls) out.agent.tls = { certFile: await carry(out.agent.tls.certFile), keyFile: await carry(out.agent.tls.keyFile) };

  const bundle = join(o.out, BUNDLE_NAME);
  await bundleAgent(bundle);
  written.push(bundle);
  if (o.executable !== false) {
    await buildExecutable(bundle, join(o.out, EXECUTABLE_NAME));
    written.push(join(o.out, EXECUTABLE_NAME));
  }
  const files: [string, string][] = [
    [CONFIG_NAME, `${JSON.stringify(out, null, 2)}\n`],
    [UNIT_NAME, systemdUnit(slice, 'node')],
    ...(o.executable !== false ? [[EXECUTABLE_UNIT_NAME, systemdUnit(slice, 'executable')] as [string, string]] : []),
    ['README.md', kitReadme(slice)],
  ];
  for (const [name, content] of files) {
    await writeFile(join(o.out, name), content);
    written.push(join(o.out, name));
  }
  return written;
}
