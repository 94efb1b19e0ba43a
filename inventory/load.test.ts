// One case per validation error, each breaking the minimal inventory one way (the fixture
// approach of blackbox_exporter's config tests), plus hostile and broken input.
import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { inventoryFor } from '../bench/synth.ts';
import { MAX_INVENTORY_BYTES, parseInventory, readInventoryFile } from './load.ts';
import { formatProblem, type Problem } from './problems.ts';

const minimal = readFileSync(new URL('./testdata/minimal.yaml', import.meta.url), 'utf8');

function mutate(from: string, to: string, nth = 0): string {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = minimal.indexOf(from, at + 1);
    if (at < 0) throw new Error(`fixture text not found: ${from}`);
  }
  return minimal.slice(0, at) + to + minimal.slice(at + from.length);
}

function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`not in text: ${needle}`);
  return text.slice(0, at).split('\n').length;
}

function problems(text: string): Problem[] {
  return parseInventory(text, 'f.yaml').problems;
}

describe('the minimal inventory', () => {
  it('is valid and gets its defaults', () => {
    const r = parseInventory(minimal, 'minimal.yaml');
    expect(r.problems).toEqual([]);
    expect(r.inventory?.agent.interval).toBe('30s');
    expect(r.inventory?.units[0]?.sites[0]?.agentPort).toBe(9464);
    expect(r.inventory?.province.timezone).toBe('Asia/Ho_Chi_Minh');
  });

  it('is valid with a byte-order mark and CRLF line ends', () => {
    const r = parseInventory('\ufeff' + minimal.replace(/\n/g, '\r\n'), 'crlf.yaml');
    expect(r.problems).toEqual([]);
    expect(r.inventory?.units).toHaveLength(2);
  });
});

interface Case {
  name: string;
  from: string;
  to: string;
  nth?: number;
  /** A text on the line the problem must point at. */
  line: string;
  message: RegExp;
}

