// The stacks of the example inventory, synthesized: resources, key properties, the dependency
// order, one snapshot; and the stacks of a whole province imported from the official table.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { Testing } from 'cdktf';
import { Container } from '@cdktf/provider-docker/lib/container/index.js';
import { Image } from '@cdktf/provider-docker/lib/image/index.js';
import { Network } from '@cdktf/provider-docker/lib/network/index.js';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider/index.js';
import { loadInventoryFile, loadInventoryText, type Inventory } from '../inventory/index.ts';
import { buildApp, PROJECT_ROOT, type BuiltApp } from './app.ts';
import { synthApp } from './synth.ts';
import { DEFAULT_IMAGES } from './config/images.ts';
import { escapeTemplate } from './constructs/service-container.ts';
import { setupCdktfMatchers, tempDir } from './test-support.ts';

setupCdktfMatchers();

const DEMO = resolve(PROJECT_ROOT, 'inventory/examples/demo.yaml');

let inv: Inventory;
let built: BuiltApp;
const synthOf = (id: string) => {
  const stack = [...built.dcStacks, ...built.unitStacks].find((s) => s.node.id === id);
  if (!stack) throw new Error(`no stack ${id}`);
  return Testing.synth(stack);
};
type Json = { resource: Record<string, Record<string, Record<string, unknown>>>; provider: Record<string, unknown[]> };

beforeAll(async () => {
  inv = await loadInventoryFile(DEMO);
  // Laid out as a project's own cdktf.out beside the inventory's folder, in a folder of its own
  // (the App makes its output directory): the relative paths are the same on every machine.
  const layout = tempDir('layout');
  built = buildApp(inv, {
    inventoryDir: join(layout, 'inventory/examples'),
    app: Testing.app({ outdir: join(layout, 'cdktf.out') }),
    version: '0.0.0-test',
  });
});

