// Nothing from the inventory reaches a generated file unescaped. The loader refuses control
// characters in names; and even an inventory built in code with a new line and each format's
// special characters in the province's and the units' names gives files that the real programs
// accept (named-checkzone, amtool, haproxy -c, promtool) holding exactly the expected records and
// keys: no extra A record, no `templates:` key.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alertmanagerFiles, rulesFiles } from '../../dashboards/index.ts';
import { loadInventoryFile, parseInventory, writeGeneratedFiles, type Inventory } from '../../inventory/index.ts';
import { dnsFiles, haproxyFiles, prometheusFiles } from '../../stacks/index.ts';
import { namedCheckZone, selfSignedPem } from '../../stacks/test-support.ts';

const root = new URL('../../', import.meta.url).pathname;
const HOSTILE =
  'Tỉnh Thử\nevil.example. 60 IN A 6.6.6.6\ntemplates: ["/etc/passwd"]\n"quoted" #hash ;semi \\back {{ $labels.x }} `tick` %s';
let inv: Inventory;
let out = '';

function tool(cmd: string, args: string[], pkg: string, cwd = out) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd });
  if (r.error) throw new Error(`${cmd} is not installed: apt-get install ${pkg}`);
  return { code: r.status, text: `${r.stdout}${r.stderr}` };
}

beforeAll(async () => {
  const demo = await loadInventoryFile(join(root, 'inventory/examples/demo.yaml'));
  // Built in code, past the loader: the generators must hold on their own.
  inv = { ...demo, province: { ...demo.province, name: HOSTILE }, units: demo.units.map((u) => ({ ...u, name: `${u.name}\n${HOSTILE}` })) };
  out = mkdtempSync(join(tmpdir(), 'sansang-hostile-'));
  await writeGeneratedFiles(out, [
    ...prometheusFiles(inv),
    ...rulesFiles(inv),
    ...alertmanagerFiles(inv),
    ...haproxyFiles(inv),
    ...dnsFiles(inv),
  ]);
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('hostile names', () => {
  it('are refused by the loader, at their line', () => {
    const text = readFileSync(join(root, 'inventory/examples/demo.yaml'), 'utf8').replace(/^ {2}name: .*$/m, '  name: "Tỉnh\\nThử"');
    const r = parseInventory(text, 'demo.yaml');
    expect(r.problems.map((p) => p.message).join('\n')).toMatch(
      /province\.name: a control character \(a new line, a tab…\) is not allowed/,
    );
  });

  it('zone files: named-checkzone loads them, and they hold exactly the portals’ records', () => {
    for (const f of dnsFiles(inv)) {
      const r = namedCheckZone(join(out, f.path));
      expect(r.status, r.stdout + r.stderr).toBe(0);
      const dc = f.path.replace(/^dns\/|\.zone$/g, '');
      const expected = inv.units
        .flatMap((u) =>
          u.portal?.addresses[dc] ? [u.portal.hostname, ...u.portal.legacyHostnames].map((h) => `${h}. ${u.portal!.addresses[dc]}`) : [],
        )
        .sort();
      expect(r.records).toEqual(expected);
    }
  });

  it('alertmanager.yml: amtool accepts it, and its keys are exactly the generated ones', () => {
    const r = tool('amtool', ['check-config', 'alertmanager/alertmanager.yml'], 'prometheus-alertmanager');
    expect(r.code, r.text).toBe(0);
    const doc = parse(readFileSync(join(out, 'alertmanager/alertmanager.yml'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(doc).sort()).toEqual(
      ['global', 'inhibit_rules', 'receivers', 'route', 'time_intervals'].filter((k) => k in doc).sort(),
    );
    expect(doc).not.toHaveProperty('templates');
  });

  it('rules and prometheus.yml: promtool accepts them, and their keys are exactly the generated ones', () => {
    const rules = tool('promtool', ['check', 'rules', 'rules/sansang.rules.yml'], 'prometheus');
    expect(rules.code, rules.text).toBe(0);
    expect(Object.keys(parse(readFileSync(join(out, 'rules/sansang.rules.yml'), 'utf8')) as object)).toEqual(['groups']);
    for (const dc of inv.dataCenters) {
      const config = tool('promtool', ['check', 'config', `prometheus-${dc.id}.yml`], 'prometheus');
      expect(config.code, config.text).toBe(0);
      expect(parse(readFileSync(join(out, `prometheus-${dc.id}.yml`), 'utf8'))).not.toHaveProperty('templates');
    }
  });

  it('haproxy.cfg: haproxy -c accepts every file, and no name leaves its comment', () => {
    for (const f of haproxyFiles(inv)) {
      const unit = inv.units.find((u) => f.path.startsWith(`haproxy/${u.code}/`))!;
      writeFileSync(
        join(out, f.path, '..', `${unit.portal!.hostname}.pem`),
        selfSignedPem(mkdtempSync(join(tmpdir(), 'cert-')), [unit.portal!.hostname, ...unit.portal!.legacyHostnames]),
      );
      const r = tool('haproxy', ['-c', '-f', join(out, f.path)], 'haproxy', '/');
      expect(r.code, r.text).toBe(0);
      for (const line of readFileSync(join(out, f.path), 'utf8').split('\n'))
        if (line.includes('evil') || line.includes('passwd')) expect(line.trimStart().startsWith('#'), line).toBe(true);
    }
  });
});