const cases: Case[] = [
  { name: 'misspelt top-level key', from: 'teams:', to: 'teem:', line: 'teem:', message: /unknown key "teem" \(did you mean "teams"\?\)/ },
  {
    name: 'misspelt nested key',
    from: 'hostedIn: [dc1]',
    to: 'hostedin: [dc1]',
    line: 'hostedin:',
    message: /unknown key "hostedin" \(did you mean "hostedIn"\?\)/,
  },
  {
    name: 'unknown key without a likely match',
    from: 'kind: phuong\n    subnet: 127.0.1.0/26',
    to: 'kind: phuong\n    colour: red\n    subnet: 127.0.1.0/26',
    line: 'colour: red',
    message: /unknown key "colour"$/,
  },
  {
    name: 'unit code as a number',
    from: 'code: "16690"',
    to: 'code: 16690',
    line: 'code: 16690',
    message: /units\[1\]\.code: expected text, got the number 16690: quote it \("16690"\)/,
  },
  {
    name: 'unknown unit kind',
    from: 'kind: phuong',
    to: 'kind: town',
    line: 'kind: town',
    message: /units\[0\]\.kind: .*"xa"\|"phuong"\|"dac_khu"/,
  },
  {
    name: 'probe target that is an option',
    from: 'host: 127.0.0.1 }',
    to: 'host: "-f" }',
    line: 'host: "-f"',
    message: /probes\[1\]\.host: expected a hostname or an IP address/,
  },
  {
    name: 'probe target with a shell command',
    from: 'host: 127.0.0.1, port',
    to: 'host: "$(id)", port',
    line: '$(id)',
    message: /probes\[0\]\.host: expected a hostname/,
  },
  {
    name: 'probe target with a separator',
    from: 'host: 127.0.0.1 }',
    to: 'host: "a;reboot" }',
    line: 'a;reboot',
    message: /host: expected a hostname/,
  },
  {
    name: 'probe target of 10 kB',
    from: 'host: 127.0.0.1 }',
    to: `host: ${'a'.repeat(10_000)} }`,
    line: 'aaaa',
    message: /host: expected a hostname/,
  },
  {
    name: 'URL of another scheme',
    from: 'url: "http://127.0.0.1:18080/"',
    to: 'url: "ftp://127.0.0.1/"',
    line: 'ftp://',
    message: /url: expected an http:\/\/ or https:\/\/ URL/,
  },
  {
    name: 'URL with a hostile host',
    from: 'url: "http://127.0.0.1:18080/"',
    to: 'url: "http://-oProxyCommand=x/"',
    line: 'ProxyCommand',
    message: /url: expected an http/,
  },
  {
    name: 'unknown probe kind',
    from: 'kind: tcp',
    to: 'kind: udp',
    line: 'kind: udp',
    message: /probes\[0\]\.kind: unknown kind "udp"; expected one of: icmp, tcp, http, dns/,
  },
  { name: 'port out of range', from: 'port: 18081', to: 'port: 70000', line: 'port: 70000', message: /port: .*65535/ },
  {
    name: 'malformed IP address',
    from: 'gateway: 10.40.250.1 }',
    to: 'gateway: 10.40.250.300 }',
    line: '10.40.250.300',
    message: /gateway: expected an IPv4 or IPv6 address/,
  },
  {
    name: 'malformed hostname',
    from: 'hostname: thanhvinh.example.invalid',
    to: 'hostname: "thanh vinh"',
    line: 'thanh vinh',
    message: /hostname: expected a DNS hostname/,
  },
  {
    name: 'malformed subnet',
    from: 'subnet: 127.0.1.64/26',
    to: 'subnet: 127.0.1.64/33',
    line: '127.0.1.64/33',
    message: /subnet: expected a subnet in CIDR form/,
  },
  { name: 'wrong type', from: 'version: 1', to: 'version: "one"', line: 'version:', message: /version: expected 1/ },
  {
    name: 'missing required key',
    from: '    name: Chính\n',
    to: '',
    line: '- id: dc1',
    message: /dataCenters\[0\]\.name: missing: this key is required/,
  },
  {
    name: 'an item whose kind does not fit its evidence (central, judged by nobody)',
    from: 'teams:',
    to: 'checklist:\n  add:\n    - { id: loss-x, title: { vi: M, en: L }, owner: { vi: T, en: T }, kind: central, evidence: { kind: loss } }\nteams:',
    line: 'id: loss-x',
    message:
      /checklist\.add\[0\]\.kind: item "loss-x" is central but its evidence "loss" is judged as edge \(the site agent judges it\): write "kind: edge" or leave kind out/,
  },
  {
    name: 'a unit item whose kind does not fit its evidence (edge agent-up, NO-GO forever)',
    from: '    subnet: 127.0.1.64/26\n',
    to: '    subnet: 127.0.1.64/26\n    checklist:\n      add:\n        - { id: up-x, title: { vi: M, en: L }, owner: { vi: T, en: T }, kind: edge, evidence: { kind: agent-up } }\n',
    line: 'id: up-x',
    message: /units\[1\]\.checklist\.add\[0\]\.kind: item "up-x" is edge but its evidence "agent-up" is judged as central/,
  },
  {
    name: 'duplicate unit code',
    from: 'code: "16690"',
    to: 'code: "16681"',
    line: 'code: "16681"\n    name: Phường Trường',
    message: /units\[1\]\.code: duplicate unit code "16681"/,
  },
  {
    name: 'duplicate site id',
    from: 'id: hq2',
    to: 'id: hq',
    line: 'id: hq\n        name: Trụ sở\n        links:\n          primary: { kind: wan, address: 127.0.1.74',
    message: /duplicate site id "hq"/,
  },
  {
    name: 'duplicate service id',
    from: 'id: lgsp',
    to: 'id: portal',
    line: '- id: portal\n    name: LGSP',
    message: /services\[1\]\.id: duplicate service id "portal"/,
  },
  {
    name: 'service hosted in a data center that does not exist',
    from: 'hostedIn: [dc1]',
    to: 'hostedIn: [dc9]',
    line: 'hostedIn: [dc9]',
    message: /hostedIn\[0\]: no data center "dc9" \(data centers: dc1, dc2\)/,
  },
  {
    name: 'backend in a data center that does not exist',
    from: 'dataCenter: dc1',
    to: 'dataCenter: dc7',
    line: 'dataCenter: dc7',
    message: /backends\[0\]\.dataCenter: no data center "dc7"/,
  },
  {
    name: 'provincial service without hosts',
    from: '    hostedIn: [dc1]\n',
    to: '',
    line: 'scope: provincial',
    message: /provincial service names the data centers/,
  },
  {
    name: 'agent address outside its unit subnet',
    from: 'address: 127.0.1.74',
    to: 'address: 127.0.9.74',
    line: '127.0.9.74',
    message: /127\.0\.9\.74 is outside the unit's subnet 127\.0\.1\.64\/26/,
  },
  {
    name: 'agent addresses colliding',
    from: 'address: 127.0.1.20',
    to: 'address: 127.0.1.10',
    line: 'backup: { kind: 4g, address: 127.0.1.10',
    message: /already the agent address of units\.0\.sites\.0\.links\.primary/,
  },
  {
    name: 'overlapping subnets',
    from: 'subnet: 127.0.1.64/26',
    to: 'subnet: 127.0.1.0/25',
    line: 'subnet: 127.0.1.0/25',
    message: /127\.0\.1\.0\/25 overlaps 127\.0\.1\.0\/26/,
  },
  {
    name: 'no backup data center',
    from: 'role: backup',
    to: 'role: primary',
    line: 'dataCenters:',
    message: /no data center has role: backup/,
  },
  {
    name: 'HAProxy address outside the data center segment',
    from: 'dc2: 10.40.251.64',
    to: 'dc2: 10.40.99.64',
    line: 'dc2: 10.40.99.64',
    message: /10\.40\.99\.64 is outside dc2's WAN segment/,
  },
  {
    name: 'team covering a unit that does not exist',
    from: 'units: ["*"]',
    to: 'units: ["99999"]',
    line: '99999',
    message: /teams\[0\]\.units\[0\]: no unit with code 99999/,
  },
  {
    name: 'maintenance window that ends before it starts',
    from: 'to: "2025-06-30T23:00:00+07:00"',
    to: 'to: "2025-06-30T21:00:00+07:00"',
    line: '21:00:00',
    message: /the window ends before it starts/,
  },
  {
    name: 'maintenance time without an offset',
    from: 'from: "2025-06-30T22:00:00+07:00"',
    to: 'from: "2025-06-30 22:00"',
    line: '2025-06-30 22:00',
    message: /expected a date and time with its offset/,
  },
  {
    name: 'threshold for an item that does not exist',
    from: 'teams:',
    to: 'checklist:\n  thresholds:\n    latencyy: { maxSeconds: 1 }\nteams:',
    line: 'latencyy:',
    message: /checklist\.thresholds\.latencyy: no checklist item "latencyy"/,
  },
  {
    name: 'threshold the item does not have',
    from: 'teams:',
    to: 'checklist:\n  thresholds:\n    latency: { minDays: 3 }\nteams:',
    line: 'minDays: 3',
    message: /item "latency" \(latency\) has no threshold "minDays"; it has maxSeconds/,
  },
  {
    name: 'dropping an item that does not exist',
    from: 'teams:',
    to: 'checklist:\n  drop: [no-such-item]\nteams:',
    line: 'drop:',
    message: /checklist\.drop\[0\]: no checklist item "no-such-item" to drop/,
  },
  {
    name: 'invalid YAML',
    from: 'watch: { from: 2025-07-01, to: 2025-07-07 }',
    to: 'watch: { from: 2025-07-01, to: 2025-07-07',
    line: 'dataCenters:',
    message: /flow map.*end with a }/i,
  },
  {
    name: 'duplicate key',
    from: '  name: Tỉnh Thử\n',
    to: '  name: Tỉnh Thử\n  name: Tỉnh Khác\n',
    line: 'name: Tỉnh Khác',
    message: /Map keys must be unique/,
  },
  { name: 'tab indentation', from: '  name: Tỉnh Thử', to: '\tname: Tỉnh Thử', line: 'Tỉnh Thử', message: /[Tt]ab/ },
  {
    name: 'a value still marked TODO that is otherwise well formed (it would reach the macvlan network)',
    from: 'parent: eth1, subnet: 10.40.251.0/24',
    to: 'parent: TODO, subnet: 10.40.251.0/24',
    line: 'parent: TODO',
    message: /dataCenters\[1\]\.wan\.parent: still to be filled in by hand \(TODO\)/,
  },
  {
    name: "a portal address that is another part's backend",
    from: 'dc1: 10.40.250.64',
    to: 'dc1: 10.40.250.101',
    line: 'address: 10.40.250.101',
    message: /backends\[0\]\.address: 10\.40\.250\.101 is already the HAProxy address of unit 16681 in dc1/,
  },
  {
    name: "a portal address that is a data center's Prometheus",
    from: 'dc2: 10.40.251.64',
    to: 'dc2: 10.40.251.10',
    line: 'dc2: 10.40.251.10',
    message:
      /portal\.addresses\.dc2: 10\.40\.251\.10 is already the prometheus address of data center dc2 \(dataCenters\[1\]\.monitoring\.prometheus\)/,
  },
  {
    name: 'two monitoring services on one address',
    from: 'grafana: 10.40.250.12',
    to: 'grafana: 10.40.250.10',
    line: 'grafana: 10.40.250.10',
    message: /dataCenters\[0\]\.monitoring\.grafana: 10\.40\.250\.10 is already the prometheus address of data center dc1/,
  },
  {
    name: "a backend inside another unit's site subnet",
    from: 'address: 10.40.250.101',
    to: 'address: 127.0.1.70',
    line: 'address: 127.0.1.70',
    message: /127\.0\.1\.70 \(a portal backend of unit 16681\) is inside the site subnet 127\.0\.1\.64\/26 of unit 16690/,
  },
  {
    name: "a portal hostname that is already another unit's",
    from: '    subnet: 127.0.1.64/26\n',
    to: '    subnet: 127.0.1.64/26\n    portal: { hostname: thanhvinh.example.invalid, certificate: c.pem, backends: [{ dataCenter: dc1, address: 10.40.250.101, port: 8080 }], addresses: { dc1: 10.40.250.65, dc2: 10.40.251.65 } }\n',
    line: 'portal: { hostname: thanhvinh',
    message: /units\[1\]\.portal\.hostname: thanhvinh\.example\.invalid is already the portal of unit 16681/,
  },
  {
    name: 'a portal plan whose range is outside the data center',
    from: 'units:\n',
    to: 'portalPlan:\n  hostname: "{slug}.example.invalid"\n  certificates: certs\n  addresses: { dc1: [10.40.250.128/25], dc2: [10.40.99.0/25] }\n  backends: [{ dataCenter: dc1, address: 10.40.250.101, port: 8080 }]\nunits:\n',
    line: 'addresses: { dc1: [10.40.250.128/25]',
    message: /portalPlan\.addresses\.dc2\[0\]: 10\.40\.99\.0\/25 is outside dc2's WAN segment 10\.40\.251\.0\/24/,
  },
  {
    name: 'a portal plan whose hostname names no unit',
    from: 'units:\n',
    to: 'portalPlan:\n  hostname: "portal.example.invalid"\n  certificates: certs\n  addresses: { dc1: [10.40.250.128/25], dc2: [10.40.251.128/25] }\n  backends: [{ dataCenter: dc1, address: 10.40.250.101, port: 8080 }]\nunits:\n',
    line: 'hostname: "portal.example.invalid"',
    message: /portalPlan\.hostname: expected a hostname pattern with \{slug\}/,
  },
];

