// Bench: where the single executable's memory is, against the bundle under node, in one run so
// the figures compare. The same site (50 TCP probes on loopback, interval 5 s, a scrape of
// /metrics a second) runs, one after the other, as:
//   - the bundle under node (`node --optimize-for-size --no-opt BUNDLE`);
//   - the executable written in one write() (as agents/install/sea.ts and the installer did);
//   - the executable written in 64 KB pieces (as they do now: agents/install/write-in-pieces.ts);
//   - that file again after its page cache is dropped (`dd iflag=nocache count=0`): as it runs
//     after the site's PC reboots.
// Each executable runs as its unit starts it: the unit's V8 flags first, the unit's NODE_OPTIONS.
// Reported: peak RSS (VmHWM), RssAnon and RssFile at the end, and the resident part of the
// binary's read-only (.rodata, .dynsym, .dynstr, the blob) and executable (.text) mappings,
// from /proc/PID/smaps. Not run in CI.
//
//   npx tsx bench/executable-rss.ts [--seconds 30]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleAgent } from '../agents/kit.ts';
import { buildExecutable } from '../agents/install/sea.ts';
import { EXECUTABLE_NODE_OPTIONS, NODE_FLAGS } from '../agents/install/layout.ts';
import { tcpStand } from '../agents/test-support/servers.ts';
import { testSlice } from '../agents/test-support/inventory.ts';

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '30' } } });
const SECONDS = Number(args.seconds);
const LISTEN = '127.0.0.1:19467';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (kb: number) => (kb / 1024).toFixed(1);

interface Figures {
  hwm: number;
  anon: number;
  file: number;
  /** Resident kB of the binary's mappings by permissions (r--p, r-xp). */
  binary: Record<string, number>;
}

function figures(pid: number, binary: string): Figures {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  const out: Record<string, number> = {};
  let perms: string | null = null;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) perms = head[2] === binary ? head[1]! : null;
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && perms) out[perms] = (out[perms] ?? 0) + Number(rss[1]);
  }
  return { hwm: kb('VmHWM'), anon: kb('RssAnon'), file: kb('RssFile'), binary: out };
}

async function runAgent(cmd: string, argv: string[], binary: string, env: NodeJS.ProcessEnv): Promise<Figures> {
  const c = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'inherit'], env });
  try {
    const end = Date.now() + SECONDS * 1000;
    while (Date.now() < end) {
      await fetch(`http://${LISTEN}/metrics`)
        .then((r) => r.text())
        .catch(() => null);
      await sleep(1000);
    }
    return figures(c.pid!, binary);
  } finally {
    c.kill('SIGTERM');
    await new Promise((r) => c.once('exit', r));
  }
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'sansang-exe-rss-'));
  const tcp = await tcpStand();
  try {
    const cfg = join(work, 'site.json');
    writeFileSync(
      cfg,
      JSON.stringify(
        testSlice({
          services: Array.from({ length: 50 }, (_, i) => ({
            id: `t${i}`,
            name: `Target ${i}`,
            scope: 'national',
            category: 'other',
            probes: [{ kind: 'tcp', host: '127.0.0.1', port: tcp.port }],
          })),
          primary: { address: '127.0.1.10', gateway: '127.0.1.1' },
          agent: { interval: '5s' },
        }),
      ),
    );
    const bundle = join(work, 'sansang-agent.cjs');
    await bundleAgent(bundle);
    const pieces = join(work, 'sansang-agent');
    await buildExecutable(bundle, pieces);
    const whole = join(work, 'sansang-agent-whole');
    await writeFile(whole, readFileSync(pieces), { mode: 0o755 });
    const agentArgs = ['--config', cfg, '--listen', LISTEN];
    const exeEnv = { ...process.env, NODE_OPTIONS: EXECUTABLE_NODE_OPTIONS };
    const { NODE_OPTIONS: _, ...nodeEnv } = process.env;
    const variants: [string, () => Promise<Figures>][] = [
      ['bundle under node', () => runAgent(process.execPath, [...NODE_FLAGS, bundle, ...agentArgs], process.execPath, nodeEnv)],
      ['executable, written whole (before)', () => runAgent(whole, [...NODE_FLAGS, ...agentArgs], whole, exeEnv)],
      ['executable, written in 64 KB pieces (now)', () => runAgent(pieces, [...NODE_FLAGS, ...agentArgs], pieces, exeEnv)],
      [
        'executable, page cache dropped (after a reboot)',
        () => {
          execFileSync('dd', [`if=${pieces}`, 'iflag=nocache', 'count=0', 'status=none']);
          return runAgent(pieces, [...NODE_FLAGS, ...agentArgs], pieces, exeEnv);
        },
      ],
    ];
    console.log(`\n50 TCP probes every 5 s, ${SECONDS} s each; MB\n`);
    console.log('| form | peak RSS (VmHWM) | RssAnon | RssFile | of which the binary: read-only | executable |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const [name, run] of variants) {
      const f = await run();
      console.log(
        `| ${name} | ${mb(f.hwm)} | ${mb(f.anon)} | ${mb(f.file)} | ${mb(f.binary['r--p'] ?? 0)} | ${mb(f.binary['r-xp'] ?? 0)} |`,
      );
    }
  } finally {
    await tcp.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
