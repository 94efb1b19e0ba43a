// Edge checks: one-round judgements and the Gatus-style thresholds across rounds.
import { describe, expect, it } from 'vitest';
import { ChecklistItem } from '../inventory/index.ts';
import { CheckBook, judge, type RoundEvidence } from './checks.ts';
import type { ProbeRun } from './probes/index.ts';
import { cronFor } from './config.ts';

const run = (
  target: string,
  link: 'primary' | 'backup',
  success: boolean,
  extra: Partial<ProbeRun['result']> = {},
  category = 'email',
): ProbeRun => ({
  job: {
    target,
    probe: 'p',
    link,
    statusKind: 'tcp',
    sourceAddress: '127.0.0.1',
    host: '127.0.0.1',
    path: { link: 'primary', gateway: '127.0.0.1' },
    timeoutMs: 1000,
    job: { kind: 'tcp', spec: { host: '127.0.0.1', port: 1 } },
    category,
  },
  result: { target, probe: 'p', link, kind: 'tcp', success, durationSeconds: 0.01, at: new Date().toISOString(), ...extra },
  observation: { success },
});
const ev = (probes: ProbeRun[]): RoundEvidence => ({ probes, filesystems: [], now: new Date() });
const item = (evidence: object, t: Partial<{ failureThreshold: number; successThreshold: number }> = {}) =>
  ChecklistItem.parse({ id: 'x', title: { vi: 'x', en: 'x' }, owner: { vi: 'x', en: 'x' }, kind: 'edge', evidence, ...t });

describe('judge', () => {
  it('service: ok when every probe works over at least one link (a cut primary with a working backup stays ok)', () => {
    const i = item({ kind: 'service', category: 'email' });
    expect(judge(i, ev([run('mail', 'primary', false), run('mail', 'backup', true)])).ok).toBe(true);
    expect(judge(i, ev([run('mail', 'primary', false), run('mail', 'backup', false)])).ok).toBe(false);
  });
  it('link: one success over the link is enough', () => {
    const i = item({ kind: 'link', link: 'backup' });
    expect(judge(i, ev([run('a', 'primary', true), run('b', 'backup', false)])).ok).toBe(false);
    expect(judge(i, ev([run('a', 'backup', true), run('b', 'backup', false)])).ok).toBe(true);
  });
  it('link, results of different ages: failures to three targets after the last success fail it, one dead service does not', () => {
    const i = item({ kind: 'link', link: 'primary' });
    const t0 = Date.parse('2026-07-01T00:00:00Z');
    const at = (s: number) => ({ at: new Date(t0 + s * 1000).toISOString() });
    const rolling = (probes: ProbeRun[]): RoundEvidence => ({ ...ev(probes), rolling: true });
    const older = [
      run('a', 'primary', true, at(0)),
      run('b', 'primary', true, at(1)),
      run('c', 'primary', true, at(2)),
      run('d', 'primary', true, at(3)),
    ];
    // The link is cut after 3 s: a, b and c fail in their next slots, d's success is older.
    const cut = [run('a', 'primary', false, at(5)), run('b', 'primary', false, at(6)), run('c', 'primary', false, at(7)), older[3]!];
    expect(judge(i, ev(cut)).ok).toBe(true); // one round at once: any success is enough
    const j = judge(i, rolling(cut));
    expect(j.ok).toBe(false);
    expect(j.reason).toMatch(/3 probes to 3 targets failed over the primary link/);
    // Two targets failing since the last success: not yet.
    expect(judge(i, rolling([cut[0]!, cut[1]!, older[2]!, older[3]!])).ok).toBe(true);
    // One dead service fails in every slot, interleaved with the others' successes.
    const oneDead = [
      run('a', 'primary', false, at(5)),
      run('a', 'primary', false, at(9)),
      run('b', 'primary', true, at(6)),
      run('c', 'primary', true, at(7)),
    ];
    expect(judge(i, rolling(oneDead)).ok).toBe(true);
    // Only two targets over the link (a with two probes): both failing after the last success is enough.
    expect(
      judge(i, rolling([run('a', 'primary', true, at(0)), run('a', 'primary', false, at(5)), run('g', 'primary', false, at(6))])).ok,
    ).toBe(false);
  });
  it('loss and latency: worst ICMP probe over the primary link', () => {
    const icmp = (lossRatio: number, rtt: number[]) =>
      run('g', 'primary', true, { icmp: { sent: 10, received: 10 - lossRatio * 10, lossRatio, rttSeconds: rtt } });
    expect(judge(item({ kind: 'loss', maxRatio: 0.05 }), ev([icmp(0, [0.01]), icmp(0.3, [0.01])])).ok).toBe(false);
    expect(judge(item({ kind: 'loss', maxRatio: 0.05 }), ev([icmp(0, [0.01])])).ok).toBe(true);
    expect(judge(item({ kind: 'latency', maxSeconds: 0.1 }), ev([icmp(0, [0.05, 0.25])])).ok).toBe(false);
    expect(judge(item({ kind: 'loss' }), ev([])).ok).toBe(false);
  });
  it('disk: the least free filesystem decides; an unreadable one fails', () => {
    const i = item({ kind: 'disk', minFreeRatio: 0.1 });
    expect(
      judge(i, { ...ev([]), filesystems: [{ mountpoint: '/', fstype: 'ext4', device: 'sda1', sizeBytes: 100, freeBytes: 5 }] }).ok,
    ).toBe(false);
    expect(judge(i, { ...ev([]), filesystems: { error: 'timed out' } }).ok).toBe(false);
  });
});

describe('CheckBook thresholds', () => {
  it('no state until enough rounds; failing after failureThreshold; ok after successThreshold', () => {
    const i = item({ kind: 'link', link: 'primary' }, { failureThreshold: 2, successThreshold: 2 });
    const book = new CheckBook([i]);
    const down = ev([run('a', 'primary', false)]);
    const up = ev([run('a', 'primary', true)]);
    expect(book.round(down)[0]).toMatchObject({ ok: null, lastRoundOk: false });
    expect(book.round(down)[0]).toMatchObject({ ok: false });
    expect(book.round(up)[0]).toMatchObject({ ok: false, lastRoundOk: true });
    expect(book.round(down)[0]).toMatchObject({ ok: false });
    expect(book.round(up)[0]).toMatchObject({ ok: false });
    expect(book.round(up)[0]).toMatchObject({ ok: true });
    // one bad round does not flap it
    expect(book.round(down)[0]).toMatchObject({ ok: true, lastRoundOk: false });
  });
});

describe('cronFor', () => {
  it('keeps rounds evenly spaced at an offset, refuses intervals that do not divide', () => {
    expect(cronFor(15_000, 7)).toBe('7,22,37,52 * * * * *');
    expect(cronFor(2_000, 1)).toMatch(/^1,3,5,/);
    expect(cronFor(300_000, 90)).toBe('30 1,6,11,16,21,26,31,36,41,46,51,56 * * * *');
    expect(() => cronFor(45_000, 0)).toThrow(/divides/);
  });
});

describe('version', () => {
  it('the agent reports the package version', async () => {
    const { AGENT_VERSION } = await import('./version.ts');
    const pkg = JSON.parse((await import('node:fs')).readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(AGENT_VERSION).toBe(pkg.version);
  });
});
