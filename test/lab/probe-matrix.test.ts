// Every probe kind against every failure, made for real: one site namespace per failure, all
// joined to one data-center namespace by a veth pair each, all run at once. In each site the
// agent as the kit ships it (`node sansang-agent.cjs check --json`) runs one round of every
// probe kind (ICMP, TCP, HTTP, HTTPS, DNS, SMTP, IMAP and POP3 with STARTTLS, the forwarding
// canary, a URL list) and the gateway's ping; the failure is a route of
// the site's (none, blackhole, unreachable, prohibit), an nftables rule of the data center's
// (drop, reject with a TCP reset or an ICMP error), the site's address removed or its interface
// deleted while the probes run, a DNS server the site has no route to, a TLS handshake that
// stalls, a server that accepts and never answers, a far end without carrier. Each probe must
// give the cause written in the table below, with a remedy that names the thing to fix (the
// address, the interface, the gateway, the service's data center), in Vietnamese without an
// errno code, and the agent must not throw (nothing on stderr, its JSON whole).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sayCause, type Cause, type CauseKind, type ProbeKindName, type ProbeResult } from '../../inventory/index.ts';
import { bundleAgent } from '../../agents/kit.ts';
import { testSlice } from '../../agents/test-support/inventory.ts';
import { makeCertificate, type TlsMaterial } from '../../agents/test-support/servers.ts';
import { deleteNs, ipn, nftIn, programsIn, requireLabTools, runTag, sh } from './netns.ts';

const root = join(import.meta.dirname, '..', '..');
const tag = runTag();
const DC = `sansang-mxdc-${tag}`;
const UP = '198.18.9.1';
const NO_ROUTE = '198.18.77.1';
const work = mkdtempSync(join(tmpdir(), 'sansang-matrix-'));
const children: ChildProcess[] = [];
let tls: TlsMaterial;
let bundle = '';
let ports: {
  http: number;
  https: number;
  tcp: number;
  dns: number;
  smtp: number;
  imap: number;
  pop3: number;
  stall: number;
  silentDns: number;
};

/** One site of the matrix: its namespace, its link, its address and gateway. */
interface Net {
  n: number;
  site: string;
  /** The data center's end of the site's veth. */
  far: string;
  address: string;
  gateway: string;
}

/** The rows: a probe of each kind (HTTP twice: plain and over TLS) and the gateway's ping. */
const ROWS = ['icmp', 'tcp', 'http', 'https', 'dns', 'smtp', 'imap', 'pop3', 'mail-forward', 'url-list', 'gateway'] as const;
type Row = (typeof ROWS)[number];

/** Where a failure's probes go: the services address, or the one whose servers hang, or a name. */
interface Aim {
  host: string;
  tcpPort: number;
  httpPort: number;
  httpsPort: number;
  dnsServer: string;
  dnsPort: number;
  smtpPort: number;
  imapPort: number;
  pop3Port: number;
}
const aimUp = (): Aim => ({
  host: UP,
  tcpPort: ports.tcp,
  httpPort: ports.http,
  httpsPort: ports.https,
  dnsServer: UP,
  dnsPort: ports.dns,
  smtpPort: ports.smtp,
  imapPort: ports.imap,
  pop3Port: ports.pop3,
});

/** The URL list aimed at `a` (a CSV per aim): a page kept with its body, an old page redirected. */
function urlListAt(a: Aim): string {
  const file = join(work, `urls-${a.host}-${a.httpPort}.csv`);
  const base = `http://${a.host}:${a.httpPort}`;
  // Written once: the agents of several sites read it at once.
  if (!existsSync(file))
    writeFileSync(file, `url,status,location,body\n${base}/ok,200,,ok\n${base}/old?id=1,301,https://new.example.test/old?id=1,\n`);
  return file;
}
/** The mail servers' certificate is made for portal.test, signed by itself. */
const mailTls = () => ({ serverName: 'portal.test', caFile: tls.certFile });

/**
 * The probes of each kind the schema has, aimed at `a`. Typed by PROBE_KINDS' names: a kind
 * added to the schema does not compile until it has its probes (and rows) here.
 */
