// The national stacks of the example national inventory: synthesised under the policy aspect (and
// refused when they break it), a store per national data center whole by itself, the national
// board and Grafana on their addresses.
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AnnotationMetadataEntryType, Aspects, Testing } from 'cdktf';
import { Container } from '@cdktf/provider-docker/lib/container/index.js';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider/index.js';
import { loadNationalFile, type NationalInventory } from '../inventory/index.ts';
import { PROJECT_ROOT } from './app.ts';
import { buildNationalApp, synthNationalApp, type BuiltNationalApp } from './national-app.ts';
import { isPinnedImage } from './config/images.ts';
import { PolicyAspect } from './policy/aspect.ts';
import { PolicyError } from './synth.ts';
import { setupCdktfMatchers, tempDir } from './test-support.ts';

setupCdktfMatchers();

const EXAMPLE = resolve(PROJECT_ROOT, 'inventory/examples/national.yaml');
let nat: NationalInventory;
let built: BuiltNationalApp;
type Container_ = {
  name: string;
  image: string;
  command?: string[];
  memory?: number;
  healthcheck?: { test: string[] }[] | { test: string[] };
  networks_advanced?: { ipv4_address?: string; aliases?: string[] }[];
  upload?: { file: string; content?: string }[];
};
const containers = (id: string): Container_[] => {
  const stack = built.stacks.find((s) => s.node.id === id)!;
  return Object.values(
    (JSON.parse(Testing.synth(stack)) as { resource: { docker_container: Record<string, Container_> } }).resource.docker_container,
  );
};

beforeAll(async () => {
  nat = await loadNationalFile(EXAMPLE);
  built = buildNationalApp(nat, { app: Testing.app({ outdir: join(tempDir('national-layout'), 'cdktf.out') }), version: '0.0.0-test' });
});

