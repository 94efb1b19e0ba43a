// The generated configs, checked by the real programs that will read them: promtool, the blackbox
// exporter, amtool, haproxy. Files are written where `sansang config` writes them, and the tools
// run on them there (relative paths between them must hold).
import { writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadInventoryFile, writeGeneratedFiles, type GeneratedFile, type Inventory } from '../../inventory/index.ts';
import {
  agentTargets,
  blackboxTargets,
  dnsFiles,
  grafanaFiles,
  haproxyFiles,
  prometheusFiles,
  prometheusConfigFile,
  DNS_TTL,
  FILES,
} from '../index.ts';
import { NATIONAL_SERIES } from '../../inventory/index.ts';
import { shippedAlertmanager, shippedRules } from '../shipped.ts';
import { namedCheckZone, run, selfSignedPem, tempDir } from '../test-support.ts';

const DEMO = 'inventory/examples/demo.yaml';
let inv: Inventory;
let out: string;
let files: GeneratedFile[];

beforeAll(async () => {
  inv = await loadInventoryFile(DEMO);
  out = tempDir('config');
  // What `sansang config all` writes that the stacks generate, plus the rules dashboards/ ships.
  files = [...prometheusFiles(inv), ...grafanaFiles(inv), ...haproxyFiles(inv), ...dnsFiles(inv), ...shippedRules(inv)];
  await writeGeneratedFiles(out, files);
  mkdirSync(join(out, 'rules'), { recursive: true });
});

describe('sansang config prometheus', () => {
  it("passes promtool check config, rule files included, each data center's", () => {
    for (const dc of inv.dataCenters) {
      const r = run('promtool', ['check', 'config', prometheusConfigFile(dc)], 'prometheus', out);
      expect(r.stdout + r.stderr).toContain('SUCCESS');
      expect(r.status, r.stdout + r.stderr).toBe(0);
      for (const rule of shippedRules(inv)) expect(r.stdout).toContain(rule.path);
    }
  });

  it('labels every series it sends with the province and its replica; alerts leave the replica behind', () => {
    for (const dc of inv.dataCenters) {
      const config = parse(files.find((f) => f.path === prometheusConfigFile(dc))!.content) as {
        global: { external_labels: Record<string, string> };
        alerting: { alert_relabel_configs: unknown[] };
        remote_write?: unknown;
      };
      expect(config.global.external_labels).toEqual({ province: '40', replica: dc.id });
      expect(config.alerting.alert_relabel_configs).toEqual([{ action: 'labeldrop', regex: 'replica' }]);
      // No national section, nothing leaves the province.
      expect(config.remote_write).toBeUndefined();
    }
  });

  it('with a national section: each data center remote-writes to every national store, the roll-up only, without the replica label; promtool accepts it', async () => {
    const urls = ['http://10.250.0.11:8480/insert/0/prometheus/api/v1/write', 'http://10.250.1.11:8480/insert/0/prometheus/api/v1/write'];
    const national: Inventory = { ...inv, national: { remoteWrite: urls, send: 'rollup' } };
    const dir = tempDir('national-feed');
    await writeGeneratedFiles(dir, [...prometheusFiles(national), ...shippedRules(national)]);
    for (const dc of inv.dataCenters) {
      const config = parse(prometheusFiles(national).find((f) => f.path === prometheusConfigFile(dc))!.content) as {
        remote_write: { url: string; write_relabel_configs: { action: string; regex: string }[] }[];
      };
      expect(config.remote_write.map((w) => w.url)).toEqual(urls);
      const relabel = config.remote_write[0]!.write_relabel_configs;
      expect(relabel[0]).toEqual({ source_labels: ['__name__'], regex: NATIONAL_SERIES.join('|'), action: 'keep' });
      expect(relabel.at(-1)).toEqual({ action: 'labeldrop', regex: 'replica' });
      const r = run('promtool', ['check', 'config', prometheusConfigFile(dc)], 'prometheus', dir);
      expect(r.status, r.stdout + r.stderr).toBe(0);
    }
    // `send: all` keeps every series, still without the replica label.
    const all = parse(prometheusFiles({ ...national, national: { remoteWrite: urls.slice(0, 1), send: 'all' } })[1]!.content) as {
      remote_write: { url: string; write_relabel_configs: unknown[] }[];
    };
    expect(all.remote_write[0]!.url).toBe(urls[0]);
    expect(all.remote_write[0]!.write_relabel_configs).toEqual([{ action: 'labeldrop', regex: 'replica' }]);
  });

  it('fails promtool when a target file is not what Prometheus reads (the check is real)', () => {
    const bad = tempDir('badprom');
    writeFileSync(join(bad, 'prometheus.yml'), 'scrape_configs:\n  - job_name: x\n    scrape_interval: soon\n');
    expect(run('promtool', ['check', 'config', 'prometheus.yml'], 'prometheus', bad).status).not.toBe(0);
  });

  it('scrapes every site agent on every link, labelled unit, site and scrape_link', () => {
    const groups = agentTargets(inv);
    const links = inv.units.flatMap((u) =>
      u.sites.flatMap((s) => (s.links.backup ? [s.links.primary, s.links.backup] : [s.links.primary])),
    );
    // A link the data center cannot reach (the example's 4G backups) is pushed over, not scraped.
    expect(groups).toHaveLength(links.filter((l) => l.reachable).length);
    expect(links.some((l) => !l.reachable)).toBe(true);
    expect(groups).toContainEqual({
      targets: ['127.0.1.10:9464'],
      labels: { unit: '16681', site: 'thanh-vinh-hq', scrape_link: 'primary' },
    });
    expect(groups.flatMap((g) => g.targets)).not.toContain('127.0.101.10:9464');
    expect(groups).toContainEqual({
      targets: ['127.0.1.75:9464'],
      labels: { unit: '16690', site: 'truong-vinh-motcua', scrape_link: 'primary' },
    });
    const config = parse(files.find((f) => f.path === prometheusConfigFile(inv.dataCenters[0]!))!.content) as {
      scrape_configs: { job_name: string; static_configs?: { targets: string[] }[] }[];
    };
    const jobs = config.scrape_configs.map((j) => j.job_name);
    expect(jobs).toEqual(
      expect.arrayContaining([
        'sansang-agent',
        'sansang-board',
        'sansang-blackbox',
        'prometheus',
        'alertmanager',
        'grafana',
        'blackbox',
        'haproxy',
      ]),
    );
    const boards = config.scrape_configs.find((j) => j.job_name === 'sansang-board')!.static_configs!.flatMap((s) => s.targets);
    expect(boards).toEqual(['10.40.250.14:8080', '10.40.251.14:8080']);
  });

  it("probes every agent address from each data center through that data center's blackbox exporter", () => {
    const groups = blackboxTargets(inv);
    expect(groups).toHaveLength(agentTargets(inv).length * inv.dataCenters.length);
    expect(groups).toContainEqual({
      targets: ['127.0.1.10:9464'],
      labels: { unit: '16681', site: 'thanh-vinh-hq', scrape_link: 'primary', datacenter: 'dc2', __blackbox_exporter: '10.40.251.13:9115' },
    });
  });

  it('writes a blackbox exporter config the exporter accepts', () => {
    const r = run(
      'prometheus-blackbox-exporter',
      [`--config.file=${FILES.blackbox}`, '--config.check'],
      'prometheus-blackbox-exporter',
      out,
    );
    expect(r.status, r.stderr).toBe(0);
  });
});

