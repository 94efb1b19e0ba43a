// `sansang agent install`: at the site, from the kit folder. Copies the bundled agent, the
// site's configuration (and the files it names) and the systemd unit into place under `root`
// (default /), atomically; prints the next steps. `--dry-run` prints and writes nothing.
import { access, chmod, mkdir, readFile, readdir, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError, SiteSliceDocument } from '../../inventory/index.ts';
import { writeFileInPieces } from './write-in-pieces.ts';
import { BUNDLE_NAME, CONFIG_NAME, EXECUTABLE_NAME, EXECUTABLE_UNIT_NAME, INSTALL_PATHS, UNIT_NAME, type AgentForm } from './layout.ts';

export interface InstallOptions {
  kit: string;
  root: string;
  dryRun: boolean;
  out: (line: string) => void;
  /** The bundle with Node (default), or the single executable and its unit (what the executable installs when it runs `install`). */
  form?: AgentForm;
}

export async function installFromKit(o: InstallOptions): Promise<string[]> {
  const exe = o.form === 'executable';
  const need = exe ? [EXECUTABLE_NAME, CONFIG_NAME, EXECUTABLE_UNIT_NAME] : [BUNDLE_NAME, CONFIG_NAME, UNIT_NAME];
  for (const f of need) {
    try {
      await access(join(o.kit, f));
    } catch {
      throw new InputError(`${o.kit} is not a kit folder: ${f} is missing (make one with \`sansang agent kit\`)`);
    }
  }
  const configText = await readFile(join(o.kit, CONFIG_NAME), 'utf8');
  const parsed = SiteSliceDocument.safeParse(JSON.parse(configText));
  if (!parsed.success) throw new InputError(`${join(o.kit, CONFIG_NAME)} is not a valid site configuration`);
  if (o.root === '/' && !o.dryRun && typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new InputError('run the installation as root (sudo), or use --dry-run to see what it would write');
  }

  const plan: { from: string; to: string; mode: number }[] = [
    exe
      ? { from: join(o.kit, EXECUTABLE_NAME), to: INSTALL_PATHS.executable, mode: 0o755 }
      : { from: join(o.kit, BUNDLE_NAME), to: INSTALL_PATHS.bundle, mode: 0o755 },
    { from: join(o.kit, CONFIG_NAME), to: `${INSTALL_PATHS.configDir}/${CONFIG_NAME}`, mode: 0o644 },
    { from: join(o.kit, exe ? EXECUTABLE_UNIT_NAME : UNIT_NAME), to: INSTALL_PATHS.unit, mode: 0o644 },
  ];
  const extra = await readdir(join(o.kit, 'files')).catch(() => [] as string[]);
  for (const f of extra)
    plan.push({ from: join(o.kit, 'files', f), to: `${INSTALL_PATHS.configDir}/files/${f}`, mode: f.endsWith('.key') ? 0o640 : 0o644 });
  for (const f of ['README.md']) plan.push({ from: join(o.kit, f), to: `${INSTALL_PATHS.configDir}/${f}`, mode: 0o644 });

  const written: string[] = [];
  for (const p of plan) {
    const target = join(o.root, p.to);
    const content = await readFile(p.from).catch(() => null);
    if (!content) continue;
    if (o.dryRun) {
      o.out(`would write ${target} (${content.length} bytes, mode ${p.mode.toString(8)})`);
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    const tmp = `${target}.tmp-${process.pid}`;
    // In pieces, so the executable runs from small page-cache folios (write-in-pieces.ts).
    await writeFileInPieces(tmp, content, p.mode);
    await chmod(tmp, p.mode);
    await rename(tmp, target);
    written.push(target);
    o.out(`wrote ${target}`);
  }
  const s = parsed.data;
  o.out('');
  o.out(o.dryRun ? 'Nothing was written (--dry-run).' : `Installed the agent for site ${s.site.id} (unit ${s.unit.code}). Next:`);
  o.out('  sudo systemctl daemon-reload && sudo systemctl enable --now sansang-agent');
  o.out(`  ${exe ? INSTALL_PATHS.executable : `node ${INSTALL_PATHS.bundle}`} check --config ${INSTALL_PATHS.configDir}/${CONFIG_NAME}`);
  return written;
}
