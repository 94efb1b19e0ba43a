// `npm start`: a live province on one machine. Synthesises the stacks of the example, starts
// stand-ins for every service it probes, one agent per site and the board, signs the manual
// items off as "demo", and takes faults on a loopback control port until Ctrl-C.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { allSites, loadInventoryFile } from '../inventory/index.ts';
import { ensureDemoCa } from './ca.ts';
import { startControl, type Control } from './control.ts';
import { LinkCutter } from './nft.ts';
import { Processes } from './processes.ts';
import { StandIns } from './standins.ts';
import { waitForOverview } from './board-client.ts';
import { cli, startBoardSignedOff, synthStacks } from './board-start.ts';
import { labUnavailable, startLabDemo } from './lab/index.ts';
import { agentMetricsUrls, DEMO_FOR, demoInventory, withAbsoluteFiles } from './demo-inventory.ts';
import type { Demo, DemoOptions } from './options.ts';

export type { Demo, DemoOptions };

export async function startDemo(opts: DemoOptions): Promise<Demo> {
  const say = opts.say ?? ((l: string) => process.stderr.write(`${l}\n`));
  if (opts.lab) {
    const why = await labUnavailable();
    if (!why) return startLabDemo({ ...opts, say });
    say(`--lab: ${why}; running without the lab`);
  }
  const dir = resolve(opts.dir);
  await mkdir(dir, { recursive: true });
  const source = withAbsoluteFiles(await loadInventoryFile(opts.inventory), dirname(resolve(opts.inventory)));

  if (opts.synth !== false) await synthStacks(opts.inventory, join(dir, 'cdktf.out'), join(dir, 'logs'), say);

  // The demo CA, and a copy of the inventory that tells the agents to trust it.
  const ca = await ensureDemoCa(join(dir, 'ca'));
  const inventoryFile = join(dir, 'inventory.yaml');
  const inv = demoInventory(opts.interval ? { ...source, agent: { ...source.agent, interval: opts.interval } } : source, ca.caFile);
  await writeFile(
    inventoryFile,
    `# Written by the demo from ${opts.inventory}: the demo CA is trusted and every item's \`for\` is\n# ${DEMO_FOR} so the province turns GO within a minute. Rewritten at each start: do not edit.\n${stringify(inv)}`,
  );

  const procs = new Processes(join(dir, 'logs'));
  const standIns = new StandIns(inv, ca);
  const cutter = new LinkCutter();
  let control: Control | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    say('stopping…');
    await control?.close();
    await procs.stopAll();
    await standIns.stopAll();
    await cutter.cleanup();
    say('stopped; nothing left running. Sign-offs stay in ' + join(dir, 'board'));
  };

  try {
    await standIns.startAll();
    for (const s of standIns.describe()) say(`  stand-in  ${s.service.padEnd(12)} ${s.url}`);

    const agentArgs = (siteId: string) => [cli, 'agent', '--inventory', inventoryFile, '--site', siteId];
    const agents: Record<string, string[]> = {};
    for (const { site } of allSites(inv)) {
      await procs.start(`agent-${site.id}`, process.execPath, agentArgs(site.id));
      agents[site.id] = agentMetricsUrls(site);
    }

    const { boardUrl, prometheusUrl } = await startBoardSignedOff({
      inv,
      inventoryFile,
      dir,
      prometheusDir: join(dir, 'prometheus'),
      board: opts.board,
      prometheus: opts.prometheus,
      procs,
      say,
    });

    control = await startControl(opts.control, {
      standIns,
      procs,
      cutter,
      inv,
      startAgent: (siteId) => procs.start(`agent-${siteId}`, process.execPath, agentArgs(siteId)).then(() => undefined),
    });

    return {
      boardUrl,
      controlUrl: control.url,
      prometheusUrl,
      agents,
      stop,
      allGo: (timeoutMs = 60_000) =>
        waitForOverview(boardUrl, (units) => units.length > 0 && units.every((u) => u.state === 'go'), timeoutMs),
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
