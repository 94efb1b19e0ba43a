// Each policy rule fires on the resource that breaks it, names itself and the resource path, and
// fails synth; a suppression needs a written reason. The real stacks pass.
import { describe, expect, it } from 'vitest';
import { AnnotationMetadataEntryType, Aspects, TerraformStack, Testing } from 'cdktf';
import { Container, type ContainerConfig } from '@cdktf/provider-docker/lib/container/index.js';
import { Image } from '@cdktf/provider-docker/lib/image/index.js';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider/index.js';
import { resolve } from 'node:path';
import { loadInventoryFile } from '../../inventory/index.ts';
import { PROJECT_ROOT } from '../app.ts';
import { PolicyError, synthApp } from '../synth.ts';
import { tempDir } from '../test-support.ts';
import { PolicyAspect, suppress } from './aspect.ts';
import { RULES } from './rules.ts';

const GOOD: ContainerConfig = {
  name: 'good',
  image: 'haproxy:3.2.4',
  restart: 'unless-stopped',
  memory: 128,
  logDriver: 'json-file',
  logOpts: { 'max-size': '10m', 'max-file': '3' },
  healthcheck: { test: ['CMD', 'true'] },
};

function stackWith(config: Partial<ContainerConfig>, before?: (c: Container) => void): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'policy-test');
  Aspects.of(stack).add(new PolicyAspect());
  const provider = new DockerProvider(stack, 'docker', { host: 'unix:///var/run/docker.sock' });
  const c = new Container(stack, 'subject', { ...GOOD, ...config, provider } as ContainerConfig);
  before?.(c);
  return stack;
}

/** The error annotations the policy leaves after the aspects ran (Testing.synth runs them). */
function violations(stack: TerraformStack): string[] {
  Testing.synth(stack);
  return stack.node
    .findAll()
    .flatMap((n) => n.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.ERROR).map((m) => String(m.data)));
}

const cases: [string, Partial<ContainerConfig>][] = [
  ['SANSANG-IMG-1', { image: 'haproxy:latest' }],
  ['SANSANG-IMG-1', { image: 'haproxy' }],
  ['SANSANG-IMG-1', { image: 'grafana/grafana:12' }],
  ['SANSANG-IMG-1', { image: 'registry.example.invalid:5000/haproxy' }],
  ['SANSANG-CTR-1', { healthcheck: undefined }],
  ['SANSANG-CTR-1', { healthcheck: { test: ['NONE'] } }],
  ['SANSANG-CTR-2', { restart: undefined }],
  ['SANSANG-CTR-2', { restart: 'no' }],
  ['SANSANG-CTR-3', { memory: undefined }],
  ['SANSANG-CTR-4', { logDriver: undefined, logOpts: undefined }],
  ['SANSANG-CTR-4', { logOpts: { 'max-file': '3' } }],
  ['SANSANG-SEC-1', { privileged: true }],
  ['SANSANG-NET-1', { ports: [{ internal: 80, external: 80 }] }],
  ['SANSANG-NET-1', { ports: [{ internal: 443, external: 443, ip: '0.0.0.0' }] }],
  ['SANSANG-NET-1', { publishAllPorts: true }],
];

describe('the policy aspects', () => {
  it('has a test case for every rule', () => {
    expect(new Set(cases.map(([id]) => id))).toEqual(new Set(RULES.map((r) => r.id)));
  });

  it('passes a container that follows every rule, pinned by tag or digest, a port on one address', () => {
    expect(violations(stackWith({}))).toEqual([]);
    expect(violations(stackWith({ image: `haproxy@sha256:${'a'.repeat(64)}` }))).toEqual([]);
    expect(violations(stackWith({ ports: [{ internal: 8080, external: 8080, ip: '127.0.0.1' }] }))).toEqual([]);
  });

  it.each(cases)('%s fires on %o with the resource path', (id, config) => {
    const found = violations(stackWith(config));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`[${id}]`);
    expect(found[0]).toContain('policy-test/subject');
  });

  it('checks docker_image names too', () => {
    const stack = new TerraformStack(Testing.app(), 'policy-test');
    Aspects.of(stack).add(new PolicyAspect());
    const provider = new DockerProvider(stack, 'docker', {});
    new Image(stack, 'img', { provider, name: 'prom/prometheus:latest' });
    expect(violations(stack)).toEqual([expect.stringContaining('[SANSANG-IMG-1]')]);
  });

  it('fails synth, naming the rule and the resource', () => {
    expect(() => Testing.fullSynth(stackWith({ privileged: true }))).toThrow(/\[SANSANG-SEC-1\].*policy-test\/subject/);
  });

  it('a suppression with a reason silences one rule for that resource, and says so', () => {
    const stack = stackWith({ ports: [{ internal: 80, external: 80 }], privileged: true }, (c) =>
      suppress(c, 'SANSANG-NET-1', 'lab host without a second interface, see ticket 42'),
    );
    const found = violations(stack);
    expect(found).toEqual([expect.stringContaining('[SANSANG-SEC-1]')]);
    const info = stack.node
      .findAll()
      .flatMap((n) => n.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.INFO).map((m) => String(m.data)));
    expect(info).toEqual([expect.stringContaining('[SANSANG-NET-1] suppressed: lab host without a second interface')]);
  });

  it('refuses a suppression without a written reason, or of a rule that does not exist', () => {
    expect(() => stackWith({}, (c) => suppress(c, 'SANSANG-NET-1', ''))).toThrow(/needs a written reason/);
    expect(() => stackWith({}, (c) => suppress(c, 'SANSANG-NET-1', 'because'))).toThrow(/needs a written reason/);
    expect(() => stackWith({}, (c) => suppress(c, 'SANSANG-NOPE-1', 'a perfectly good reason'))).toThrow(/no policy rule/);
  });

  it('runs on every stack of the app: an unpinned image in the inventory stops synth', async () => {
    const inv = await loadInventoryFile(resolve(PROJECT_ROOT, 'inventory/examples/demo.yaml'));
    const bad = { ...inv, images: { ...inv.images, grafana: 'grafana/grafana:latest', haproxy: 'haproxy:3' } };
    let err: unknown;
    try {
      synthApp(bad, { inventoryDir: resolve(PROJECT_ROOT, 'inventory/examples'), outdir: tempDir('policy') });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PolicyError);
    const v = (err as PolicyError).violations;
    expect(v).toEqual(expect.arrayContaining([expect.stringMatching(/^\[SANSANG-IMG-1\] .*\(dc-dc1\/image-grafana\)$/)]));
    // The unit stacks have their own aspect: their containers name the image directly.
    expect(v.some((l) => /^\[SANSANG-IMG-1\] .*\(unit-16681\/haproxy-dc1\/container\)$/.test(l))).toBe(true);
  });
});