describe('the national stacks', () => {
  it('one national-<id> stack per national data center, each with its own provider and the policy aspect', () => {
    expect(built.stacks.map((s) => s.node.id)).toEqual(['national-ndc1', 'national-ndc2']);
    for (const s of built.stacks) expect(Aspects.of(s).all.some((a) => a instanceof PolicyAspect)).toBe(true);
    expect(Testing.synth(built.stacks[0]!)).toHaveProviderWithProperties(DockerProvider, {
      alias: 'ndc1',
      host: 'ssh://ops@ndc1.example.invalid',
    });
  });

  it('a whole store per data center: its vmstorage nodes, a vminsert and a vmselect, with the same deduplication and the latency offset the board allows for', () => {
    const c = containers('national-ndc1');
    const byName = new Map(c.map((x) => [x.name, x]));
    expect([...byName.keys()].sort()).toEqual([
      'sansang-grafana',
      'sansang-national-board',
      'sansang-vminsert',
      'sansang-vmselect',
      'sansang-vmstorage-1',
      'sansang-vmstorage-2',
    ]);
    expect(byName.get('sansang-vminsert')!.command).toContain('-storageNode=10.250.0.20:8400,10.250.0.21:8400');
    const select = byName.get('sansang-vmselect')!.command!;
    expect(select).toContain('-storageNode=10.250.0.20:8401,10.250.0.21:8401');
    expect(select).toContain('-dedup.minScrapeInterval=30s');
    expect(select).toContain('-search.latencyOffset=5s');
    expect(byName.get('sansang-vmstorage-2')!.command).toEqual(
      expect.arrayContaining(['-dedup.minScrapeInterval=30s', '-retentionPeriod=90d']),
    );
    expect(byName.get('sansang-vmstorage-2')!.networks_advanced![0]!.ipv4_address).toBe('10.250.0.21');
  });

  it('every container pinned, health-checked, limited in memory; the national board reads the local vmselect', () => {
    for (const id of ['national-ndc1', 'national-ndc2'])
      for (const c of containers(id)) {
        expect(c.memory, c.name).toBeGreaterThan(0);
        expect(JSON.stringify(c.healthcheck), c.name).toContain('CMD');
      }
    const tf = Testing.synth(built.stacks[1]!);
    expect(tf).toHaveResourceWithProperties(Container, {
      name: 'sansang-national-board',
      command: [
        'national',
        'board',
        '--national',
        '/etc/sansang/national.yaml',
        '--store',
        'http://vmselect:8481/select/0/prometheus/',
        '--listen',
        '0.0.0.0:8080',
      ],
    });
    const board = containers('national-ndc2').find((c) => c.name === 'sansang-national-board')!;
    expect(board.networks_advanced![0]!.ipv4_address).toBe('10.250.1.14');
    expect(JSON.parse(board.upload![0]!.content!)).toMatchObject({ provinces: [{ code: '01' }, { code: '40' }, { code: '79' }] });
    const grafana = containers('national-ndc2').find((c) => c.name === 'sansang-grafana')!;
    const files = grafana.upload!.map((u) => u.file);
    expect(files).toContain('/var/lib/grafana/dashboards/sansang-national.json');
    expect(grafana.upload!.find((u) => u.file.endsWith('datasources/sansang.yaml'))!.content).toContain(
      'http://vmselect:8481/select/0/prometheus',
    );
  });

  it('synthesises under the policy (every image pinned) into cdktf.out with the board image context', () => {
    const out = join(tempDir('national-synth'), 'cdktf.out');
    const r = synthNationalApp(nat, { outdir: out });
    expect(r.stacks).toEqual(['national-ndc1', 'national-ndc2']);
    expect(r.resources).toBeGreaterThan(20);
    expect(existsSync(join(out, 'board-image', 'Dockerfile'))).toBe(true);
    const tf = JSON.parse(readFileSync(join(out, 'stacks', 'national-ndc1', 'cdk.tf.json'), 'utf8')) as {
      resource: { docker_image: Record<string, { name: string }> };
    };
    for (const img of Object.values(tf.resource.docker_image))
      expect(isPinnedImage(img.name) || img.name.startsWith('sansang-board:'), img.name).toBe(true);
  });

  it('an unpinned store image stops synth, the aspect naming the rule and the resource', () => {
    const bad: NationalInventory = { ...nat, images: { ...nat.images, vmstorage: 'victoriametrics/vmstorage:latest' } };
    expect(() => synthNationalApp(bad, { outdir: join(tempDir('national-bad'), 'cdktf.out') })).toThrow(PolicyError);
    // Through the aspect itself, as `cdktf synth` runs it.
    const app = Testing.app({ outdir: join(tempDir('national-bad-aspect'), 'cdktf.out') });
    const b = buildNationalApp(bad, { app, version: '0.0.0-test' });
    Testing.synth(b.stacks[0]!);
    const errors = b.stacks[0]!.node.findAll().flatMap((n) =>
      n.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.ERROR).map((m) => String(m.data)),
    );
    expect(errors.join('\n')).toMatch(/SANSANG-IMG-1.*vmstorage:latest/);
  });

  it('`sansang national synth` and `national config` from the command line; `national board` refuses a bad refresh', () => {
    const dir = tempDir('national-cli');
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin/sansang.js'), ...args], { encoding: 'utf8', cwd: dir });
    const synth = cli('national', 'synth', '--national', EXAMPLE, '--out', join(dir, 'deep/cdktf.out'));
    expect(synth.status, synth.stderr).toBe(0);
    expect(synth.stdout).toContain('synthesized 2 national stacks (national-ndc1 national-ndc2)');
    expect(existsSync(join(dir, 'deep/cdktf.out/stacks/national-ndc2/cdk.tf.json'))).toBe(true);
    const config = cli('national', 'config', '--national', EXAMPLE, '--out', join(dir, 'out'));
    expect(config.status, config.stderr).toBe(0);
    expect(readFileSync(join(dir, 'out/province-feed.yaml'), 'utf8')).toContain('http://10.250.1.11:8480/insert/0/prometheus/api/v1/write');
    expect(existsSync(join(dir, 'out/grafana/dashboards/sansang-national.json'))).toBe(true);
    expect(existsSync(join(dir, 'out/ndc1/grafana/provisioning/datasources/sansang.yaml'))).toBe(true);
    const board = cli('national', 'board', '--national', EXAMPLE, '--store', 'http://127.0.0.1:1/', '--refresh', '0');
    expect(board.status).toBe(1);
    expect(board.stderr).toContain('--refresh expects seconds');
  });
});
