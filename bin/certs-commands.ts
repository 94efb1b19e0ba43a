// `sansang certs csr`: a key and a certificate signing request per unit portal, for the province's CA.
import { dirname, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadInventoryFile } from '../inventory/index.ts';
import { UsageError } from './errors.ts';

interface CsrFlags {
  inventory: string;
  out?: string;
  key: string;
  selfSigned?: string;
}

const shown = (p: string) => {
  const r = relative(process.cwd(), p);
  return r.startsWith('..') ? p : r || '.';
};

export function registerCertsCommands(program: Command): void {
  const certs = program.command('certs').description("the units' portal certificates");
  certs
    .command('csr')
    .description(
      "write a key and a CSR per unit with a portal (its hostname and legacy hostnames as SANs) beside the certificate it expects; run again with the CA's <hostname>.crt beside them to assemble <hostname>.pem",
    )
    .requiredOption('--inventory <file>', 'the inventory YAML file')
    .option(
      '--out <dir>',
      "one folder for every unit's key, CSR and CA certificate (default: beside each unit's portal.certificate; the PEM always goes there)",
    )
    .option('--key <type>', 'key type: rsa (RSA 2048, what every CA takes) or ec (ECDSA P-256)', 'rsa')
    .option('--self-signed <days>', 'also write each PEM self-signed for this many days: throwaway certificates for a test bench only')
    .action(async (f: CsrFlags) => {
      if (f.key !== 'rsa' && f.key !== 'ec') throw new UsageError(`--key is rsa or ec, not "${f.key}"`);
      const days = f.selfSigned === undefined ? undefined : Number(f.selfSigned);
      if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= 825))
        throw new UsageError(`--self-signed expects whole days from 1 to 825, not "${f.selfSigned}"`);
      const { certificateRequests } = await import('../stacks/index.ts');
      const inv = await loadInventoryFile(f.inventory);
      const r = await certificateRequests(inv, {
        inventoryDir: dirname(resolve(f.inventory)),
        out: f.out,
        key: f.key,
        selfSignedDays: days,
      });
      if (r.units === 0) {
        process.stderr.write(`${f.inventory}: no unit has a portal: nothing to do (give the inventory a portalPlan and import again)\n`);
        return;
      }
      process.stdout.write(
        `${r.units} keys and CSRs in ${r.dirs.map(shown).join(', ')} (${r.newKeys} new keys; existing keys are kept)\n` +
          (r.pems.length ? `${r.pems.length} PEM files written${days ? ' (self-signed: for a test bench only)' : ''}\n` : '') +
          (r.keptPems ? `${r.keptPems} PEM files existed and were left as they are\n` : '') +
          (r.pems.length + r.keptPems < r.units
            ? "next: send the .csr files to the province's CA; put each signed certificate back beside its key as <hostname>.crt and run this again: it writes <hostname>.pem (certificate, then key) where the unit stack reads it\n"
            : ''),
      );
    });
}
