// Synth time and peak memory of the stacks for one province (Nghệ An, 130 units) and for the whole
// country (all 34 provinces of the official table, 3,321 units), each with a portal and so a unit
// stack. No peer does this job: the figures stand alone. Goal: the country in < 60 s and < 2 GB.
//
//   npx tsx bench/synth.ts            both cases, each in a fresh process (peak RSS is per process)
//   npx tsx bench/synth.ts province   one case in this process
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Inventory, loadInventoryFile, type InventoryInput } from '../inventory/index.ts';
import { buildImport } from '../inventory/importer.ts';
import { parseNsoCsv } from '../inventory/nso.ts';
import { PROJECT_ROOT } from '../stacks/app.ts';
import { synthApp } from '../stacks/synth.ts';

const NSO = resolve(PROJECT_ROOT, '../shared/data/nso-dvhc-2025-07.csv');
const DEMO = resolve(PROJECT_ROOT, 'inventory/examples/demo.yaml');
type Case = 'province' | 'country';

/** The imported units, each given a portal: hostname, an address per data center, one backend in each. */
export async function inventoryFor(which: Case): Promise<Inventory> {
  const base = await loadInventoryFile(DEMO);
  const table = parseNsoCsv(readFileSync(NSO, 'utf8'), NSO);
  const provinces = which === 'province' ? table.provinces.filter((p) => p.code === '40') : table.provinces;
  const units = provinces.flatMap((p, i) => buildImport(p, { siteCidr: `10.${i}.0.0/16` }).inventory.units ?? []);
  const input: InventoryInput = {
    ...structuredClone(base),
    units: units.map((u, i) => ({
      ...u,
      portal: {
        hostname: `u${u.code}.gov.vn.invalid`,
        certificate: `certs/${u.code}.pem`,
        backends: [
          { dataCenter: 'dc1', address: `10.250.${250 - Math.floor(i / 250)}.${(i % 250) + 1}`, port: 8080 },
          { dataCenter: 'dc2', address: `10.251.${250 - Math.floor(i / 250)}.${(i % 250) + 1}`, port: 8080 },
        ],
        addresses: { dc1: `10.250.${Math.floor(i / 250)}.${(i % 250) + 1}`, dc2: `10.251.${Math.floor(i / 250)}.${(i % 250) + 1}` },
      },
    })),
    dataCenters: base.dataCenters.map((d, i) => ({
      ...d,
      wan: { ...d.wan, subnet: `10.25${i}.0.0/16`, gateway: `10.25${i}.255.254` },
      monitoring: {
        prometheus: `10.25${i}.255.10`,
        alertmanager: `10.25${i}.255.11`,
        grafana: `10.25${i}.255.12`,
        blackbox: `10.25${i}.255.13`,
        board: `10.25${i}.255.14`,
      },
    })),
    services: base.services.map((s) => ({ ...s, units: undefined })),
    maintenance: [],
    teams: [],
  };
  return Inventory.parse(input);
}

async function measure(which: Case): Promise<void> {
  const inv = await inventoryFor(which);
  const out = mkdtempSync(join(tmpdir(), 'sansang-bench-'));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const r = synthApp(inv, { inventoryDir: resolve(PROJECT_ROOT, 'inventory/examples'), outdir: out });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  rmSync(out, { recursive: true, force: true });
  const sites = inv.units.reduce((n, u) => n + u.sites.length, 0);
  console.log(
    `${which.padEnd(8)} ${String(inv.units.length).padStart(5)} units ${String(sites).padStart(5)} sites  ${String(r.stacks.length).padStart(5)} stacks ${String(r.resources).padStart(6)} resources  synth ${seconds.toFixed(1).padStart(6)} s (cpu ${cpuSeconds.toFixed(1).padStart(5)} s)  peak RSS ${peakMb.toFixed(0).padStart(5)} MB`,
  );
}

const arg = process.argv[2] as Case | undefined;
if (process.argv[1] !== fileURLToPath(import.meta.url)) {
  // Imported (by a profiler or a test): measure nothing.
} else if (arg === 'province' || arg === 'country') {
  await measure(arg);
} else {
  console.log(
    `sansang stacks synth benchmark (node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}); goal for the country: < 60 s, < 2048 MB`,
  );
  console.log('(wall time grows with the load of the machine; cpu time does not)');
  for (const which of ['province', 'country'] as const) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), which], {
      stdio: 'inherit',
      env: { ...process.env, CHECKPOINT_DISABLE: '1' },
    });
    if (r.status !== 0) process.exitCode = 1;
  }
}
