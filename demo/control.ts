// The running demo's control port, on loopback only: `sansang demo fault …` posts here to stop
// a stand-in or an agent, slow a service down or cut a site's link.
import { createServer, type IncomingMessage } from 'node:http';
import { findSite, type Inventory } from '../inventory/index.ts';
import { InputError } from '../inventory/index.ts';
import type { LinkCutter } from './nft.ts';
import type { Processes } from './processes.ts';
import type { StandIns } from './standins.ts';

export const FAULTS = {
  'stop-service': 'stop a service stand-in (TARGET: service id)',
  'start-service': 'start it again',
  'slow-service': 'make a stand-in answer late (TARGET: service id, --ms N; 0 restores)',
  'stop-agent': 'stop a site agent (TARGET: site id)',
  'start-agent': 'start it again',
  'cut-link': "cut a site's link (TARGET: site id, --link primary|backup; needs root)",
  'restore-link': 'restore it',
  loss: "drop a share of a site's packets at random over a link (TARGET: site id, --percent N, --link; 0 restores; --lab only)",
  'break-forwarding':
    'mail to an old domain is lost instead of forwarded to the new mailboxes (TARGET: old domain, e.g. dongvinh.vinhcity.gov.vn)',
  'restore-forwarding': 'forward it again',
  'break-url': 'a URL of a URL list answers 404 instead of its expected outcome (TARGET: the URL, as the list writes it)',
  'restore-url': 'answer it as the list expects again',
} as const;
export type FaultAction = keyof typeof FAULTS;

export interface FaultRequest {
  action: FaultAction;
  target: string;
  ms?: number;
  link?: 'primary' | 'backup';
  /** For `loss`: the share of packets dropped, 0–100. */
  percent?: number;
}

/** What the lab (`--lab`) offers the faults: a cut is a veth set down, loss an nftables rule. */
export interface LabFaults {
  setLink(siteId: string, link: 'primary' | 'backup', up: boolean): Promise<void>;
  setLoss(siteId: string, link: 'primary' | 'backup', percent: number): Promise<void>;
}

export interface ControlDeps {
  standIns: StandIns;
  procs: Processes;
  cutter: LinkCutter;
  inv: Inventory;
  startAgent(siteId: string): Promise<void>;
  lab?: LabFaults;
}

export interface Control {
  url: string;
  close(): Promise<void>;
}

export async function applyFault(f: FaultRequest, d: ControlDeps): Promise<string> {
  const site = () => {
    const ref = findSite(d.inv, f.target);
    if (!ref) throw new Error(`no site "${f.target}"`);
    return ref.site;
  };
  switch (f.action) {
    case 'stop-service':
      await d.standIns.stop(f.target);
      return `stand-in ${f.target} stopped`;
    case 'start-service':
      await d.standIns.start(f.target);
      return `stand-in ${f.target} started`;
    case 'slow-service': {
      const ms = f.ms ?? 5000;
      if (!Number.isInteger(ms) || ms < 0 || ms > 120_000) throw new Error('--ms must be a whole number from 0 to 120000');
      d.standIns.slow(f.target, ms);
      return ms ? `stand-in ${f.target} now answers ${ms} ms late` : `stand-in ${f.target} answers at once again`;
    }
    case 'stop-agent':
      site();
      await d.procs.stop(`agent-${f.target}`);
      return `agent of ${f.target} stopped`;
    case 'start-agent':
      site();
      if (d.procs.has(`agent-${f.target}`)) return `agent of ${f.target} is already running`;
      await d.startAgent(f.target);
      return `agent of ${f.target} started`;
    case 'cut-link':
    case 'restore-link': {
      const link = f.link ?? 'primary';
      const l = site().links[link];
      if (!l) throw new Error(`site ${f.target} has no ${link} link`);
      if (d.lab) {
        await d.lab.setLink(f.target, link, f.action === 'restore-link');
        return `${link} link of ${f.target} (${l.address}) ${f.action === 'cut-link' ? 'cut: its veth is down' : 'restored: its veth is up'}`;
      }
      if (f.action === 'cut-link') await d.cutter.cut(l.address);
      else await d.cutter.restore(l.address);
      return `${link} link of ${f.target} (${l.address}) ${f.action === 'cut-link' ? 'cut' : 'restored'}`;
    }
    case 'break-forwarding':
    case 'restore-forwarding': {
      const broken = f.action === 'break-forwarding';
      d.standIns.breakForwarding(f.target, broken);
      return broken ? `mail to ${f.target} is now lost instead of forwarded` : `mail to ${f.target} is forwarded again`;
    }
    case 'break-url':
    case 'restore-url': {
      const broken = f.action === 'break-url';
      d.standIns.breakUrl(f.target, broken);
      return broken ? `${f.target} now answers 404` : `${f.target} answers as its list expects again`;
    }
    case 'loss': {
      const link = f.link ?? 'primary';
      if (!d.lab) throw new Error('packet loss needs the lab: start the demo with --lab (as root)');
      if (!site().links[link]) throw new Error(`site ${f.target} has no ${link} link`);
      const percent = f.percent ?? NaN;
      if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new Error('--percent must be a whole number from 0 to 100');
      await d.lab.setLoss(f.target, link, percent);
      return percent
        ? `${f.target} now drops ${percent} % of its packets over the ${link} link`
        : `no more packet loss on the ${link} link of ${f.target}`;
    }
  }
}

export async function startControl(listen: string, deps: ControlDeps): Promise<Control> {
  const [host, port] = splitHostPort(listen);
  const server = createServer(async (req, res) => {
    const reply = (status: number, body: object) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/fault') return reply(404, { error: 'POST /fault' });
    try {
      const f = JSON.parse(await readBody(req)) as FaultRequest;
      if (!(f.action in FAULTS)) return reply(400, { error: `unknown fault "${f.action}"; faults: ${Object.keys(FAULTS).join(', ')}` });
      reply(200, { ok: true, message: await applyFault(f, deps) });
    } catch (e) {
      reply(400, { error: (e as Error).message });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new InputError(`${listen} is in use: is another demo running?`) : e),
    );
    server.listen(port, host, () => resolve());
  });
  return { url: `http://${listen}`, close: () => new Promise((r) => server.close(() => r())) };
}

export function splitHostPort(s: string): [string, number] {
  const m = /^(.*):(\d+)$/.exec(s);
  if (!m) throw new Error(`expected HOST:PORT, not "${s}"`);
  return [m[1]!.replace(/^\[|\]$/g, ''), Number(m[2])];
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
      if (body.length > 10_000) req.destroy(new Error('request too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** `sansang demo fault`: the client side. */
export async function sendFault(controlUrl: string, f: FaultRequest): Promise<string> {
  let res: Response;
  try {
    res = await fetch(`${controlUrl}/fault`, { method: 'POST', body: JSON.stringify(f), headers: { 'Content-Type': 'application/json' } });
  } catch {
    throw new InputError(`no demo is answering at ${controlUrl}: start one with \`npm start\``);
  }
  const body = (await res.json()) as { message?: string; error?: string };
  if (!res.ok) throw new InputError(body.error ?? `HTTP ${res.status}`);
  return body.message ?? 'done';
}
