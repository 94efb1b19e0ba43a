// `sansang certs csr`: keys and CSRs with the right names, keys never replaced, the CA's answer
// put together with its key; and the board's build context filter (.dockerignore).
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadInventoryFile, type Inventory } from '../inventory/index.ts';
import { PROJECT_ROOT } from './app.ts';
import { dockerignoreMatcher } from './board-context.ts';
import { certificateFiles, certificateRequests } from './certificates.ts';
import { run, tempDir } from './test-support.ts';

let inv: Inventory;
beforeAll(async () => {
  inv = await loadInventoryFile(resolve(PROJECT_ROOT, 'inventory/examples/demo.yaml'));
});

describe('certs csr', () => {
  it("writes a key (0600) and a CSR per unit, the hostname and legacy hostnames as SANs; keeps the key; assembles the CA's certificate with it", async () => {
    const out = tempDir('csr');
    const o = { inventoryDir: out, out, key: 'ec' as const };
    const first = await certificateRequests(inv, o);
    expect(first).toMatchObject({ units: 3, newKeys: 3, pems: [], keptPems: 0, dirs: [out] });
    const unit = inv.units.find((u) => u.code === '16681')!;
    const f = certificateFiles(unit, o);
    expect(f.key).toBe(join(out, 'thanhvinh.nghean.gov.vn.key'));
    expect(statSync(f.key).mode & 0o777).toBe(0o600);
    const text = run('openssl', ['req', '-in', f.csr, '-noout', '-text'], 'openssl').stdout;
    expect(text).toContain('CN = thanhvinh.nghean.gov.vn');
    expect(text).toContain('DNS:thanhvinh.nghean.gov.vn, DNS:vinhcity.nghean.gov.vn, DNS:dongvinh.vinhcity.gov.vn');
    const key = readFileSync(f.key, 'utf8');

    // The province's CA signs the CSR; the certificate comes back beside the key.
    const ca = tempDir('ca');
    run(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-noenc',
        '-keyout',
        join(ca, 'ca.key'),
        '-out',
        join(ca, 'ca.crt'),
        '-days',
        '2',
        '-subj',
        '/CN=CA thu',
      ],
      'openssl',
    );
    const signed = run(
      'openssl',
      [
        'x509',
        '-req',
        '-in',
        f.csr,
        '-CA',
        join(ca, 'ca.crt'),
        '-CAkey',
        join(ca, 'ca.key'),
        '-days',
        '2',
        '-copy_extensions',
        'copyall',
        '-out',
        f.crt,
      ],
      'openssl',
    );
    expect(signed.status, signed.stderr).toBe(0);
    const second = await certificateRequests(inv, o);
    expect(second).toMatchObject({ newKeys: 0, pems: [f.pem], keptPems: 0 });
    expect(readFileSync(f.key, 'utf8')).toBe(key);
    expect(readFileSync(f.pem, 'utf8')).toBe(`${readFileSync(f.crt, 'utf8')}${key}`);
    // A PEM that exists is never written over.
    writeFileSync(f.pem, 'the real one');
    expect((await certificateRequests(inv, o)).keptPems).toBe(1);
    expect(readFileSync(f.pem, 'utf8')).toBe('the real one');
    expect(existsSync(join(out, 'nghiloc.nghean.gov.vn.pem'))).toBe(false);
  });
});

describe("the board's build context", () => {
  it('leaves out what .dockerignore says, at any depth where it says **, and keeps the rest', () => {
    const ignored = dockerignoreMatcher(readFileSync(resolve(PROJECT_ROOT, '.dockerignore'), 'utf8'));
    for (const p of [
      'node_modules/x/y.js',
      'cdktf.out',
      'provinces/na/cdktf.out/stacks/dc-dc1/cdk.tf.json',
      'stacks/stacks.test.ts',
      'certs/a.pem',
      'p/terraform.dc-dc1.tfstate',
      'test/run.sh',
      '.git',
    ])
      expect(ignored(p), p).toBe(true);
    for (const p of ['bin/sansang.js', 'inventory/examples/demo.yaml', 'package-lock.json', 'b/a.log']) expect(ignored(p), p).toBe(false);
    const m = dockerignoreMatcher('docs\n!docs/keep.md\n# a comment\n/build/\n');
    expect([m('docs/a.md'), m('docs/keep.md'), m('build/x'), m('src/build/x')]).toEqual([true, false, true, false]);
  });
});
