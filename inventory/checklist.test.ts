import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultChecklist, durationSeconds, provinceChecklist, unitChecklist } from './checklist.ts';
import { loadInventoryText } from './load.ts';
import { inMaintenance, probeId, siteChecks, siteSlice, unitManualChecks, unitSlugs } from './model.ts';
import { ChecklistItem, EVIDENCE_KIND, ServiceCategory } from './schema.ts';
import { cidrContains, cidrsOverlap, isSafeTarget, isSafeUrl, parseCidr4 } from './net.ts';

const demo = loadInventoryText(readFileSync(new URL('./examples/demo.yaml', import.meta.url), 'utf8'), 'demo.yaml');
const unit = (code: string) => demo.units.find((u) => u.code === code)!;

/** The categories of the schema (but `other`) that no item of `items` checks. */
function categoriesWithoutItem(items: readonly ChecklistItem[]): string[] {
  const covered = new Set(items.flatMap((i) => (i.evidence.kind === 'service' ? [i.evidence.category] : [])));
  return ServiceCategory.options.filter((c) => c !== 'other' && !covered.has(c));
}

describe('every category has its default item', () => {
  it('each category of the schema but `other` is checked by a default item, and IPv6 readiness has one', () => {
    expect(categoriesWithoutItem(defaultChecklist)).toEqual([]);
    // The plans' systems by name: NDXP, reporting, the document-exchange axis, staff management.
    for (const c of ['ndxp', 'reporting', 'document-exchange', 'staff-management', 'email-forwarding', 'important-urls'])
      expect(
        defaultChecklist.some((i) => i.evidence.kind === 'service' && i.evidence.category === c),
        c,
      ).toBe(true);
    expect(defaultChecklist.find((i) => i.id === 'ipv6-ready')).toMatchObject({ evidence: { kind: 'ipv6' }, blocking: false });
  });

  it('the check fails when an item is missing (a category added to the schema without one)', () => {
    expect(categoriesWithoutItem(defaultChecklist.filter((i) => i.id !== 'reach-ndxp'))).toEqual(['ndxp']);
    expect(categoriesWithoutItem([])).toEqual(ServiceCategory.options.filter((c) => c !== 'other'));
  });

  it("the demo's e-mail cutover and URL list bring their items to the unit's site", () => {
    const u = unit('16681');
    const checks = siteChecks(demo, u, u.sites[0]!).map((i) => i.id);
    expect(checks).toEqual(expect.arrayContaining(['email-forwarding', 'important-urls']));
  });
});

describe("an item's kind follows its evidence", () => {
  it('is derived when left out, and every default item has the kind its evidence gives', () => {
    const item = (kind: string) =>
      ChecklistItem.parse({ id: 'x', title: { vi: 'x', en: 'x' }, owner: { vi: 'x', en: 'x' }, evidence: { kind } });
    expect(item('loss').kind).toBe('edge');
    expect(item('clock').kind).toBe('central');
    expect(item('manual').kind).toBe('manual');
    for (const i of defaultChecklist) expect([i.id, i.kind]).toEqual([i.id, EVIDENCE_KIND[i.evidence.kind]]);
  });
});

