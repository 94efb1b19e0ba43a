// The site agent's programmatic entry points: `startAgent` (what `sansang agent` and the demo
// run) and `runOnce` (what `sansang agent check` runs).
import type { SiteSliceDocument } from '../inventory/index.ts';
import { Agent, type RoundOutcome } from './agent.ts';
import type { ConfigSource } from './config.ts';
import type { Collector } from './host/collector.ts';
import { parseListen, serveAgent, type ListenAddress } from './server.ts';

export interface StartAgentOptions {
  /** The site's slice; or give `inventory` + `site`, or `configFile`. */
  slice?: SiteSliceDocument;
  /** Directory relative file names in the slice resolve against (default: the working directory). */
  baseDir?: string;
  inventory?: string;
  site?: string;
  configFile?: string;
  /** HOST:PORT to listen on; default the site's address on every link, at its agentPort. */
  listen?: string[];
  /** Reload the configuration on SIGHUP (the command line does; embedded uses need not). */
  reloadOnSighup?: boolean;
  collectors?: readonly Collector[];
  facts?: boolean;
  log?: (line: string) => void;
}

export interface RunningAgent {
  urls: string[];
  agent: Agent;
  reload(): Promise<boolean>;
  close(): Promise<void>;
}

export function sourceOf(o: Pick<StartAgentOptions, 'slice' | 'baseDir' | 'inventory' | 'site' | 'configFile'>): ConfigSource {
  if (o.slice) return { kind: 'slice', slice: o.slice, baseDir: o.baseDir ?? process.cwd() };
  if (o.configFile) return { kind: 'slice-file', file: o.configFile };
  if (o.inventory && o.site) return { kind: 'inventory', file: o.inventory, site: o.site };
  throw new Error('give the agent a slice, a --config file, or --inventory and --site');
}

export async function startAgent(o: StartAgentOptions): Promise<RunningAgent> {
  const agent = await Agent.create({ source: sourceOf(o), collectors: o.collectors, facts: o.facts, log: o.log });
  const site = agent.slice.site;
  const listen: ListenAddress[] = o.listen?.length
    ? o.listen.map(parseListen)
    : [site.links.primary, ...(site.links.backup ? [site.links.backup] : [])].map((l) => ({ host: l.address, port: site.agentPort }));
  const server = await serveAgent(agent, listen, agent.baseDir);
  await agent.start();
  const onHup = () => void agent.reload();
  if (o.reloadOnSighup) process.on('SIGHUP', onHup);
  return {
    urls: server.urls,
    agent,
    reload: () => agent.reload(),
    close: async () => {
      if (o.reloadOnSighup) process.off('SIGHUP', onHup);
      await agent.close();
      await server.close();
    },
  };
}

/** One round of every probe and collector, raw (no thresholds), for `agent check`. */
export async function runOnce(o: Omit<StartAgentOptions, 'listen' | 'reloadOnSighup'>): Promise<{ agent: Agent; outcome: RoundOutcome }> {
  const agent = await Agent.create({ source: sourceOf(o), collectors: o.collectors, facts: false, log: o.log });
  const outcome = await agent.round();
  await agent.close();
  return { agent, outcome };
}

export { Agent } from './agent.ts';
export { parseListen } from './server.ts';
export { judge, CheckBook } from './checks.ts';
export { AGENT_VERSION } from './version.ts';
export type { RoundOutcome } from './agent.ts';
