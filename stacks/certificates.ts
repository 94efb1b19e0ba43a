// `sansang certs csr`: a private key and a certificate signing request per unit portal, for the
// province's CA, made by openssl: the portal's hostname as the subject, it and the unit's legacy
// hostnames as SANs (so the old names' HTTPS requests reach their 301 without a name mismatch).
// The files go beside the certificate the unit stack reads (`portal.certificate`): `<hostname>.key`,
// `<hostname>.csr`; a key that exists is kept (a new CSR is made from it), never overwritten. Run
// again once the CA's `<hostname>.crt` files are back: each is put together with its key into the
// PEM file HAProxy reads. `--self-signed DAYS` writes that PEM at once, signed by its own key:
// throwaway certificates for a test bench, never for citizens.
import { spawn } from 'node:child_process';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError, type Inventory, type Unit } from '../inventory/index.ts';
import { certificateSource } from './unit-stack.ts';

export interface CsrOptions {
  inventoryDir: string;
  /** One folder for every unit's files, instead of beside each certificate. */
  out?: string;
  key?: 'rsa' | 'ec';
  /** Also write `<certificate>.pem`, self-signed, valid this many days (test benches only). */
  selfSignedDays?: number;
  /** openssl processes at once. */
  parallel?: number;
}

export interface CsrResult {
  units: number;
  newKeys: number;
  /** PEM files written: assembled from a CA's .crt, or self-signed. */
  pems: string[];
  /** PEM files left as they were (they exist). */
  keptPems: number;
  dirs: string[];
}

export class OpensslError extends InputError {
  override name = 'OpensslError';
}

/** The files of one unit. */
export function certificateFiles(unit: Unit, o: Pick<CsrOptions, 'inventoryDir' | 'out'>) {
  const pem = certificateSource(unit, o.inventoryDir);
  const dir = o.out ?? dirname(pem);
  const host = unit.portal!.hostname;
  return { pem, dir, key: join(dir, `${host}.key`), csr: join(dir, `${host}.csr`), crt: join(dir, `${host}.crt`) };
}

/** An RDN value as openssl's -subj reads it. */
const rdn = (s: string) => s.replace(/[\\/+=,]/g, (c) => `\\${c}`);

export async function certificateRequests(inv: Inventory, o: CsrOptions): Promise<CsrResult> {
  const units = inv.units.filter((u) => u.portal);
  const result: CsrResult = { units: units.length, newKeys: 0, pems: [], keptPems: 0, dirs: [] };
  const queue = [...units];
  const worker = async () => {
    for (let unit = queue.shift(); unit; unit = queue.shift()) await oneUnit(inv, unit, o, result);
  };
  await Promise.all(Array.from({ length: Math.max(1, o.parallel ?? 4) }, worker));
  result.dirs = [...new Set(units.map((u) => certificateFiles(u, o).dir))].sort();
  result.pems.sort();
  return result;
}

async function oneUnit(inv: Inventory, unit: Unit, o: CsrOptions, result: CsrResult): Promise<void> {
  const f = certificateFiles(unit, o);
  const portal = unit.portal!;
  await mkdir(f.dir, { recursive: true });
  const subject = `/C=VN/O=${rdn(inv.province.name)}/CN=${rdn(portal.hostname)}`;
  const san = `subjectAltName=${[portal.hostname, ...portal.legacyHostnames].map((h) => `DNS:${h}`).join(',')}`;
  const keyArgs = existsSync(f.key)
    ? ['-key', f.key]
    : o.key === 'ec'
      ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-noenc', '-keyout', f.key]
      : ['-newkey', 'rsa:2048', '-noenc', '-keyout', f.key];
  if (!existsSync(f.key)) result.newKeys++;
  await openssl(['req', '-new', '-utf8', ...keyArgs, '-subj', subject, '-addext', san, '-out', f.csr]);
  await chmod(f.key, 0o600);
  if (existsSync(f.pem)) {
    result.keptPems++;
    return;
  }
  await mkdir(dirname(f.pem), { recursive: true });
  if (existsSync(f.crt)) {
    // The CA's answer: the certificate, then its key, as HAProxy reads them.
    await writeFile(f.pem, `${await readFile(f.crt, 'utf8')}${await readFile(f.key, 'utf8')}`, { mode: 0o600 });
    result.pems.push(f.pem);
  } else if (o.selfSignedDays) {
    const tmp = `${f.crt}.self-signed`;
    await openssl([
      'x509',
      '-req',
      '-in',
      f.csr,
      '-key',
      f.key,
      '-days',
      String(o.selfSignedDays),
      '-copy_extensions',
      'copyall',
      '-out',
      tmp,
    ]);
    await writeFile(f.pem, `${await readFile(tmp, 'utf8')}${await readFile(f.key, 'utf8')}`, { mode: 0o600 });
    await rm(tmp);
    result.pems.push(f.pem);
  }
}

function openssl(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new OpensslError('openssl is not installed (Debian: apt-get install openssl)') : e),
    );
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new OpensslError(`openssl ${args[0]} failed for ${basename(args[args.length - 1]!)}: ${err.trim()}`)),
    );
  });
}
