// Synth time and peak memory of the stacks for one province (Nghệ An, 130 units) and for the whole
// country (all 34 provinces of the official table, 3,321 units), imported onto the province
// template as an engineer would: every unit's portal comes from the importer's portal plan, so
// every unit has a stack. No peer does this job: the figures stand alone. Goal: the country in
// < 60 s and < 2 GB.
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
const TEMPLATE = resolve(PROJECT_ROOT, 'inventory/examples/province-template.yaml');
type Case = 'province' | 'country';

/**
 * Each province imported onto the template. For the country, in one inventory: data centers wide
 * enough for every unit's HAProxy (10.250.0.0/16 and 10.251.0.0/16), each province's portal plan
 * its own /24 of them and its sites 10.<i>.0.0/16, as each province's own template would say.
 */
export async function inventoryFor(which: Case): Promise<Inventory> {
  const template = await loadInventoryFile(TEMPLATE);
  const table = parseNsoCsv(readFileSync(NSO, 'utf8'), NSO);
  if (which === 'province') {
    const nghean = table.provinces.find((p) => p.code === '40')!;
    return Inventory.parse(buildImport(nghean, { siteCidr: '10.40.0.0/16', base: template }).inventory);
  }
  const dataCenters = template.dataCenters.map((d, i) => ({
    ...d,
    wan: { ...d.wan, subnet: `10.25${i}.0.0/16`, gateway: `10.25${i}.255.254` },
    monitoring: {
      prometheus: `10.25${i}.255.10`,
      alertmanager: `10.25${i}.255.11`,
      grafana: `10.25${i}.255.12`,
      blackbox: `10.25${i}.255.13`,
      board: `10.25${i}.255.14`,
    },
  }));
  const backends = template.portalPlan!.backends.map((b, i) => ({ ...b, address: `10.25${i}.254.20` }));
  const services = template.services.map((s) => ({
    ...s,
    probes: s.probes.map((p) =>
      p.kind === 'tcp' || p.kind === 'dns' ? JSON.parse(JSON.stringify(p).replace(/172\.2([01])\.1\./g, '10.25$1.254.')) : p,
    ),
  }));
  const units = table.provinces.flatMap((p, i) => {
    const base: Inventory = {
      ...template,
      dataCenters,
      services,
      portalPlan: { ...template.portalPlan!, backends, addresses: { dc1: [`10.250.${i}.0/24`], dc2: [`10.251.${i}.0/24`] } },
    };
    return buildImport(p, { siteCidr: `10.${i}.0.0/16`, base }).inventory.units ?? [];
  });
  const input: InventoryInput = {
    ...structuredClone(template),
    dataCenters,
    services,
    province: { ...template.province, name: 'Cả nước' },
    portalPlan: { ...template.portalPlan!, backends, addresses: { dc1: ['10.250.0.0/18'], dc2: ['10.251.0.0/18'] } },
    units,
  };
  return Inventory.parse(input);
}

async function measure(which: Case): Promise<void> {
  const inv = await inventoryFor(which);
  const out = mkdtempSync(join(tmpdir(), 'sansang-bench-'));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const r = synthApp(inv, { inventoryDir: out, outdir: join(out, 'cdktf.out') });
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
