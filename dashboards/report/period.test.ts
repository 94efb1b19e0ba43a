// The report's period, its local times, the acknowledgements read from a log, and the page's
// escaping of what people typed.
import { describe, expect, it } from 'vitest';
import { loadInventoryFile } from '../../inventory/index.ts';
import { acksFromEntries } from './acks.ts';
import { computeFigures } from './figures.ts';
import { localIso, localText, parsePeriod } from './period.ts';
import { reportCsv, reportHtml } from './render.ts';

const HCM = 'Asia/Ho_Chi_Minh';

describe('the period', () => {
  it('days are whole days in the province: to=2025-07-07 includes the 7th', () => {
    const p = parsePeriod({ from: '2025-07-01', to: '2025-07-07' }, HCM);
    expect(new Date(p.fromMs).toISOString()).toBe('2025-06-30T17:00:00.000Z');
    expect(new Date(p.toMs).toISOString()).toBe('2025-07-07T17:00:00.000Z');
    expect(p.stepMs).toBe(60_000);
  });

  it('local times, times with an offset, the default week up to now', () => {
    expect(parsePeriod({ from: '2025-07-01T08:30', to: '2025-07-01T09:00:00Z' }, HCM).fromMs).toBe(Date.parse('2025-07-01T01:30:00Z'));
    const now = Date.parse('2025-07-08T03:04:05.678Z');
    const p = parsePeriod({}, HCM, now);
    expect(p.toMs).toBe(Date.parse('2025-07-08T03:04:00Z'));
    expect(p.toMs - p.fromMs).toBe(7 * 86_400_000);
  });

  it('refuses with the reason: reversed, not a time, a bad step, too many samples', () => {
    expect(() => parsePeriod({ from: '2025-07-08', to: '2025-07-01' }, HCM)).toThrow('from must be before to');
    expect(() => parsePeriod({ from: '1/7/2025' }, HCM)).toThrow(/from: expected a day \(2025-07-01\)/);
    expect(() => parsePeriod({ from: '2025-07-01', step: '0.5' }, HCM)).toThrow(/step: expected whole seconds/);
    expect(() => parsePeriod({ from: '2025-01-01', to: '2025-03-31' }, HCM)).toThrow(
      /more than 50000 samples at a step of 60 s: .*\(at least 156 s\)/,
    );
    expect(() => parsePeriod({ from: ['a', 'b'] }, HCM)).toThrow('from: give it once');
  });

  it('times are local with the offset stated and four-digit years', () => {
    const t = Date.parse('2025-07-01T17:05:00Z');
    expect(localIso(t, HCM)).toBe('2025-07-02T00:05:00+07:00');
    expect(localIso(t, 'UTC')).toBe('2025-07-01T17:05:00+00:00');
    expect(localText(t, HCM, 'vi')).toBe('02/07/2025 00:05');
    expect(localText(t, HCM, 'en')).toBe('2025-07-02 00:05');
  });
});

describe('acknowledgements and what people typed', () => {
  it('reads only ack entries from the log, whatever else it holds', () => {
    const acks = acksFromEntries([
      { type: 'signoff', unit: '16681', check: 'x', who: 'a', team: 't', note: '', at: '2025-07-01T00:00:00Z' },
      { type: 'ack', check: 'dns', who: 'Lan', team: 'ttdl', note: 'n', at: '2025-07-01T00:00:00Z', id: 'x', origin: 'o' },
      { type: 'ack', check: 'dns', who: 'Lan', team: 'ttdl', at: 'yesterday' },
      'not an object',
    ]);
    expect(acks).toEqual([{ check: 'dns', who: 'Lan', team: 'ttdl', note: 'n', at: '2025-07-01T00:00:00Z' }]);
  });

  it('a note with markup is text on the page, and a formula is defused in the CSV', async () => {
    const inventory = await loadInventoryFile(new URL('../../inventory/examples/demo.yaml', import.meta.url).pathname);
    const from = Date.parse('2025-07-01T00:00:00+07:00');
    const f = computeFigures({
      grid: { fromMs: from, toMs: from + 3 * 60_000, stepMs: 60_000 },
      units: ['16681'],
      unitCodes: new Map([['16681', [2, 2, 2]]]),
      itemNogo: new Map([['16681', new Map([['dns', [true, true, true]]])]]),
      incidents: new Map([['dns', [3, 3, 3]]]),
      acks: [
        {
          unit: '16681',
          check: 'dns',
          who: '<img src=x onerror=alert(1)>',
          team: 'vinh',
          note: '=HYPERLINK("x")',
          at: new Date(from + 60_000).toISOString(),
        },
      ],
    });
    const ctx = { inventory, lang: 'vi' as const, prometheus: 'http://127.0.0.1:9090', generatedMs: from, problems: [] };
    const html = reportHtml(f, ctx, { query: 'from=2025-07-01' });
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; (vinh), Phường Thành Vinh, 01/07/2025 00:01: =HYPERLINK(&quot;x&quot;)');
    // A file from `sansang report` stands alone: its stylesheet inside, no links to the board.
    const file = reportHtml(f, ctx, { css: '@page { size: A4; }\n' });
    expect(file).toContain('<style>\n@page { size: A4; }\n</style>');
    expect(file).not.toMatch(/<link|<nav|href=/);
    expect(reportCsv(f, ctx)).toContain(`"<img src=x onerror=alert(1)> (vinh): =HYPERLINK(""x"")"`);
    expect(reportCsv(f, { ...ctx, inventory: { ...inventory, units: [{ ...inventory.units[0]!, name: '=1+1' }] } })).toContain(
      `,16681,'=1+1,`,
    );
  });
});