describe('each validation error', () => {
  for (const c of cases) {
    it(`${c.name}: one clear FILE:LINE:COL message`, () => {
      const text = mutate(c.from, c.to, c.nth);
      const ps = problems(text);
      const hit = ps.find((p) => c.message.test(p.message));
      expect(hit, `problems were:\n${ps.map(formatProblem).join('\n')}`).toBeDefined();
      expect(hit!.line).toBe(lineOf(text, c.line));
      expect(hit!.col).toBeGreaterThan(0);
      expect(formatProblem(hit!)).toMatch(/^f\.yaml:\d+:\d+ \S/);
    });
  }
});

describe("a province's own inventory (not a demo)", () => {
  const province = minimal.replace(/^demo: true\n/m, '');

  it('refuses every loopback address, at its line, saying a demo is where stand-ins belong', () => {
    const ps = problems(province);
    const loopback = ps.filter((p) => /is on this machine \(loopback\)/.test(p.message));
    // Two probes, the first unit's subnet, two sites' two links and gateways each, the second unit's.
    expect(loopback.map((p) => p.line)).toContain(lineOf(province, 'host: 127.0.0.1 }'));
    expect(loopback.map((p) => p.line)).toContain(lineOf(province, 'subnet: 127.0.1.0/26'));
    expect(loopback.some((p) => p.message.startsWith('services[0].probes[0].url: http://127.0.0.1:18080/ is on this machine'))).toBe(true);
    expect(loopback[0]!.message).toMatch(/stand-ins on loopback belong to a demo inventory \(demo: true\)/);
    expect(ps.every((p) => /loopback/.test(p.message))).toBe(true);
    // The demo marker is what allows them.
    expect(problems(minimal)).toEqual([]);
  });

  it('refuses an empty service list', () => {
    const text = province.replace(/^services:\n[\s\S]*?^units:/m, 'services: []\nunits:');
    const hit = problems(text).find((p) => p.message.startsWith('services: no services'));
    expect(hit?.line).toBe(lineOf(text, 'services: []'));
  });

  it('allows one backend shared by many units (one portal platform)', () => {
    const text = minimal.replace(
      '    subnet: 127.0.1.64/26\n',
      '    subnet: 127.0.1.64/26\n    portal: { hostname: truongvinh.example.invalid, certificate: c.pem, backends: [{ dataCenter: dc1, address: 10.40.250.101, port: 8080 }], addresses: { dc1: 10.40.250.65, dc2: 10.40.251.65 } }\n',
    );
    expect(problems(text)).toEqual([]);
  });
});