describe('the default checklist', () => {
  it('covers what the provincial plans ask for on day one', () => {
    const ids = defaultChecklist.map((i) => i.id);
    for (const id of [
      'agent-up',
      'wan-primary',
      'wan-backup',
      'reach-public-service-portal',
      'reach-lgsp',
      'reach-document-management',
      'reach-email',
      'reach-video-conference',
      'dns',
      'packet-loss',
      'latency',
      'clock',
      'disk-space',
      'tls-valid',
      'legacy-redirect',
      'signature-devices',
      'staff-trained',
      'records-handed-over',
      'failover-drill',
    ]) {
      expect(ids).toContain(id);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps agent up and the clock central: a dead agent cannot report itself', () => {
    const kind = (id: string) => defaultChecklist.find((i) => i.id === id)!.kind;
    expect(kind('agent-up')).toBe('central');
    expect(kind('clock')).toBe('central');
    expect(kind('staff-trained')).toBe('manual');
  });

  it('has both languages for every title', () => {
    for (const i of defaultChecklist) {
      expect(i.title.vi.length).toBeGreaterThan(3);
      expect(i.title.en.length).toBeGreaterThan(3);
    }
  });
});

describe('overrides', () => {
  it('re-thresholds an item for one unit only', () => {
    const latency = (code: string) => unitChecklist(demo, unit(code)).find((i) => i.id === 'latency')!.evidence;
    expect(latency('17827')).toEqual({ kind: 'latency', maxSeconds: 0.4 });
    expect(latency('16681')).toEqual({ kind: 'latency', maxSeconds: 0.15 });
  });

  it('drops, adds and tunes province-wide', () => {
    const inv = {
      checklist: {
        drop: ['latency'],
        add: [
          {
            ...defaultChecklist.find((i) => i.id === 'staff-trained')!,
            id: 'generator-fuel',
            title: { vi: 'Máy phát đủ dầu', en: 'Generator fuelled' },
          },
        ],
        thresholds: { 'packet-loss': { maxRatio: 0.1, for: '10m', blocking: false } },
      },
    };
    const items = provinceChecklist(inv);
    expect(items.find((i) => i.id === 'latency')).toBeUndefined();
    expect(items.find((i) => i.id === 'generator-fuel')?.kind).toBe('manual');
    expect(items.find((i) => i.id === 'packet-loss')).toMatchObject({
      evidence: { kind: 'loss', maxRatio: 0.1 },
      for: '10m',
      blocking: false,
    });
  });
});

describe('what applies to a site', () => {
  it('asks for a backup link only where the site has one', () => {
    const ids = (code: string, site: string) =>
      siteChecks(
        demo,
        unit(code),
        unit(code).sites.find((s) => s.id === site)!,
      ).map((i) => i.id);
    expect(ids('16690', 'truong-vinh-hq')).toContain('wan-backup');
    expect(ids('16690', 'truong-vinh-motcua')).not.toContain('wan-backup');
    // The legacy portal service is only for the Vinh units.
    expect(ids('16681', 'thanh-vinh-hq')).toContain('legacy-redirect');
    expect(ids('17827', 'nghi-loc-hq')).not.toContain('legacy-redirect');
    // The certificate item applies where some probe speaks HTTPS; manual items are per unit.
    expect(ids('16681', 'thanh-vinh-hq')).toContain('tls-valid');
    // HTTPS and the mail servers' TLS alike: without both, no certificate to judge.
    const noHttps = { ...demo, services: demo.services.filter((s) => !['cong-tinh', 'email', 'chuyen-tiep-thu'].includes(s.id)) };
    expect(siteChecks(noHttps, unit('16681'), unit('16681').sites[0]!).map((i) => i.id)).not.toContain('tls-valid');
    expect(ids('16681', 'thanh-vinh-hq')).not.toContain('staff-trained');
    expect(unitManualChecks(demo, unit('16681')).map((i) => i.id)).toContain('staff-trained');
  });

  it('gives an agent its own slice and nothing of the rest of the province', () => {
    const s = siteSlice(demo, 'nghi-loc-hq');
    expect(s.unit.code).toBe('17827');
    expect(s.services.map((x) => x.id)).not.toContain('legacy-vinh');
    expect(s.maintenance).toHaveLength(1);
    expect(JSON.stringify(s)).not.toContain('Thành Vinh');
    expect(() => siteSlice(demo, 'nowhere')).toThrow(/no site "nowhere".*thanh-vinh-hq/);
  });

  it('knows when a unit is in its maintenance window', () => {
    expect(inMaintenance(demo, '17827', new Date('2025-06-30T15:30:00Z'))).toBe(true);
    expect(inMaintenance(demo, '17827', new Date('2025-06-30T16:30:00Z'))).toBe(false);
    expect(inMaintenance(demo, '16681', new Date('2025-06-30T15:30:00Z'))).toBe(false);
  });
});

describe('ids and addresses', () => {
  it('names probes by kind', () => {
    const email = demo.services.find((s) => s.id === 'email')!;
    expect(email.probes.map(probeId)).toEqual(['smtp-18025', 'smtp-18587', 'imap-18143', 'pop3-18110']);
    expect(probeId({ kind: 'http', url: 'https://x.invalid/', expectStatus: [200] })).toBe('https');
  });

  it('slugs units from their Vietnamese names', () => {
    expect(unitSlugs(demo).get('16681')).toBe('phuong-thanh-vinh');
  });

  it('parses durations', () => {
    expect(durationSeconds('1h30m')).toBe(5400);
    expect(durationSeconds('200ms')).toBe(0.2);
    expect(durationSeconds('15s')).toBe(15);
    expect(() => durationSeconds('soon')).toThrow();
  });

  it('refuses targets that are options or shell text, and accepts real ones', () => {
    for (const bad of ['-f', '-h', 'a;reboot', '$(id)', '`id`', 'a b', 'x'.repeat(10_000), '', '1.2.3', 'a|b', '--help'])
      expect(isSafeTarget(bad), bad).toBe(false);
    for (const good of ['127.0.0.1', '::1', 'localhost', 'dichvucong.gov.vn', 'a-b.c']) expect(isSafeTarget(good), good).toBe(true);
    expect(isSafeUrl('https://user:pw@x.gov.vn/')).toBe(false);
    expect(isSafeUrl('http://[::1]:8080/x?y=1')).toBe(true);
  });

  it('does subnet arithmetic', () => {
    const a = parseCidr4('10.40.0.0/26')!;
    expect(cidrContains(a, '10.40.0.63')).toBe(true);
    expect(cidrContains(a, '10.40.0.64')).toBe(false);
    expect(cidrsOverlap(a, parseCidr4('10.40.0.0/16')!)).toBe(true);
    expect(cidrsOverlap(a, parseCidr4('10.40.0.64/26')!)).toBe(false);
    expect(parseCidr4('10.40.0.5/24')).toEqual({ base: parseCidr4('10.40.0.0/24')!.base, prefix: 24 });
  });
});