const PROBES: { [K in ProbeKindName]: (a: Aim) => { row: Row; probe: Record<string, unknown> }[] } = {
  icmp: (a) => [{ row: 'icmp', probe: { kind: 'icmp', host: a.host } }],
  tcp: (a) => [{ row: 'tcp', probe: { kind: 'tcp', host: a.host, port: a.tcpPort } }],
  http: (a) => [
    { row: 'http', probe: { kind: 'http', id: 'http', url: `http://${a.host}:${a.httpPort}/ok` } },
    {
      row: 'https',
      probe: { kind: 'http', id: 'https', url: `https://${a.host}:${a.httpsPort}/ok`, hostHeader: 'portal.test', caFile: tls.certFile },
    },
  ],
  dns: (a) => [{ row: 'dns', probe: { kind: 'dns', server: a.dnsServer, port: a.dnsPort, name: 'portal.test' } }],
  smtp: (a) => [{ row: 'smtp', probe: { kind: 'smtp', host: a.host, port: a.smtpPort, security: 'starttls', ...mailTls() } }],
  imap: (a) => [{ row: 'imap', probe: { kind: 'imap', host: a.host, port: a.imapPort, security: 'starttls', ...mailTls() } }],
  pop3: (a) => [{ row: 'pop3', probe: { kind: 'pop3', host: a.host, port: a.pop3Port, security: 'starttls', ...mailTls() } }],
  'mail-forward': (a) => [
    {
      row: 'mail-forward',
      probe: {
        kind: 'mail-forward',
        smtp: { host: a.host, port: a.smtpPort, security: 'starttls', serverName: 'portal.test' },
        imap: { host: a.host, port: a.imapPort, security: 'starttls', serverName: 'portal.test' },
        username: 'canary@new.test',
        passwordFile: join(work, 'canary.password'),
        mailbox: 'canary',
        maxDelay: '3s',
        caFile: tls.certFile,
      },
    },
  ],
  'url-list': (a) => [{ row: 'url-list', probe: { kind: 'url-list', file: urlListAt(a) } }],
};

type Expect = CauseKind | 'ok';
interface Failure {
  name: string;
  aim?: (up: Aim) => Aim;
  /** Probe interval: the probes' timeout is 80 % of it. */
  interval?: string;
  /** Made before the round starts. */
  before?(net: Net): void;
  /** Made once the round is under way (a probe's `ping` runs in the site). */
  during?(net: Net): void;
  expect: Record<Row, Expect>;
}

const all = (e: Expect, gateway: Expect = 'ok'): Record<Row, Expect> => ({
  icmp: e,
  tcp: e,
  http: e,
  https: e,
  dns: e,
  smtp: e,
  imap: e,
  pop3: e,
  'mail-forward': e,
  'url-list': e,
  gateway,
});
const farRule = (net: Net, rule: string) =>
  nftIn(
    DC,
    `table inet mx${net.n} {\n  chain in {\n    type filter hook input priority 0; policy accept;\n    ip saddr ${net.address} ${rule}\n  }\n}\n`,
  );
const toServices = `ip daddr 198.18.9.0/24`;

const FAILURES: Failure[] = [
  // The mail sessions take several round trips each (greeting, EHLO, STARTTLS, the handshake,
  // EHLO again) to one far side serving every site at once: room for them on a busy machine.
  { name: 'nothing wrong (the matrix itself works)', interval: '4s', expect: all('ok') },
  { name: 'no route to the services', before: (n) => ipn(n.site, 'route', 'del', '198.18.9.0/24'), expect: all('no-route') },
  {
    name: 'a blackhole route',
    before: (n) => ipn(n.site, 'route', 'replace', 'blackhole', '198.18.9.0/24'),
    expect: all('route-blackhole'),
  },
  {
    name: 'an unreachable route',
    before: (n) => ipn(n.site, 'route', 'replace', 'unreachable', '198.18.9.0/24'),
    expect: all('route-unreachable'),
  },
  {
    name: 'a prohibit route',
    before: (n) => ipn(n.site, 'route', 'replace', 'prohibit', '198.18.9.0/24'),
    expect: all('route-prohibited'),
  },
  { name: 'the far side drops everything (nftables drop)', before: (n) => farRule(n, `${toServices} drop`), expect: all('timeout') },
  {
    name: 'the far side rejects (nftables: TCP reset, ICMP port unreachable)',
    before: (n) => {
      farRule(n, `${toServices} meta l4proto tcp reject with tcp reset`);
      nftIn(DC, `add rule inet mx${n.n} in ip saddr ${n.address} ${toServices} reject\n`);
    },
    expect: { ...all('refused'), icmp: 'filtered' },
  },
  {
    name: 'the far side rejects (nftables: ICMP host unreachable)',
    // DNS hears it only after its resolver's wait (a UDP socket does not hear a soft ICMP error):
    // room for that on a machine busy starting every site's agent at once.
    interval: '4s',
    before: (n) => farRule(n, `${toServices} reject with icmp type host-unreachable`),
    expect: all('host-unreachable'),
  },
  {
    name: "the site's address removed while probing",
    interval: '6s',
    before: (n) => farRule(n, 'drop'),
    during: (n) => ipn(n.site, 'addr', 'del', `${n.address}/24`, 'dev', 'p0'),
    expect: all('no-address', 'no-address'),
  },
  {
    name: "the site's interface deleted while probing",
    interval: '6s',
    before: (n) => farRule(n, 'drop'),
    during: (n) => ipn(n.site, 'link', 'del', 'p0'),
    expect: all('interface-gone', 'interface-gone'),
  },
  {
    name: 'an unroutable DNS server (and names that need one)',
    aim: (up) => ({ ...up, host: 'portal.sansang.invalid', dnsServer: NO_ROUTE }),
    expect: { ...all('resolve'), dns: 'no-route' },
  },
  {
    name: 'a TLS handshake that stalls',
    interval: '4s',
    aim: (up) => ({ ...up, httpsPort: ports.stall }),
    expect: { ...all('ok'), https: 'stalled' },
  },
  {
    name: 'a server that accepts and never answers',
    aim: (up) => ({
      ...up,
      tcpPort: ports.stall,
      httpPort: ports.stall,
      httpsPort: ports.stall,
      dnsPort: ports.silentDns,
      smtpPort: ports.stall,
      imapPort: ports.stall,
      pop3Port: ports.stall,
    }),
    expect: { ...all('stalled'), icmp: 'ok', tcp: 'ok', dns: 'timeout' },
  },
  {
    name: 'the far end of the link has no carrier',
    before: (n) => ipn(DC, 'link', 'set', n.far, 'down'),
    expect: all('link-down', 'link-down'),
  },
];