describe('several problems at once', () => {
  it('reports every problem, in file order', () => {
    const text = minimal.replace('kind: phuong', 'kind: town').replace('port: 18081', 'port: 0').replace('teams:', 'teem:');
    const ps = problems(text);
    expect(ps.length).toBeGreaterThanOrEqual(3);
    const lines = ps.map((p) => p.line);
    expect([...lines].sort((a, b) => a - b)).toEqual(lines);
  });
});

describe('hostile and broken input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sansang-inv-'));

  it('refuses a 50 MB file after reading no more than the cap', async () => {
    const file = join(dir, 'big.yaml');
    writeFileSync(file, Buffer.alloc(50 * 1024 * 1024, 0x61));
    const t0 = Date.now();
    const r = await readInventoryFile(file);
    expect(r.problems[0]?.message).toMatch(/the file is larger than 8\.0 MB, the most an inventory may be/);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(MAX_INVENTORY_BYTES).toBe(8 * 1024 * 1024);
  });

  it('loads a national-size inventory: the whole country imported, a portal each, under the cap', async () => {
    const country = await inventoryFor('country');
    // Site ids are made unique across provinces, as a national inventory would.
    const units = country.units.map((u) => ({ ...u, sites: u.sites.map((x) => ({ ...x, id: `${x.id.slice(0, 56)}-${u.code}` })) }));
    const file = join(dir, 'country.yaml');
    writeFileSync(file, stringify({ ...country, units }));
    const r = await readInventoryFile(file);
    expect(r.problems).toEqual([]);
    expect(r.inventory?.units).toHaveLength(3321);
  }, 60_000);

  it('refuses a device and a pipe by what they are, in under a second', async () => {
    for (const dev of ['/dev/zero', '/dev/urandom']) {
      const t0 = Date.now();
      const r = await readInventoryFile(dev);
      expect(r.problems[0]?.message).toMatch(/not a file but a device or a pipe/);
      expect(Date.now() - t0).toBeLessThan(1000);
    }
    expect((await readInventoryFile(dir)).problems[0]?.message).toMatch(/not a file but a directory|it is a directory/);
  });

  it('refuses nested explicit keys (a conversion that grows as the fourth power of their depth) in under a second', () => {
    // 1.6 KB that cost 162 s of CPU before: each "? " opens a map as the key of the next.
    const bomb = `${'? '.repeat(800)}a\n`;
    const indented = Array.from({ length: 200 }, (_, i) => `${' '.repeat(i * 2)}? k${i}:\n`).join('') + `${' '.repeat(400)}v\n`;
    for (const text of [bomb, indented]) {
      const t0 = Date.now();
      const ps = problems(text);
      expect(ps[0]?.message).toMatch(/a key must be plain text|nesting deeper than 64 levels/);
      expect(Date.now() - t0).toBeLessThan(1000);
    }
  });

  it('reads a file whose lines end in CR alone, and counts its lines', () => {
    expect(parseInventory(minimal.replace(/\n/g, '\r'), 'cr.yaml').problems).toEqual([]);
    const ps = problems(minimal.replace('teams:', 'teem:').replace(/\n/g, '\r'));
    expect(ps[0]).toMatchObject({ line: lineOf(minimal, 'teams:'), message: expect.stringMatching(/unknown key "teem"/) });
  });

  it('does not count a "[" inside a quoted name as nesting', () => {
    const r = parseInventory(minimal.replace('name: Phường Trường Vinh', `name: "Phường ${'['.repeat(70)} Trường Vinh"`), 'q.yaml');
    expect(r.problems).toEqual([]);
    expect(r.inventory?.units[1]?.name).toContain('[[[');
  });

  it('refuses deeply nested flow collections without recursing', () => {
    const ps = problems(`a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    expect(ps[0]?.message).toMatch(/nesting deeper than 64 levels/);
    expect(ps[0]?.line).toBe(1);
  });

  it('refuses deeply nested block mappings', () => {
    let text = '';
    for (let i = 0; i < 200; i++) text += `${'  '.repeat(i)}k${i}:\n`;
    expect(problems(text)[0]?.message).toMatch(/nesting deeper/);
  });

  it('refuses an alias bomb', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(', ')}]`,
      );
    const ps = problems(bomb.join('\n'));
    expect(ps[0]?.message).toMatch(/Excessive alias count/);
  });

  it('says an empty file is empty', () => {
    expect(problems('')[0]?.message).toMatch(/the file is empty/);
    expect(problems('# only a comment\n')[0]?.message).toMatch(/the file is empty/);
  });

  it('says a file that is not a mapping is not an inventory', () => {
    expect(problems('- a\n- b\n')[0]?.message).toMatch(/expected object/);
    expect(problems('\u0000\u0001\u0002garbage')[0]).toBeDefined();
  });

  it('reports an unreadable file as a problem, not an exception', async () => {
    const r = await readInventoryFile(join(dir, 'missing.yaml'));
    expect(r.problems[0]?.message).toMatch(/cannot read the inventory: no such file/);
  });
});
