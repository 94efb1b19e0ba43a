// `sansang demo --lab`: the demo with every site in a network namespace of its own. The
// stand-ins, the board, Prometheus (with --prometheus) and this orchestrator stay in the current
// namespace; the stand-ins listen on the lab's services addresses (a dummy interface), each
// agent runs inside its site's namespace (`ip netns exec`) and reaches them over its veth links.
import { X509Certificate, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { allSites, loadInventoryFile, type Inventory } from '../../inventory/index.ts';
import { cli, startBoardSignedOff, synthStacks } from '../board-start.ts';
import { allUnitsGo } from './board-watch.ts';
import { ensureDemoCa, type DemoCa } from '../ca.ts';
import { startControl, type Control, type LabFaults } from '../control.ts';
import { LinkCutter } from '../nft.ts';
import { Processes } from '../processes.ts';
import { agentMetricsUrls, demoInventory, withAbsoluteFiles } from '../demo-inventory.ts';
import type { Demo, DemoOptions } from '../options.ts';
import { StandIns } from '../standins.ts';
import { labInventory, makePlan, type LabInventoryOptions, type LabPlan } from './plan.ts';
import { Lab } from './topology.ts';

export interface LabDemoOptions extends DemoOptions {
  /** Tests and the benchmark: a shorter probe interval, shorter `for` durations. */
  labInventory?: LabInventoryOptions;
}

export interface LabDemo extends Demo {
  lab: Lab;
  plan: LabPlan;
  /** The inventory the lab runs (validated), and its file. */
  inventory: Inventory;
  inventoryFile: string;
}

let seq = 0;

export async function startLabDemo(opts: LabDemoOptions): Promise<LabDemo> {
  const say = opts.say ?? ((l: string) => process.stderr.write(`${l}\n`));
  const dir = resolve(opts.dir);
  const labDir = join(dir, 'lab');
  await mkdir(labDir, { recursive: true });
  const source = withAbsoluteFiles(await loadInventoryFile(opts.inventory), dirname(resolve(opts.inventory)));
  if (opts.synth !== false) await synthStacks(opts.inventory, join(dir, 'cdktf.out'), join(dir, 'logs'), say);

  const plan = makePlan(source, { pid: process.pid, seq: seq++, tag: randomBytes(3).toString('hex').slice(0, 4) });
  const ca = await labCa(join(labDir, 'ca'), [...plan.services.values()]);
  const inventoryFile = join(labDir, 'inventory.yaml');
  // The demo's inventory (demo CA trusted, short `for`s), moved into the lab.
  const derived = labInventory(demoInventory(source, ca.caFile), plan, opts.labInventory);
  await writeFile(
    inventoryFile,
    `# Written by \`sansang demo --lab\` from ${opts.inventory}: the services on the lab's services addresses, every site's links in its own network namespace. Rewritten at each start.\n${stringify(derived)}`,
  );
  // The normal loader and its cross-checks: a lab inventory that would not pass `inventory check` never runs.
  const inv = await loadInventoryFile(inventoryFile);

  const procs = new Processes(join(dir, 'logs'));
  const standIns = new StandIns(inv, ca, { allowAddresses: [...plan.services.values()] });
  let lab: Lab | undefined;
  let control: Control | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    say('stopping the lab…');
    await control?.close();
    await procs.stopAll();
    await standIns.stopAll();
    await lab?.destroy();
    say(`stopped; the lab's namespaces and interfaces are gone. Sign-offs stay in ${join(dir, 'board')}`);
  };

  try {
    lab = await Lab.create(plan, say);
    const theLab = lab;
    say(
      `lab: ${plan.sites.length} site namespaces (${plan.sites.map((s) => s.ns).join(', ')}), services on ${plan.dummy} (${[...plan.services.values()].join(', ')})`,
    );
    await standIns.startAll();
    for (const s of standIns.describe()) say(`  stand-in  ${s.service.padEnd(12)} ${s.url}`);

    const startAgent = async (siteId: string) => {
      const { cmd, args } = theLab.inSite(siteId, [process.execPath, cli, 'agent', '--inventory', inventoryFile, '--site', siteId]);
      await procs.start(`agent-${siteId}`, cmd, args);
    };
    const agents: Record<string, string[]> = {};
    for (const { site } of allSites(inv)) {
      await startAgent(site.id);
      agents[site.id] = agentMetricsUrls(site);
    }

    const { boardUrl, prometheusUrl } = await startBoardSignedOff({
      inv,
      inventoryFile,
      dir,
      prometheusDir: join(labDir, 'prometheus'),
      board: opts.board,
      prometheus: opts.prometheus,
      procs,
      say,
    });

    const faults: LabFaults = {
      setLink: (siteId, link, up) => theLab.setLink(siteId, link, up),
      setLoss: (siteId, link, percent) => theLab.setLoss(siteId, link, percent),
    };
    control = await startControl(opts.control, { standIns, procs, cutter: new LinkCutter(), inv, startAgent, lab: faults });
    const example = plan.sites.find((s) => s.links.length > 1)?.siteId ?? plan.sites[0]!.siteId;
    say(
      `lab faults: npx sansang demo fault cut-link ${example}   |   … restore-link ${example}   |   … loss ${example} --percent 30 [--link backup]`,
    );

    return {
      boardUrl,
      controlUrl: control.url,
      prometheusUrl,
      agents,
      stop,
      allGo: (timeoutMs = 60_000) => allUnitsGo(boardUrl, timeoutMs),
      lab,
      plan,
      inventory: inv,
      inventoryFile,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The demo CA, with a stand-in certificate that names the services addresses (kept apart from the loopback demo's). */
async function labCa(dir: string, ips: string[]): Promise<DemoCa> {
  const wanted = ['127.0.0.1', ...ips];
  const server = join(dir, 'server.pem');
  if (existsSync(server)) {
    const cert = new X509Certificate(await readFile(server, 'utf8'));
    // A certificate made for other services addresses is made again.
    if (!wanted.every((ip) => cert.checkIP(ip))) await rm(server);
  }
  return ensureDemoCa(dir, ['localhost'], wanted);
}
