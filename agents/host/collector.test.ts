// Host collectors declare the gauges they write: AgentMetrics builds them from the declarations,
// and a sample of a metric its collector does not declare (or with other labels) fails that
// collector, saying which, instead of being dropped without a word.
import { describe, expect, it } from 'vitest';
import { AgentMetrics } from '../registry.ts';
import { runCollector, type Collector, type Sample } from './collector.ts';
import { defaultCollectors } from './collectors.ts';

const collector = (samples: Sample[]): Collector => ({
  name: 'probe-room',
  metrics: [{ name: 'test_room_temperature_celsius', help: 'Temperature of the equipment room.', labels: ['room'] }],
  collect: async () => ({ samples }),
});

describe('host collectors', () => {
  it('write the gauges they declare, built from the declarations', async () => {
    const c = collector([{ metric: 'test_room_temperature_celsius', labels: { room: 'a' }, value: 24.5 }]);
    const m = new AgentMetrics('test', [c]);
    const run = await runCollector(c, 1000);
    expect(run.result).toMatchObject({ collector: 'probe-room', success: true });
    m.recordCollector(run);
    const body = (await m.expose(undefined)).body;
    expect(body).toContain('# HELP test_room_temperature_celsius Temperature of the equipment room.\n');
    expect(body).toContain('test_room_temperature_celsius{room="a"} 24.5\n');
  });

  it('fail loudly when they write a metric they do not declare', async () => {
    const c = collector([
      { metric: 'test_room_temperature_celsius', labels: { room: 'a' }, value: 24.5 },
      { metric: 'test_room_humidity_ratio', labels: { room: 'a' }, value: 0.4 },
    ]);
    const run = await runCollector(c, 1000);
    expect(run.result).toMatchObject({
      success: false,
      error: 'collector probe-room wrote test_room_humidity_ratio, a metric it does not declare',
    });
    expect(run.output).toBeUndefined();
    const m = new AgentMetrics('test', [c]);
    m.recordCollector(run);
    const body = (await m.expose(undefined)).body;
    expect(body).toContain('sansang_collector_success{collector="probe-room"} 0\n');
    expect(body).not.toContain('test_room_temperature_celsius{');
  });

  it('fail when a sample has other labels than its metric declares', async () => {
    const run = await runCollector(collector([{ metric: 'test_room_temperature_celsius', labels: { rack: '1' }, value: 20 }]), 1000);
    expect(run.result).toMatchObject({
      success: false,
      error: 'collector probe-room wrote test_room_temperature_celsius labelled rack, not room',
    });
  });

  it('refuse to record a sample of a collector AgentMetrics was not given', () => {
    const m = new AgentMetrics('test', defaultCollectors);
    const sample = { metric: 'test_room_temperature_celsius', labels: { room: 'a' }, value: 1 };
    const run = { result: { collector: 'probe-room', success: true, durationSeconds: 0 }, output: { samples: [sample] } };
    expect(() => m.recordCollector(run)).toThrow(
      'test_room_temperature_celsius: no host collector given to AgentMetrics declares this metric',
    );
  });

  it('each default collector writes only what it declares, and no two declare one metric', async () => {
    const names = defaultCollectors.flatMap((c) => c.metrics.map((d) => d.name));
    expect(new Set(names).size).toBe(names.length);
    for (const c of defaultCollectors) {
      const run = await runCollector(c, 5000);
      expect(run.result, c.name).toMatchObject({ success: true });
    }
  });
});
