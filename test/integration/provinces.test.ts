// Real provinces, every unit, from the official table to deploy-ready stacks with no hand edits,
// as an engineer runs it: Nghệ An, Hà Nội and TP Hồ Chí Minh imported onto the province template
// (`inventory import`), checked, synthesised (each province once, the three in parallel); for
// Nghệ An `certs csr` makes throwaway certificates and `config all` writes what the stacks ship,
// checked by haproxy -c (every unit, both data centers) and named-checkzone. No stack holds an
// absolute path of this machine.
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadInventoryFile, type Inventory } from '../../inventory/index.ts';
import { haproxyConfigPath } from '../../stacks/index.ts';
import { namedCheckZone, run, tempDir } from '../../stacks/test-support.ts';

const repo = resolve(import.meta.dirname, '../..');
const csv = resolve(repo, '../shared/data/nso-dvhc-2025-07.csv');
const exec = promisify(execFile);
const PROVINCES = [
  { code: '40', units: 130 },
  { code: '01', units: 126 },
  { code: '79', units: 168 },
] as const;

async function sansang(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, [join(repo, 'bin/sansang.js'), ...args], {
      cwd,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, CHECKPOINT_DISABLE: '1' },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Every file under a folder, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

// One folder per province, as its engineers keep it: the inventory, its certs/, cdktf.out and the state beside.
const root = tempDir('provinces');
const results = new Map<
  string,
  { dir: string; importRun: Awaited<ReturnType<typeof sansang>>; check: string; synth: Awaited<ReturnType<typeof sansang>> }
>();

beforeAll(async () => {
  await Promise.all(
    PROVINCES.map(async (p) => {
      const dir = join(root, p.code);
      mkdirSync(dir);
      const site = `10.${Number(p.code)}.0.0/16`;
      // Nghệ An also has a table of its old units' portals: two of Vinh's old wards, one API kept.
      const legacy = p.code === '40' ? ['--legacy', 'legacy-portals.csv'] : [];
      if (legacy.length)
        writeFileSync(
          join(dir, 'legacy-portals.csv'),
          'old_code,hostname,keep_paths\n16663,dongvinh.vinhcity.gov.vn,/api/tracuu\n16669,leloi.vinhcity.gov.vn,\n',
        );
      const importRun = await sansang(
        dir,
        'inventory',
        'import',
        '--nso',
        csv,
        '--province',
        p.code,
        '--site-cidr',
        site,
        '--base',
        join(repo, 'inventory/examples/province-template.yaml'),
        '--out',
        'province.yaml',
        ...legacy,
      );
      const check = await sansang(dir, 'inventory', 'check', 'province.yaml');
      const synth = await sansang(dir, 'synth', '--inventory', 'province.yaml');
      results.set(p.code, { dir, importRun, check: `${check.code} ${check.stdout}${check.stderr}`, synth });
    }),
  );
}, 240_000);

describe('a province imported onto the template, with no hand edits', () => {
  for (const p of PROVINCES) {
    it(`${p.code}: checks clean and synthesises 2 + ${p.units} stacks`, () => {
      const r = results.get(p.code)!;
      expect(r.importRun.code, r.importRun.stderr).toBe(0);
      expect(r.importRun.stderr).toMatch(
        new RegExp(`^province\\.yaml: ${p.units} units of .* \\(${p.code}\\), merged into the base inventory; ${p.units} with a portal`),
      );
      expect(r.check).toMatch(
        new RegExp(`^0 province\\.yaml: valid — .*: 2 data centers, 6 services, ${p.units} units, ${p.units} sites\\n$`),
      );
      expect(r.synth.code, r.synth.stderr).toBe(0);
      expect(r.synth.stdout).toMatch(/^inventory: province\.yaml\n/);
      expect(r.synth.stdout).toContain(`synthesized ${2 + p.units} stacks`);
      const stacks = readdirSync(join(r.dir, 'cdktf.out/stacks')).sort();
      expect(stacks.filter((s) => s.startsWith('dc-'))).toEqual(['dc-dc1', 'dc-dc2']);
      expect(stacks.filter((s) => s.startsWith('unit-'))).toHaveLength(p.units);
      // No certificate yet: said once, with the count and the command that makes the CSRs.
      const warnings = r.synth.stderr.trim().split('\n');
      expect(warnings).toEqual([
        `warning: ${p.units} of ${p.units} unit certificates do not exist yet (first: ${warnings[0]!.match(/first: (certs\/[^)]+)/)?.[1]}); \`npx sansang certs csr --inventory province.yaml\` writes a key and a CSR per unit for your CA; Terraform stops at deploy until they exist`,
      ]);
    });
  }

  it('no stack holds an absolute path of this machine: not the project, not the folder it was synthesised from', () => {
    for (const p of PROVINCES) {
      const { dir } = results.get(p.code)!;
      const out = join(dir, 'cdktf.out');
      let files = 0;
      for (const f of filesUnder(out)) {
        const text = readFileSync(f, 'latin1');
        files++;
        expect(text.includes(repo), `${f} names ${repo}`).toBe(false);
        expect(text.includes(root), `${f} names ${root}`).toBe(false);
      }
      expect(files).toBeGreaterThan(p.units);
    }
  });
});

describe('Nghệ An, deploy-ready', () => {
  let dir = '';
  let inv: Inventory;
  let config = '';

  beforeAll(async () => {
    dir = results.get('40')!.dir;
    inv = await loadInventoryFile(join(dir, 'province.yaml'));
    const csr = await sansang(dir, 'certs', 'csr', '--inventory', 'province.yaml', '--key', 'ec', '--self-signed', '2');
    expect(csr.code, csr.stderr).toBe(0);
    expect(csr.stdout).toMatch(
      /^130 keys and CSRs in certs \(130 new keys; existing keys are kept\)\n130 PEM files written \(self-signed: for a test bench only\)\n$/,
    );
    const cfg = await sansang(dir, 'config', 'all', '--inventory', 'province.yaml', '--out', 'config');
    expect(cfg.code, cfg.stderr).toBe(0);
    config = join(dir, 'config');
  }, 120_000);

  it('the CSR command wrote a key and a CSR per unit, the SANs its hostname and legacy hostnames; the synth finds every certificate', async () => {
    const unit = inv.units.find((u) => u.code === '16681')!;
    const host = unit.portal!.hostname;
    const csr = run('openssl', ['req', '-in', join(dir, 'certs', `${host}.csr`), '-noout', '-text'], 'openssl');
    expect(csr.stdout).toContain(`CN = ${host}`);
    expect(csr.stdout).toContain(`DNS:${host}, DNS:dongvinh.vinhcity.gov.vn, DNS:leloi.vinhcity.gov.vn`);
    expect(unit.portal!.keepPaths).toEqual(['/api/tracuu']);
    expect(readdirSync(join(dir, 'certs')).filter((f) => f.endsWith('.key'))).toHaveLength(130);
    const again = await sansang(dir, 'synth', '--inventory', 'province.yaml', '--out', 'cdktf.out');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toBe('');
  });

  it('haproxy -c accepts every unit’s config in both data centers, with its certificate beside it', async () => {
    const checks = inv.units.flatMap((u) =>
      inv.dataCenters.map((dc) => {
        const cfg = join(config, haproxyConfigPath(u, dc));
        copyFileSync(join(dir, u.portal!.certificate), join(cfg, '..', `${u.portal!.hostname}.pem`));
        return cfg;
      }),
    );
    expect(checks).toHaveLength(260);
    const failures: string[] = [];
    const queue = [...checks];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let cfg = queue.shift(); cfg; cfg = queue.shift()) {
          const r = await exec('haproxy', ['-c', '-f', cfg], { cwd: '/' }).catch((e: { stderr: string; code?: string }) => {
            if (e.code === 'ENOENT') throw new Error('haproxy is not installed: apt-get install haproxy');
            return { stdout: '', stderr: `FAILED ${e.stderr}` };
          });
          if (!`${r.stdout}${r.stderr}`.includes('Configuration file is valid') || r.stderr.includes('[WARNING]'))
            failures.push(`${cfg}: ${r.stderr}`);
        }
      }),
    );
    expect(failures).toEqual([]);
  });

  it('named-checkzone loads both zones, each with every unit’s portal hostname at its address in that data center', () => {
    for (const dc of inv.dataCenters) {
      const r = namedCheckZone(join(config, `dns/${dc.id}.zone`));
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.records).toEqual(
        inv.units
          .flatMap((u) => [u.portal!.hostname, ...u.portal!.legacyHostnames].map((h) => `${h}. ${u.portal!.addresses[dc.id]}`))
          .sort(),
      );
      expect(r.records).toHaveLength(132);
    }
  });

  it('the province folder moves as one: copied elsewhere, its cdktf.out still names the certificates where they are', () => {
    const moved = join(tempDir('moved'), 'nghe-an');
    cpSync(dir, moved, { recursive: true });
    const unitStack = JSON.parse(readFileSync(join(moved, 'cdktf.out/stacks/unit-16681/cdk.tf.json'), 'utf8')) as {
      resource: { docker_container: Record<string, { upload: { source?: string }[] }> };
    };
    const sources = Object.values(unitStack.resource.docker_container).flatMap((c) =>
      c.upload.flatMap((u) => (u.source ? [u.source] : [])),
    );
    expect(sources).toHaveLength(2);
    for (const s of sources) {
      const cert = resolve(moved, 'cdktf.out/stacks/unit-16681', s);
      expect(cert.startsWith(moved)).toBe(true);
      expect(readFileSync(cert, 'utf8')).toContain('BEGIN CERTIFICATE');
    }
  });
});