describe('the example inventory', () => {
  it('has a dc stack per data center and a unit stack per unit with a portal', () => {
    expect(built.dcStacks.map((s) => s.node.id)).toEqual(['dc-dc1', 'dc-dc2']);
    expect(built.unitStacks.map((s) => s.node.id)).toEqual(['unit-16681', 'unit-16690', 'unit-17827']);
  });

  it('dc-dc1: one aliased Docker provider with the host from the inventory', () => {
    const tf = synthOf('dc-dc1');
    expect(tf).toHaveProviderWithProperties(DockerProvider, { alias: 'dc1', host: 'ssh://ops@dc1.example.invalid' });
    expect((JSON.parse(tf) as Json).provider.docker).toHaveLength(1);
  });

  it('dc-dc1: the WAN macvlan network on the segment, and an internal management network', () => {
    const tf = synthOf('dc-dc1');
    expect(tf).toHaveResourceWithProperties(Network, {
      name: 'sansang-wan',
      driver: 'macvlan',
      options: { parent: 'eth1' },
      ipam_config: [{ subnet: '10.40.250.0/24', gateway: '10.40.250.1' }],
    });
    expect(tf).toHaveResourceWithProperties(Network, { name: 'sansang-mgmt', internal: true, ipam_config: [{ subnet: '172.30.1.0/24' }] });
  });

  it('dc-dc1: pinned images, the board built from its context copied into cdktf.out, state beside cdktf.out', () => {
    const tf = synthOf('dc-dc1');
    for (const name of Object.values(DEFAULT_IMAGES)) expect(tf).toHaveResourceWithProperties(Image, { name, keep_locally: true });
    expect(tf).toHaveResourceWithProperties(Image, {
      name: 'sansang-board:0.0.0-test',
      build: { context: '../../board-image', dockerfile: 'Dockerfile', tag: ['sansang-board:0.0.0-test'] },
      triggers: { version: '0.0.0-test', sources: built.boardContext!.hash },
    });
    expect((JSON.parse(tf) as { terraform: unknown }).terraform).toMatchObject({
      backend: { local: { path: '../../../terraform.dc-dc1.tfstate' } },
    });
  });

  it('dc-dc1: the monitoring containers on their static WAN addresses, with health checks, limits and log rotation', () => {
    const tf = synthOf('dc-dc1');
    const containers = Object.values((JSON.parse(tf) as Json).resource.docker_container!);
    const byName = new Map(containers.map((c) => [c.name as string, c]));
    expect([...byName.keys()].sort()).toEqual([
      'sansang-alertmanager',
      'sansang-blackbox',
      'sansang-board',
      'sansang-grafana',
      'sansang-prometheus',
    ]);
    const wanIp = (name: string) =>
      (byName.get(name)!.networks_advanced as { name: string; ipv4_address?: string }[]).find(
        (n) => n.name === '${docker_network.wan.name}',
      )?.ipv4_address;
    expect(wanIp('sansang-prometheus')).toBe('10.40.250.10');
    expect(wanIp('sansang-alertmanager')).toBe('10.40.250.11');
    expect(wanIp('sansang-grafana')).toBe('10.40.250.12');
    expect(wanIp('sansang-blackbox')).toBe('10.40.250.13');
    expect(wanIp('sansang-board')).toBe('10.40.250.14');
    for (const c of containers) {
      expect(c, String(c.name)).toMatchObject({
        restart: 'unless-stopped',
        log_driver: 'json-file',
        log_opts: { 'max-size': '10m', 'max-file': '5' },
      });
      expect(c.memory as number).toBeGreaterThan(0);
      expect((c.healthcheck as { test: string[] }).test[0]).toBe('CMD');
      expect(c.ports).toBeUndefined();
      expect(c.privileged).toBe(false);
    }
  });

  it("dc-dc1: Alertmanager clusters with dc2, the board peers with dc2's board, Prometheus gets its config by upload", () => {
    const tf = synthOf('dc-dc1');
    expect(tf).toHaveResourceWithProperties(Container, {
      name: 'sansang-alertmanager',
      command: expect.arrayContaining(['--cluster.peer=10.40.251.11:9094', '--cluster.advertise-address=10.40.250.11:9094']),
    });
    expect(tf).toHaveResourceWithProperties(Container, {
      name: 'sansang-board',
      command: expect.arrayContaining(['board', '--peer', 'http://10.40.251.14:8080', '--peer-token-file', '/etc/sansang/peer-token']),
    });
    const prom = Object.values((JSON.parse(tf) as Json).resource.docker_container!).find((c) => c.name === 'sansang-prometheus')!;
    const files = (prom.upload as { file: string; content: string }[]).map((u) => u.file);
    expect(files).toEqual(
      expect.arrayContaining([
        '/etc/prometheus/prometheus.yml',
        '/etc/prometheus/targets/agents.json',
        '/etc/prometheus/targets/blackbox.json',
      ]),
    );
    const grafana = Object.values((JSON.parse(tf) as Json).resource.docker_container!).find((c) => c.name === 'sansang-grafana')!;
    expect((grafana.upload as { file: string }[]).map((u) => u.file)).toEqual(
      expect.arrayContaining(['/etc/grafana/provisioning/datasources/sansang.yaml', '/etc/grafana/provisioning/dashboards/sansang.yaml']),
    );
    expect(grafana.image).toMatch(/^\$\{docker_image\.image-grafana\.image_id\}$/);
  });

  it('the board gets the inventory it loads, its team tokens and its peer token, and is told where Prometheus and Alertmanager are', () => {
    const json = JSON.parse(synthOf('dc-dc2')) as Json & { variable: Record<string, { type: string; sensitive?: boolean }> };
    const board = Object.values(json.resource.docker_container!).find((c) => c.name === 'sansang-board')!;
    const uploads = board.upload as { file: string; content?: string; source?: string; source_hash?: string }[];
    const upload = uploads.find((u) => u.file === '/etc/sansang/inventory.yaml')!;
    const loaded = loadInventoryText(upload.content!, 'inventory.yaml');
    expect(loaded.units.map((u) => u.code)).toEqual(inv.units.map((u) => u.code));
    // Files named by variables, read at deploy time: the tokens never reach the state.
    expect(uploads.find((u) => u.file === '/etc/sansang/tokens.yaml')).toEqual({
      file: '/etc/sansang/tokens.yaml',
      source: '${var.board_tokens_file}',
      source_hash: '${filesha256(var.board_tokens_file)}',
    });
    expect(uploads.find((u) => u.file === '/etc/sansang/peer-token')?.source).toBe('${var.board_peer_token_file}');
    // The example's 4G backups cannot be reached from the data center: their agents push, checked with the push secret.
    expect(uploads.find((u) => u.file === '/etc/sansang/push-secret')).toEqual({
      file: '/etc/sansang/push-secret',
      source: '${var.board_push_secret_file}',
      source_hash: '${filesha256(var.board_push_secret_file)}',
    });
    expect(Object.keys(json.variable).sort()).toEqual([
      'board_peer_token_file',
      'board_push_secret_file',
      'board_tokens_file',
      'grafana_admin_password',
    ]);
    expect(board.command).toEqual([
      'board',
      '--inventory',
      '/etc/sansang/inventory.yaml',
      '--listen',
      '0.0.0.0:8080',
      '--datacenter',
      'dc2',
      '--prometheus',
      'http://prometheus:9090',
      '--alertmanager',
      'http://alertmanager:9093',
      '--data-dir',
      '/var/lib/sansang',
      '--tokens',
      '/etc/sansang/tokens.yaml',
      '--peer',
      'http://10.40.250.14:8080',
      '--peer-token-file',
      '/etc/sansang/peer-token',
      '--push-secret-file',
      '/etc/sansang/push-secret',
      '--prometheus-write',
      'http://prometheus:9090/api/v1/write',
    ]);
    // Prometheus takes what the board forwards.
    const prom = Object.values(json.resource.docker_container!).find((c) => c.name === 'sansang-prometheus')!;
    expect(prom.command).toContain('--web.enable-remote-write-receiver');
  });

  it('an inventory where every link is reachable and no site has a router: no push secret, no remote-write receiver', () => {
    const scraped: Inventory = {
      ...inv,
      units: inv.units.map((u) => ({
        ...u,
        sites: u.sites.map((s) => ({
          id: s.id,
          name: s.name,
          role: s.role,
          agentPort: s.agentPort,
          links: {
            primary: { ...s.links.primary, reachable: true },
            ...(s.links.backup ? { backup: { ...s.links.backup, reachable: true } } : {}),
          },
        })),
      })),
    };
    const layout = tempDir('layout-scraped');
    const app = buildApp(scraped, {
      inventoryDir: join(layout, 'inventory/examples'),
      app: Testing.app({ outdir: join(layout, 'cdktf.out') }),
      version: '0.0.0-test',
    });
    const json = JSON.parse(Testing.synth(app.dcStacks[0]!)) as Json & { variable: Record<string, unknown> };
    const containers = Object.values(json.resource.docker_container!);
    expect(Object.keys(json.variable)).not.toContain('board_push_secret_file');
    expect(containers.find((c) => c.name === 'sansang-board')!.command).not.toContain('--push-secret-file');
    expect(containers.find((c) => c.name === 'sansang-prometheus')!.command).not.toContain('--web.enable-remote-write-receiver');
  });

  it("uploads reach Terraform as literal text: `${…}` and `%{…}` (a dashboard's ${datasource}) are escaped", () => {
    expect(escapeTemplate('uid: "${datasource}" %{x} $${kept}')).toBe('uid: "$${datasource}" %%{x} $$${kept}');
    for (const id of ['dc-dc1', 'unit-16681']) {
      const containers = Object.values((JSON.parse(synthOf(id)) as Json).resource.docker_container!);
      for (const c of containers) {
        for (const u of (c.upload ?? []) as { file: string; content?: string }[]) {
          if (u.content === undefined || /^\$\{var\.[a-z_]+\}$/.test(u.content)) continue;
          expect(u.content, `${id} ${u.file}`).not.toMatch(/(^|[^$])\$\{/);
          expect(u.content, `${id} ${u.file}`).not.toMatch(/(^|[^%])%\{/);
        }
      }
    }
  });

  it("each data center's prometheus.yml: the same but for its replica label", () => {
    const promYml = (id: string) =>
      (
        Object.values((JSON.parse(synthOf(id)) as Json).resource.docker_container!).find((c) => c.name === 'sansang-prometheus')!
          .upload as { file: string; content: string }[]
      ).find((u) => u.file === '/etc/prometheus/prometheus.yml')!.content;
    expect(promYml('dc-dc1')).toContain('replica: dc1');
    expect(promYml('dc-dc2')).toContain('replica: dc2');
    const differing = (a: string, b: string) => a.split('\n').filter((line, i) => line !== b.split('\n')[i]);
    expect(differing(promYml('dc-dc1'), promYml('dc-dc2'))).toEqual([
      '# Prometheus configuration of data center dc1: the others differ only in the replica label.',
      '    replica: dc1',
    ]);
  });

  it("unit-16681: an HAProxy per data center on the unit's own WAN address, no published ports, certificate read at deploy", () => {
    const tf = synthOf('unit-16681');
    const json = JSON.parse(tf) as Json;
    expect(json.provider.docker).toEqual([
      { alias: 'dc1', host: 'ssh://ops@dc1.example.invalid' },
      { alias: 'dc2', host: 'ssh://ops@dc2.example.invalid' },
    ]);
    expect(tf).toHaveResourceWithProperties(Container, {
      name: 'sansang-haproxy-16681',
      provider: 'docker.dc2',
      image: DEFAULT_IMAGES.haproxy,
      networks_advanced: [{ name: 'sansang-wan', ipv4_address: '10.40.251.64' }],
    });
    const containers = Object.values(json.resource.docker_container!);
    expect(containers).toHaveLength(2);
    for (const c of containers) {
      expect(c.ports).toBeUndefined();
      const uploads = c.upload as { file: string; content?: string; source?: string; source_hash?: string }[];
      const cert = uploads.find((u) => u.file === '/usr/local/etc/haproxy/thanhvinh.nghean.gov.vn.pem')!;
      // Named from the stack's folder (cdktf.out/stacks/unit-16681), where Terraform runs.
      expect(cert.source).toBe('../../../inventory/examples/certs/thanhvinh.pem');
      expect(cert.source_hash).toBe(`\${filesha256("${cert.source}")}`);
      expect(cert.content).toBeUndefined();
      expect(uploads.find((u) => u.file === '/usr/local/etc/haproxy/haproxy.cfg')!.content).toContain(
        'server dc2-1 10.40.251.101:8080 check backup',
      );
    }
  });

  it('unit stacks deploy after the data-center stacks (explicit dependencies, written to the manifest)', () => {
    for (const u of built.unitStacks) expect(u.dependencies.map((d) => d.node.id).sort()).toEqual(['dc-dc1', 'dc-dc2']);
    for (const d of built.dcStacks) expect(d.dependencies).toEqual([]);
    const out = tempDir('synth');
    const r = synthApp(inv, { inventoryDir: resolve(PROJECT_ROOT, 'inventory/examples'), outdir: out });
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { stacks: Record<string, { dependencies: string[] }> };
    expect(manifest.stacks['unit-17827']!.dependencies.sort()).toEqual(['dc-dc1', 'dc-dc2']);
    expect(manifest.stacks['dc-dc1']!.dependencies).toEqual([]);
    expect(r.stacks).toHaveLength(5);
    // The demo's certificates do not exist: synth lists them (the command line says so in one line) instead of failing.
    expect(r.missingCertificates).toEqual(
      ['thanhvinh', 'truongvinh', 'nghiloc'].map((n) => resolve(PROJECT_ROOT, `inventory/examples/certs/${n}.pem`)),
    );
    expect(r.warnings).toEqual([]);
    // The board's build context, copied in: what .dockerignore lets through, with the Dockerfile.
    const context = join(out, 'board-image');
    expect(existsSync(join(context, 'Dockerfile'))).toBe(true);
    expect(existsSync(join(context, 'bin/sansang.js'))).toBe(true);
    expect(existsSync(join(context, 'package-lock.json'))).toBe(true);
    expect(existsSync(join(context, 'stacks/stacks.test.ts'))).toBe(false);
    expect(existsSync(join(context, 'node_modules'))).toBe(false);
    expect(existsSync(join(context, 'test'))).toBe(false);
  });

  it('unit-16681 matches its snapshot', () => {
    const tf = synthOf('unit-16681');
    expect(tf).not.toContain(PROJECT_ROOT);
    expect(tf).toMatchSnapshot();
  });

  it('`sansang synth` writes cdktf.out offline, saying which inventory it read and the missing certificates in one line', () => {
    const out = tempDir('synth-cli');
    const r = spawnSync(process.execPath, ['bin/sansang.js', 'synth', '--inventory', DEMO, '--out', out], {
      encoding: 'utf8',
      env: { ...process.env, CHECKPOINT_DISABLE: '1' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`inventory: ${DEMO}\n`);
    expect(r.stdout).toContain('synthesized 5 stacks of Tỉnh Nghệ An (demo) (40) (2 data centers, 3 units)');
    expect(r.stderr.trim().split('\n')).toEqual([
      `note: ${DEMO} is a demo inventory (demo: true): its services are stand-ins on this machine; deploy a province's own inventory (see inventory/examples/province-template.yaml)`,
      expect.stringMatching(
        /^warning: 3 of 3 unit certificates do not exist yet \(first: inventory\/examples\/certs\/thanhvinh\.pem\); `npx sansang certs csr --inventory .*demo\.yaml` writes a key and a CSR per unit/,
      ),
    ]);
    expect(existsSync(join(out, 'stacks/dc-dc2/cdk.tf.json'))).toBe(true);
  });

  it('`sansang synth` without an inventory names none: it asks which, and how to name the demo', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1' };
    delete env.SANSANG_INVENTORY;
    const r = spawnSync(process.execPath, ['bin/sansang.js', 'synth', '--out', tempDir('synth-none')], { encoding: 'utf8', env });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^sansang: which inventory\? Name it: `sansang synth --inventory province\.yaml`.*--inventory inventory\/examples\/demo\.yaml/,
    );
    expect(r.stdout).toBe('');
  });
});