describe('alertmanager.yml the stacks ship', () => {
  it('passes amtool check-config', () => {
    const dir = tempDir('am');
    for (const f of shippedAlertmanager(inv)) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.content);
    }
    const r = run('amtool', ['check-config', 'alertmanager.yml'], 'prometheus-alertmanager', dir);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});

describe('sansang config haproxy', () => {
  it('writes one file per unit with a portal and data center', () => {
    const paths = haproxyFiles(inv)
      .map((f) => f.path)
      .sort();
    expect(paths).toEqual([
      'haproxy/16681/dc1.cfg',
      'haproxy/16681/dc2.cfg',
      'haproxy/16690/dc1.cfg',
      'haproxy/16690/dc2.cfg',
      'haproxy/17827/dc1.cfg',
      'haproxy/17827/dc2.cfg',
    ]);
  });

  it('passes haproxy -c for every file, without warnings, with the certificate beside it', () => {
    const checked = haproxyFiles(inv);
    for (const f of checked) {
      const unit = inv.units.find((u) => f.path.startsWith(`haproxy/${u.code}/`))!;
      const pem = join(out, dirname(f.path), `${unit.portal!.hostname}.pem`);
      writeFileSync(pem, selfSignedPem(tempDir('cert'), [unit.portal!.hostname, ...unit.portal!.legacyHostnames]));
      // From another working directory: the certificate path is relative to the config file.
      const r = spawnSync('haproxy', ['-c', '-f', join(out, f.path)], { encoding: 'utf8', cwd: '/' });
      if (r.error) throw new Error('haproxy is not installed: apt-get install haproxy');
      expect(r.status, `${f.path}: ${r.stderr}`).toBe(0);
      expect(r.stderr, f.path).not.toContain('[WARNING]');
      expect(r.stderr + r.stdout, f.path).toContain('Configuration file is valid');
    }
    expect(checked.length).toBe(6);
  });

  it('is refused by haproxy when the certificate is missing (the check loads it)', () => {
    const f = haproxyFiles(inv)[0]!;
    const dir = tempDir('nocert');
    writeFileSync(join(dir, 'x.cfg'), f.content);
    const r = run('haproxy', ['-c', '-f', join(dir, 'x.cfg')], 'haproxy');
    expect(r.status).not.toBe(0);
  });

  it('routes the portal: primary servers active, backup data center marked backup, health checks on the check path', () => {
    const cfg = haproxyFiles(inv).find((f) => f.path === 'haproxy/16681/dc2.cfg')!.content;
    expect(cfg).toContain('bind 10.40.251.64:443 ssl crt thanhvinh.nghean.gov.vn.pem');
    expect(cfg).toMatch(/server dc1-1 10\.40\.250\.101:8080 check\n/);
    expect(cfg).toMatch(/server dc2-1 10\.40\.251\.101:8080 check backup\n/);
    expect(cfg).toContain('http-check send meth GET uri /healthz');
    expect(cfg).toContain('http-request redirect prefix https://thanhvinh.nghean.gov.vn code 301 if legacy_host !kept_path');
    expect(cfg).toContain('acl kept_path path -m str /api/tracuu');
  });
});

