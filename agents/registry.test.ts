// The exposition's rendering: figures that only moved wait for the next tick's rendering, a
// success that flips is seen by the very next scrape, and OpenMetrics never renames the text.
import { describe, expect, it } from 'vitest';
import { Registry, type Metric, type OpenMetricsContentType } from 'prom-client';
import { AgentMetrics } from './registry.ts';
import type { ProbeRun } from './probes/index.ts';

const run = (success: boolean, durationSeconds: number): ProbeRun => ({
  job: {
    target: 'portal',
    probe: 'tcp',
    link: 'primary',
    statusKind: 'tcp',
    sourceAddress: '127.0.0.1',
    host: '127.0.0.1',
    path: { link: 'primary', gateway: '127.0.0.1' },
    timeoutMs: 1000,
    job: { kind: 'tcp', spec: { host: '127.0.0.1', port: 1 } },
  },
  result: { target: 'portal', probe: 'tcp', link: 'primary', kind: 'tcp', success, durationSeconds, at: new Date().toISOString() },
  observation: { success },
});
const series = (body: string, name: string) =>
  body
    .split('\n')
    .find((l) => l.startsWith(`${name}{`))
    ?.split(' ')
    .pop();

describe('AgentMetrics rendering', () => {
  it('moved figures wait for prerender or maxStaleMs; a flipped success is rendered at once', async () => {
    const m = new AgentMetrics('test');
    m.maxStaleMs = 60_000;
    m.recordProbe(run(true, 0.25));
    let body = (await m.expose(undefined)).body;
    expect(series(body, 'sansang_probe_duration_seconds')).toBe('0.25');
    m.recordProbe(run(true, 0.5));
    body = (await m.expose(undefined)).body;
    expect(series(body, 'sansang_probe_duration_seconds')).toBe('0.25'); // only moved: the cached rendering
    await m.prerender();
    body = (await m.expose(undefined)).body;
    expect(series(body, 'sansang_probe_duration_seconds')).toBe('0.5');
    m.recordProbe(run(false, 0.75));
    body = (await m.expose(undefined)).body;
    expect(series(body, 'sansang_probe_success')).toBe('0'); // flipped: at once, with everything else
    expect(series(body, 'sansang_probe_duration_seconds')).toBe('0.75');
    m.maxStaleMs = 0;
    m.recordProbe(run(false, 1));
    expect(series((await m.expose(undefined)).body, 'sansang_probe_duration_seconds')).toBe('1');
  });
});

describe('exposition text', () => {
  it('is what prom-client itself writes, line for line, in both formats, hostile label values included', async () => {
    const m = new AgentMetrics('1.2.3');
    const hostile = 'a"b\\c\nd';
    const base = run(true, 0.25);
    const icmp = (target: string, rttSeconds: number[]): ProbeRun => ({
      job: {
        ...base.job,
        target,
        probe: 'icmp',
        statusKind: 'icmp',
        job: { kind: 'icmp', spec: { host: '127.0.0.1', count: 3, spacingSeconds: 0.2 } },
      },
      result: {
        ...base.result,
        target,
        probe: 'icmp',
        kind: 'icmp',
        icmp: { sent: 3, received: rttSeconds.length, lossRatio: 1 - rttSeconds.length / 3, rttSeconds },
      },
      observation: { success: true },
    });
    const http: ProbeRun = {
      job: {
        ...base.job,
        target: hostile,
        probe: 'http',
        statusKind: 'http',
        job: { kind: 'http', spec: { url: 'http://127.0.0.1/' } } as ProbeRun['job']['job'],
      },
      result: {
        ...base.result,
        target: hostile,
        probe: 'http',
        kind: 'http',
        http: { status: 200, phases: { resolve: 0, connect: 0.001, tls: 0, processing: 0.002 } },
      },
      observation: { success: true },
    };
    for (let i = 0; i < 2; i++) {
      m.recordProbe(icmp('portal', [0.0001, 0.003]));
      m.recordProbe(icmp(hostile, []));
      m.recordProbe(http);
    }
    m.setCheck('wan-primary', true);
    m.setCheck(hostile, false);
    m.setReload(true);
    m.setRoundDuration(1.5);
    const withoutTime = (body: string) =>
      body.replace(/# HELP sansang_host_time_seconds .*\n# TYPE sansang_host_time_seconds gauge\nsansang_host_time_seconds \S+\n/, '');
    const ours = withoutTime((await m.expose(undefined)).body);
    expect(ours).toContain('target="a\\"b\\\\c\\nd"');
    expect(ours).toBe(await m.registry.metrics());
    // Last: prom-client's OpenMetrics rendering renames the counters on the shared objects.
    const oursOm = withoutTime((await m.expose('application/openmetrics-text; version=1.0.0')).body);
    const om = new Registry<OpenMetricsContentType>();
    om.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    for (const metric of m.registry.getMetricsAsArray() as unknown as Metric<string>[]) om.registerMetric(metric);
    expect(oursOm).toBe(await om.metrics());
  });
});

describe('series removal', () => {
  const http = (target: string, status: number): ProbeRun => {
    const r = run(true, 0.1);
    return {
      job: {
        ...r.job,
        target,
        probe: 'web',
        statusKind: 'http',
        job: { kind: 'http', spec: { url: 'http://127.0.0.1/', expectStatus: [200] } },
      },
      result: { ...r.result, target, probe: 'web', kind: 'http', http: { status, phases: { connect: 0.001, processing: 0.002 } } },
      observation: { success: true },
    };
  };
  const tcpAs = (target: string): ProbeRun => {
    const r = run(true, 0.1);
    return { ...r, job: { ...r.job, target, probe: 'web' }, result: { ...r.result, target, probe: 'web' } };
  };
  const lines = async (m: AgentMetrics, target: string) =>
    (await m.expose(undefined)).body
      .split('\n')
      .filter((l) => l.includes(`target="${target}"`))
      .map((l) => l.split('{')[0]);

  it("removes a departed probe's series, its kind's own included", async () => {
    const m = new AgentMetrics('test');
    m.recordProbe(http('gone', 200));
    m.recordProbe(http('kept', 200));
    expect(await lines(m, 'gone')).toContain('sansang_probe_http_phase_duration_seconds');
    m.retainProbes(new Set([`kept\u0000web\u0000primary`]));
    expect(await lines(m, 'gone')).toEqual([]);
    expect(await lines(m, 'kept')).toContain('sansang_probe_http_phase_duration_seconds');
  });

  it('removes the series of the former kind when a probe changes kind under the same id', async () => {
    const m = new AgentMetrics('test');
    m.recordProbe(http('svc', 200));
    m.recordProbe(tcpAs('svc'));
    expect(await lines(m, 'svc')).toEqual([
      'sansang_probe_success',
      'sansang_probe_duration_seconds',
      'sansang_probe_last_run_timestamp_seconds',
    ]);
  });
});