/** What each cause's Vietnamese text must name, so a technician knows what to fix. */
const NAMED: Partial<Record<CauseKind, (n: Net) => string[]>> = {
  'no-route': (n) => [n.gateway, n.address],
  'route-blackhole': (n) => [n.gateway],
  'route-unreachable': (n) => [n.gateway],
  'route-prohibited': (n) => [n.gateway],
  timeout: (n) => [n.gateway],
  refused: () => ['DC1'],
  filtered: (n) => [n.address, 'DC1'],
  'host-unreachable': (n) => [n.gateway],
  'no-address': (n) => [n.address, 'p0'],
  'interface-gone': (n) => [n.address, 'p0'],
  'link-down': () => ['p0'],
  stalled: () => ['DC1'],
  resolve: () => ['/etc/resolv.conf'],
};

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  probes: ProbeResult[];
}
const outcomes = new Map<string, { net: Net; out: Outcome }>();

function buildSite(n: number, f: Failure): Net {
  const site = `sansang-mx-${tag}-${n}`;
  const far = `x${tag}`.slice(0, 10) + `n${n}`;
  const net: Net = { n, site, far, address: `198.18.${100 + n}.2`, gateway: `198.18.${100 + n}.1` };
  sh('ip', ['netns', 'add', site]);
  ipn(site, 'link', 'set', 'lo', 'up');
  ipn(site, 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', far, 'netns', DC);
  ipn(site, 'addr', 'add', `${net.address}/24`, 'dev', 'p0');
  ipn(DC, 'addr', 'add', `${net.gateway}/24`, 'dev', far);
  ipn(site, 'link', 'set', 'p0', 'up');
  ipn(DC, 'link', 'set', far, 'up');
  ipn(site, 'route', 'add', '198.18.9.0/24', 'via', net.gateway);
  f.before?.(net);
  return net;
}

function sliceFor(n: number, f: Failure, net: Net): string {
  const aim = (f.aim ?? ((a) => a))(aimUp());
  const services = Object.values(PROBES)
    .flatMap((make) => make(aim))
    .map(({ row, probe }) => ({
      id: row,
      name: `Dịch vụ ${row}`,
      scope: 'provincial',
      category: 'other',
      hostedIn: ['dc1'],
      probes: [probe],
    }));
  const slice = testSlice({
    services,
    email: { domain: 'new.test', oldDomains: ['old.test'] },
    primary: { address: net.address, gateway: net.gateway },
    agent: { interval: f.interval ?? '2s', icmpCount: 3, icmpSpacing: '100ms' },
  });
  const file = join(work, `site-${n}.json`);
  writeFileSync(file, JSON.stringify(slice));
  return file;
}

/** One round in the site's namespace; `during` once the probes are under way. */
async function runRound(net: Net, f: Failure, config: string): Promise<Outcome> {
  const child = spawn('ip', ['netns', 'exec', net.site, process.execPath, bundle, 'check', '--json', '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', r));
  if (f.during) {
    const until = Date.now() + 20_000;
    while (Date.now() < until && !programsIn(net.site).includes('ping')) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    f.during(net);
  }
  const code = await exited;
  let probes: ProbeResult[] = [];
  try {
    probes = (JSON.parse(stdout) as { probes: ProbeResult[] }).probes;
  } catch {
    // left empty: the test says what the agent printed
  }
  return { code, stdout, stderr, probes };
}

beforeAll(async () => {
  requireLabTools();
  tls = makeCertificate('portal.test', 30);
  writeFileSync(join(work, 'canary.password'), 'canary-password\n');
  bundle = join(work, 'sansang-agent.cjs');
  await bundleAgent(bundle);
  sh('ip', ['netns', 'add', DC]);
  ipn(DC, 'link', 'set', 'lo', 'up');
  ipn(DC, 'addr', 'add', `${UP}/32`, 'dev', 'lo');
  // The kernel sends at most a burst of six ICMP errors to one address, then one a second: every
  // probe of a site at once would use them up. A router that keeps them back leaves the agent a
  // timeout to report instead; here each probe gets the answer the rule gives.
  sh('ip', ['netns', 'exec', DC, 'sysctl', '-q', '-w', 'net.ipv4.icmp_ratelimit=0']);
  const far = spawn(
    'ip',
    ['netns', 'exec', DC, process.execPath, '--import', 'tsx', join(import.meta.dirname, 'far-side.ts'), tls.certFile, tls.keyFile, UP],
    { stdio: ['ignore', 'pipe', 'inherit'], cwd: root },
  );
  children.push(far);
  ports = await new Promise((resolve, reject) => {
    let out = '';
    far.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(JSON.parse(out));
    });
    far.once('exit', (c) => reject(new Error(`the data center's servers exited (${c})`)));
  });
  // Every failure at once, each in its own site.
  const nets = FAILURES.map((f, i) => ({ f, net: buildSite(i + 1, f) }));
  await Promise.all(
    nets.map(async ({ f, net }) => {
      outcomes.set(f.name, { net, out: await runRound(net, f, sliceFor(net.n, f, net)) });
    }),
  );
}, 120_000);

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  for (let i = 1; i <= FAILURES.length; i++) deleteNs(`sansang-mx-${tag}-${i}`);
  deleteNs(DC);
  tls?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const rowOf = (p: ProbeResult): Row => (p.target === 'gateway' ? 'gateway' : (p.target as Row));
