// The exposition's rendering: figures that only moved wait for the next tick's rendering, a
// success that flips is seen by the very next scrape, and OpenMetrics never renames the text.
import { describe, expect, it } from 'vitest';
import { AgentMetrics } from './registry.ts';
import type { ProbeRun } from './probes/index.ts';

const run = (success: boolean, durationSeconds: number): ProbeRun => ({
  job: {
    target: 'portal',
    probe: 'tcp',
    link: 'primary',
    statusKind: 'tcp',
    sourceAddress: '127.0.0.1',
    timeoutMs: 1000,
    job: { kind: 'tcp', spec: { host: '127.0.0.1', port: 1 } },
  },
  result: { target: 'portal', probe: 'tcp', link: 'primary', kind: 'tcp', success, durationSeconds, at: new Date().toISOString() },
  observation: { success },
});
const series = (body: string, name: string) => body.split('\n').find((l) => l.startsWith(`${name}{`))?.split(' ').pop();

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
