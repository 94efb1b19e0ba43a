// The demo's own certificate authority and one server certificate for the HTTPS stand-ins,
// made with the openssl program (Debian: openssl) and kept between runs. Arguments are fixed
// strings, never a shell.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InputError } from '../inventory/index.ts';

const run = promisify(execFile);

export interface DemoCa {
  caFile: string;
  cert: string;
  key: string;
}

/** Reuses the CA and certificate in `dir` while the certificate has a month left, else makes new ones. */
export async function ensureDemoCa(dir: string, names: string[] = ['localhost'], ips: string[] = ['127.0.0.1']): Promise<DemoCa> {
  await mkdir(dir, { recursive: true });
  const f = (n: string) => join(dir, n);
  if (existsSync(f('server.pem')) && existsSync(f('server-key.pem')) && existsSync(f('ca.pem'))) {
    const cert = await readFile(f('server.pem'), 'utf8');
    if (Date.parse(new X509Certificate(cert).validTo) - Date.now() > 30 * 86400_000) {
      return { caFile: f('ca.pem'), cert, key: await readFile(f('server-key.pem'), 'utf8') };
    }
  }
  const openssl = async (...args: string[]) => {
    try {
      await run('openssl', args, { cwd: dir });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: string };
      if (err.code === 'ENOENT')
        throw new InputError('the demo makes its certificates with openssl, which is not installed (Debian: apt-get install openssl)');
      throw new Error(`openssl ${args[0]} failed: ${err.stderr ?? err.message}`);
    }
  };
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    'ca-key.pem',
    '-out',
    'ca.pem',
    '-days',
    '365',
    '-subj',
    '/CN=sansang demo CA (not for production)',
  );
  const san = [...names.map((n) => `DNS:${n}`), ...ips.map((i) => `IP:${i}`)].join(',');
  await writeFile(
    f('server.ext'),
    `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n`,
  );
  await openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    'server-key.pem',
    '-out',
    'server.csr',
    '-subj',
    '/CN=sansang demo stand-in',
  );
  await openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca-key.pem',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '90',
    '-extfile',
    'server.ext',
  );
  return { caFile: f('ca.pem'), cert: await readFile(f('server.pem'), 'utf8'), key: await readFile(f('server-key.pem'), 'utf8') };
}
