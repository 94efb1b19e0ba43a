// The command line as a person meets it: real processes, exit codes, and never a stack trace.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const csv = resolve(repo, '../shared/data/nso-dvhc-2025-07.csv');
const run = promisify(execFile);

async function sansang(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [join(repo, 'bin/sansang.js'), ...args], { cwd: repo, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const noStack = (s: string) => expect(s).not.toMatch(/^\s+at .+\(.*:\d+:\d+\)$/m);

describe('sansang inventory check', () => {
  it('accepts the example and exits 0', async () => {
    const r = await sansang('inventory', 'check', 'inventory/examples/demo.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid — .*3 units, 5 sites \(a demo: its stand-ins are on this machine; not a province to deploy\)\n$/);
  });

  it('prints FILE:LINE:COL per problem and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sansang-cli-'));
    const bad = join(dir, 'bad.yaml');
    // The URL list the example names, beside the copy (its rows are not what is wrong here).
    writeFileSync(join(dir, 'demo-urls.csv'), readFileSync(join(repo, 'inventory/examples/demo-urls.csv')));
    writeFileSync(
      bad,
      readFileSync(join(repo, 'inventory/examples/demo.yaml'), 'utf8')
        .replace('hotSpot: true', 'hotspot: true')
        .replace('port: 18025', 'port: "x"'),
    );
    const r = await sansang('inventory', 'check', bad);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${bad}:\\d+:\\d+ services\\[3\\]\\.probes\\[0\\]\\.port: `));
    expect(lines[1]).toMatch(new RegExp(`^${bad}:\\d+:\\d+ units\\[0\\]\\.hotspot: unknown key "hotspot" \\(did you mean "hotSpot"\\?\\)`));
    expect(lines.at(-1)).toBe(`2 problems in ${bad}`);
    noStack(r.stderr);
  });

  it("rejects a URL list with malformed rows at the list's own FILE:LINE:COL, and one it cannot read", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sansang-cli-'));
    const yaml = join(dir, 'inventory.yaml');
    writeFileSync(yaml, readFileSync(join(repo, 'inventory/examples/demo.yaml'), 'utf8'));
    const list = join(dir, 'demo-urls.csv');
    writeFileSync(
      list,
      [
        'url,status,location,body',
        'http://127.0.0.1:18090/a,200,,ok',
        'http://127.0.0.1:18090/b,30x,https://new.example.test/b,',
        'http://127.0.0.1:18090/c,301,,',
        'ftp://127.0.0.1/d,200,,',
        '',
      ].join('\n'),
    );
    const r = await sansang('inventory', 'check', yaml);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      `${list}:3:26 expected an HTTP status such as 200 or 301, not "30x"`,
      `${list}:4:30 a redirect (301) names the location it must go to`,
      `${list}:5:1 "ftp://127.0.0.1/d" is not an http:// or https:// URL with a hostname or an address`,
    ]);
    noStack(r.stderr);
    // A list that is not there is said at the line the inventory names it.
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('file: demo-urls.csv', 'file: missing.csv'));
    const gone = await sansang('inventory', 'check', yaml);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(new RegExp(`^${dir}/missing\\.csv:1:1 .*`, 'm'));
    noStack(gone.stderr);
  });

  it('says a missing file is missing', async () => {
    const r = await sansang('inventory', 'check', '/nonexistent/inventory.yaml');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^\/nonexistent\/inventory\.yaml:1:1 cannot read the inventory: no such file/);
    noStack(r.stderr);
  });
});

describe('sansang inventory import', () => {
  it('imports any province onto the province template, and the result checks clean', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sansang-cli-'));
    const out = join(dir, 'hn.yaml');
    const r = await sansang(
      'inventory',
      'import',
      '--nso',
      csv,
      '--province',
      '1',
      '--site-cidr',
      '10.1.0.0/16',
      '--base',
      'inventory/examples/province-template.yaml',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/126 units of Thành phố Hà Nội \(01\), merged into the base inventory; 126 with a portal/);
    const check = await sansang('inventory', 'check', out);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/valid — Thành phố Hà Nội: 2 data centers, 6 services, 126 units, 126 sites/);
  });

  it('refuses the demo inventory as a base, says what to use instead, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sansang-cli-'));
    const out = join(dir, 'hn.yaml');
    const r = await sansang('inventory', 'import', '--nso', csv, '--province', '1', '--base', 'inventory/examples/demo.yaml', '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^sansang: --base inventory\/examples\/demo\.yaml is a demo inventory \(demo: true\).*Start from the province template instead: copy inventory\/examples\/province-template\.yaml/,
    );
    expect(existsSync(out)).toBe(false);
    noStack(r.stderr);
  });

  it('lists the province codes when the code is unknown', async () => {
    const r = await sansang('inventory', 'import', '--nso', csv, '--province', '99');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no province with code "99".*40 Tỉnh Nghệ An/);
    noStack(r.stderr);
  });

  it('names the physical line of a truncated table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sansang-cli-'));
    const cut = join(dir, 'cut.csv');
    const lines = readFileSync(csv, 'utf8').split('\n').slice(0, 20);
    writeFileSync(cut, `${lines.join('\n')}\nThành phố Hà Nội (01),"Phường X,00004`);
    const r = await sansang('inventory', 'import', '--nso', cut, '--province', '1');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${cut}:21: .*never closed`));
    noStack(r.stderr);
  });

  it('says how large the site CIDR must be', async () => {
    const r = await sansang('inventory', 'import', '--nso', csv, '--province', '40', '--site-cidr', '10.40.0.0/24');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/it must be a \/18 or larger/);
  });

  it('reads its help like a person would', async () => {
    const r = await sansang('inventory', 'import', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--site-cidr <cidr>/);
    expect(r.stdout).toMatch(/--unit-prefix <n>/);
  });
});

describe('sansang inventory diff', () => {
  it('lists what an amended table changed, and exits 1 when a kept unit lost its allocations', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sansang-cli-'));
    const before = join(dir, 'before.yaml');
    const imported = await sansang(
      'inventory',
      'import',
      '--nso',
      csv,
      '--province',
      '40',
      '--site-cidr',
      '10.40.0.0/16',
      '--base',
      'inventory/examples/province-template.yaml',
      '--out',
      before,
    );
    expect(imported.code, imported.stderr).toBe(0);
    const same = await sansang('inventory', 'diff', before, before);
    expect(same.code).toBe(0);
    expect(same.stdout).toBe(`${before} → ${before}\n130 kept units kept their subnets, portal hostnames and portal addresses\n`);
    // Hand-moved: a unit's subnet and its HAProxy address in dc1.
    const after = join(dir, 'after.yaml');
    writeFileSync(
      after,
      readFileSync(before, 'utf8')
        .replace('subnet: 10.40.0.0/26', 'subnet: 10.40.200.0/26')
        .replace('address: 10.40.0.10\n', 'address: 10.40.200.10\n')
        .replace('gateway: 10.40.0.1\n', 'gateway: 10.40.200.1\n')
        .replace('dc1: 172.20.2.1\n', 'dc1: 172.20.3.200\n'),
    );
    const moved = await sansang('inventory', 'diff', before, after);
    expect(moved.stderr).toBe('');
    expect(moved.code).toBe(1);
    expect(moved.stdout).toMatch(
      /MOVED: kept units whose allocations changed .*\(1\):\n {2}16681 Phường Thành Vinh: subnet 10\.40\.0\.0\/26 → 10\.40\.200\.0\/26; portal address in dc1 172\.20\.2\.1 → 172\.20\.3\.200\n$/,
    );
  });
});