/** An errno code, or the English the Vietnamese text must not carry. */
const NOT_VIETNAMESE = /\bE[A-Z]{4,}\b|\b(refused|timed out|unreachable|no route|error|failed)\b/i;

describe('every probe kind against every failure', () => {
  for (const f of FAILURES)
    it(f.name, () => {
      const o = outcomes.get(f.name)!;
      const { out, net } = o;
      // No exception: nothing on stderr, the whole JSON printed, the exit code of a judgement.
      expect(out.stderr, out.stderr).toBe('');
      expect([0, 1]).toContain(out.code);
      const got = Object.fromEntries(out.probes.map((p) => [rowOf(p), p.success ? 'ok' : (p.errorKind ?? '(no cause)')]));
      expect(got, out.stdout.slice(0, 3000)).toEqual(f.expect);
      for (const p of out.probes) {
        if (p.success) continue;
        const cause = p.cause as Cause;
        const vi = sayCause(cause, 'vi');
        expect(vi.fix, `${rowOf(p)}: a remedy`).toBeTruthy();
        const text = `${vi.what} — ${vi.fix}`;
        for (const name of NAMED[cause.kind]?.(net) ?? []) expect(text, `${rowOf(p)} names ${name}`).toContain(name);
        expect(text).not.toMatch(NOT_VIETNAMESE);
        expect(sayCause(cause, 'en').what).toBe(p.error);
      }
    });

  it('covers every probe kind of the schema and every row', () => {
    const rows = new Set(Object.values(PROBES).flatMap((make) => make(aimUp()).map((x) => x.row)));
    expect([...rows, 'gateway'].sort()).toEqual([...ROWS].sort());
    // And the round really ran in every site (JSON read back).
    for (const f of FAILURES) expect(outcomes.get(f.name)!.out.probes.length, f.name).toBe(ROWS.length);
    expect(readFileSync(bundle, 'utf8').length).toBeGreaterThan(0);
  });
});