describe('sansang config grafana and dns', () => {
  it('provisions the Prometheus data source and the dashboards folder', () => {
    const ds = parse(files.find((f) => f.path === FILES.grafanaDatasources)!.content) as {
      datasources: { uid: string; type: string; url: string; isDefault?: boolean }[];
    };
    expect(ds.datasources).toContainEqual(
      expect.objectContaining({ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090', isDefault: true }),
    );
    expect(ds.datasources.filter((d) => d.isDefault)).toHaveLength(1);
    const prov = parse(files.find((f) => f.path === FILES.grafanaDashboards)!.content) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(prov.providers[0]).toMatchObject({ type: 'file', options: { path: '/var/lib/grafana/dashboards' } });
  });

  it('writes every portal and legacy hostname for each data center, with a short TTL', () => {
    const zones = dnsFiles(inv);
    expect(zones.map((z) => z.path)).toEqual(['dns/dc1.zone', 'dns/dc2.zone']);
    const [dc1, dc2] = zones.map((z) => z.content);
    expect(dc1).toMatch(/^\$TTL 60$/m);
    expect(DNS_TTL).toBeLessThanOrEqual(300);
    expect(dc1).toMatch(/^thanhvinh\.nghean\.gov\.vn\.\s+60 IN A\s+10\.40\.250\.64$/m);
    expect(dc2).toMatch(/^thanhvinh\.nghean\.gov\.vn\.\s+60 IN A\s+10\.40\.251\.64$/m);
    expect(dc2).toMatch(/^vinhcity\.nghean\.gov\.vn\.\s+60 IN A\s+10\.40\.251\.64 ;/m);
    expect(dc1).toContain('normal operation');
    expect(dc2).toContain('only while dc1 is lost');
  });

  it('writes zones that named-checkzone loads, holding exactly every portal and legacy hostname', () => {
    for (const f of dnsFiles(inv)) {
      const r = namedCheckZone(join(out, f.path));
      expect(r.status, r.stdout + r.stderr).toBe(0);
      const dc = f.path.replace(/^dns\/|\.zone$/g, '');
      expect(r.records).toEqual(
        inv.units.flatMap((u) => [u.portal!.hostname, ...u.portal!.legacyHostnames].map((h) => `${h}. ${u.portal!.addresses[dc]}`)).sort(),
      );
    }
    // The check is real: a record BIND cannot read fails it.
    const bad = join(tempDir('badzone'), 'bad.zone');
    writeFileSync(bad, 'portal.example. 60 IN A 10.40.250.300\n');
    expect(namedCheckZone(bad).status).not.toBe(0);
  });
});

describe('sansang config (the command line)', () => {
  it("writes each data center's prometheus.yml and the haproxy files where the tools find them", () => {
    const dir = tempDir('cli');
    for (const kind of ['prometheus', 'haproxy']) {
      const r = spawnSync(process.execPath, ['bin/sansang.js', 'config', kind, '--inventory', DEMO, '--out', dir], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    mkdirSync(join(dir, 'rules'), { recursive: true });
    for (const dc of ['dc1', 'dc2']) expect(run('promtool', ['check', 'config', `prometheus-${dc}.yml`], 'prometheus', dir).status).toBe(0);
    expect(
      run('ls', [join(dir, 'haproxy/17827')], 'coreutils')
        .stdout.split('\n')
        .filter(Boolean),
    ).toEqual(['dc1.cfg', 'dc2.cfg']);
  });
});
