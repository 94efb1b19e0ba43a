// Checks that need the whole inventory: duplicates, references that lead nowhere, addresses
// outside their subnet or colliding, overlapping subnets. Each finding carries the path of the
// value at fault so the loader can print its line and column.
import { provinceChecklist, tuningKeysFor, unitChecklist } from './checklist.ts';
import { cidrContains, cidrsOverlap, parseCidr4, type Cidr4 } from './net.ts';
import type { Issue, PathSegment } from './problems.ts';
import { probeId } from './model.ts';
import { addressCollisions, demoOnly, hostnameClashes, portalPlanIssues } from './province-checks.ts';
import { EVIDENCE_KIND, type ChecklistOverride, type Inventory } from './schema.ts';

export function crossCheck(inv: Inventory): Issue[] {
  const out: Issue[] = [];
  const add = (path: PathSegment[], message: string) => out.push({ path, message });

  duplicates(
    inv.dataCenters.map((d, i) => [d.id, ['dataCenters', i, 'id']]),
    'data center id',
    add,
  );
  duplicates(
    inv.services.map((s, i) => [s.id, ['services', i, 'id']]),
    'service id',
    add,
  );
  duplicates(
    inv.units.map((u, i) => [u.code, ['units', i, 'code']]),
    'unit code',
    add,
  );
  duplicates(
    inv.units.flatMap((u, i) => u.sites.map((s, j) => [s.id, ['units', i, 'sites', j, 'id']] as const)),
    'site id',
    add,
  );
  duplicates(
    inv.teams.map((t, i) => [t.id, ['teams', i, 'id']]),
    'team id',
    add,
  );

  dataCenters(inv, add);
  services(inv, add);
  units(inv, add);
  references(inv, add);
  checklists(inv, add);
  addressCollisions(inv, add);
  hostnameClashes(inv, add);
  portalPlanIssues(inv, add);
  demoOnly(inv, add);
  return out;
}

type Add = (path: PathSegment[], message: string) => void;

function duplicates(entries: readonly (readonly [string, PathSegment[]])[], what: string, add: Add): void {
  const seen = new Map<string, PathSegment[]>();
  for (const [key, path] of entries) {
    const first = seen.get(key);
    if (first) add(path, `duplicate ${what} "${key}" (first used at ${first.join('.')})`);
    else seen.set(key, path);
  }
}

function dataCenters(inv: Inventory, add: Add): void {
  const roles = inv.dataCenters.map((d) => d.role);
  if (!roles.includes('primary')) add(['dataCenters'], 'no data center has role: primary');
  if (!roles.includes('backup')) add(['dataCenters'], 'no data center has role: backup; the plans require a backup path');
  if (roles.filter((r) => r === 'primary').length > 1) add(['dataCenters'], 'more than one data center has role: primary');
  inv.dataCenters.forEach((dc, i) => {
    const net = parseCidr4(dc.wan.subnet);
    if (!net) return add(['dataCenters', i, 'wan', 'subnet'], 'the WAN segment must be an IPv4 subnet');
    if (!cidrContains(net, dc.wan.gateway))
      add(['dataCenters', i, 'wan', 'gateway'], `gateway ${dc.wan.gateway} is outside ${dc.wan.subnet}`);
    for (const [role, ip] of Object.entries(dc.monitoring)) {
      if (!cidrContains(net, ip)) add(['dataCenters', i, 'monitoring', role], `${ip} is outside the WAN segment ${dc.wan.subnet}`);
    }
  });
}

function services(inv: Inventory, add: Add): void {
  inv.services.forEach((s, i) => {
    if (s.scope === 'provincial' && !s.hostedIn?.length)
      add(['services', i, 'scope'], 'a provincial service names the data centers that host it (hostedIn)');
    if (s.scope === 'national' && s.hostedIn?.length)
      add(['services', i, 'hostedIn'], 'a national service is not hosted in our data centers; remove hostedIn');
    s.probes.forEach((p, j) => {
      if (p.kind !== 'mail-forward') return;
      // The canary's old addresses are the unit's old domains: every unit it runs for needs them.
      const without = inv.units.filter((u) => (!s.units || s.units.includes(u.code)) && !u.email).map((u) => u.code);
      if (without.length)
        add(
          ['services', i, 'probes', j],
          `the forwarding canary needs the e-mail cutover (email: { domain, oldDomains }) of every unit it runs for; missing at ${without.slice(0, 5).join(', ')}${without.length > 5 ? '…' : ''} (limit the service with units: […])`,
        );
    });
    const ids = s.probes.map((p, j): [string, PathSegment[]] => [probeId(p), ['services', i, 'probes', j]]);
    const seen = new Set<string>();
    for (const [id, path] of ids) {
      if (seen.has(id)) add(path, `two probes of service "${s.id}" have the id "${id}"; give one an explicit id`);
      seen.add(id);
    }
  });
}

function units(inv: Inventory, add: Add): void {
  const subnets: { net: Cidr4; path: PathSegment[]; text: string }[] = inv.dataCenters.flatMap((d, i) => {
    const net = parseCidr4(d.wan.subnet);
    return net ? [{ net, path: ['dataCenters', i, 'wan', 'subnet'], text: d.wan.subnet }] : [];
  });
  const addresses = new Map<string, PathSegment[]>();
  const legacy = new Map<string, PathSegment[]>();
  inv.units.forEach((u, i) => {
    for (const key of ['subnet', 'backupSubnet'] as const) {
      const text = u[key];
      if (!text) continue;
      const net = parseCidr4(text);
      if (!net) {
        add(['units', i, key], 'the address plan uses IPv4 subnets');
        continue;
      }
      const clash = subnets.find((o) => cidrsOverlap(o.net, net));
      if (clash) add(['units', i, key], `${text} overlaps ${clash.text} (${clash.path.join('.')})`);
      subnets.push({ net, path: ['units', i, key], text });
    }
    const primaryNet = u.subnet ? parseCidr4(u.subnet) : null;
    const backupNet = u.backupSubnet ? parseCidr4(u.backupSubnet) : primaryNet;
    u.sites.forEach((s, j) => {
      for (const link of ['primary', 'backup'] as const) {
        const l = s.links[link];
        if (!l) continue;
        const path: PathSegment[] = ['units', i, 'sites', j, 'links', link, 'address'];
        const net = link === 'primary' ? primaryNet : backupNet;
        if (net && !cidrContains(net, l.address))
          add(
            path,
            `${l.address} is outside the unit's ${link === 'primary' ? 'subnet' : 'backup subnet'} ${link === 'primary' ? u.subnet : (u.backupSubnet ?? u.subnet)}`,
          );
        if (l.address === l.gateway) add(path, 'the site address and its gateway are the same');
        const key = `${l.address}:${s.agentPort}`;
        const first = addresses.get(key);
        if (first) add(path, `${l.address} port ${s.agentPort} is already the agent address of ${first.join('.')}`);
        else addresses.set(key, path);
      }
      if (s.links.backup && s.links.backup.address === s.links.primary.address) {
        add(['units', i, 'sites', j, 'links', 'backup', 'address'], 'the backup link needs its own address, not the primary one');
      }
    });
    u.portal?.legacyHostnames.forEach((h, k) => {
      const path: PathSegment[] = ['units', i, 'portal', 'legacyHostnames', k];
      const first = legacy.get(h);
      if (first) add(path, `legacy hostname ${h} is already redirected by ${first.join('.')}`);
      else legacy.set(h, path);
      if (h === u.portal?.hostname) add(path, 'a legacy hostname cannot be the new hostname');
    });
  });
}

function references(inv: Inventory, add: Add): void {
  const dcs = new Set(inv.dataCenters.map((d) => d.id));
  const codes = new Set(inv.units.map((u) => u.code));
  const dcList = [...dcs].join(', ');
  inv.services.forEach((s, i) => {
    s.hostedIn?.forEach((d, j) => dcs.has(d) || add(['services', i, 'hostedIn', j], `no data center "${d}" (data centers: ${dcList})`));
    s.units?.forEach((c, j) => codes.has(c) || add(['services', i, 'units', j], `no unit with code ${c}`));
  });
  inv.units.forEach((u, i) => {
    if (!u.portal) return;
    u.portal.backends.forEach(
      (b, j) =>
        dcs.has(b.dataCenter) ||
        add(['units', i, 'portal', 'backends', j, 'dataCenter'], `no data center "${b.dataCenter}" (data centers: ${dcList})`),
    );
    for (const d of Object.keys(u.portal.addresses))
      if (!dcs.has(d)) add(['units', i, 'portal', 'addresses', d], `no data center "${d}" (data centers: ${dcList})`);
    inv.dataCenters.forEach((dc) => {
      const ip = u.portal!.addresses[dc.id];
      const net = parseCidr4(dc.wan.subnet);
      if (!ip) add(['units', i, 'portal', 'addresses'], `no address for the unit's HAProxy in data center "${dc.id}"`);
      else if (net && !cidrContains(net, ip))
        add(['units', i, 'portal', 'addresses', dc.id], `${ip} is outside ${dc.id}'s WAN segment ${dc.wan.subnet}`);
    });
    const primary = inv.dataCenters.find((d) => d.role === 'primary');
    if (primary && !u.portal.backends.some((b) => b.dataCenter === primary.id))
      add(['units', i, 'portal', 'backends'], `no backend in the primary data center "${primary.id}"`);
  });
  const teamIds = inv.teams.map((t) => t.id);
  inv.teams.forEach((t, i) => {
    if (t.escalateTo === t.id) add(['teams', i, 'escalateTo'], 'a team cannot escalate to itself');
    else if (t.escalateTo && !teamIds.includes(t.escalateTo))
      add(['teams', i, 'escalateTo'], `no team "${t.escalateTo}" (teams: ${teamIds.join(', ')})`);
    if (t.telegram.length && !inv.notify.telegram)
      add(['teams', i, 'telegram'], 'Telegram chats need notify.telegram (the bot token file)');
    if (t.email.length && !inv.notify.smtp)
      add(['teams', i, 'email'], 'e-mail addresses need notify.smtp (the mail relay, its sender and password file)');
  });
  inv.teams.forEach((t, i) =>
    t.units.forEach((c, j) => c === '*' || codes.has(c) || add(['teams', i, 'units', j], `no unit with code ${c}`)),
  );
  inv.maintenance.forEach((m, i) => {
    const unit = inv.units.find((u) => u.code === m.unit);
    if (!unit) add(['maintenance', i, 'unit'], `no unit with code ${m.unit}`);
    else if (m.site && !unit.sites.some((s) => s.id === m.site)) add(['maintenance', i, 'site'], `unit ${m.unit} has no site "${m.site}"`);
    if (Date.parse(m.from) >= Date.parse(m.to)) add(['maintenance', i, 'to'], 'the window ends before it starts');
  });
  if (inv.province.watch.from > inv.province.watch.to) add(['province', 'watch', 'to'], 'the watch ends before it starts');
}

const KIND_MEANS = {
  edge: 'the site agent judges it',
  central: 'the rules and the board judge it from the data center',
  manual: 'a person signs it off on the board',
} as const;

function checklists(inv: Inventory, add: Add): void {
  const check = (o: ChecklistOverride | undefined, path: PathSegment[], ids: Set<string>) => {
    if (!o) return;
    o.drop.forEach((id, j) => ids.has(id) || add([...path, 'drop', j], `no checklist item "${id}" to drop`));
    const items = new Map(
      [...(path[0] === 'units' ? unitChecklist(inv, inv.units[path[1] as number]!) : provinceChecklist(inv))].map((i) => [i.id, i]),
    );
    for (const [id, t] of Object.entries(o.thresholds)) {
      const item = items.get(id);
      if (!item) {
        add([...path, 'thresholds', id], `no checklist item "${id}"`);
        continue;
      }
      const allowed = tuningKeysFor(item.evidence.kind);
      for (const k of Object.keys(t)) {
        if (['blocking', 'for', 'failureThreshold', 'successThreshold'].includes(k) || allowed.includes(k)) continue;
        add(
          [...path, 'thresholds', id, k],
          `item "${id}" (${item.evidence.kind}) has no threshold "${k}"${allowed.length ? `; it has ${allowed.join(', ')}` : ''}`,
        );
      }
    }
  };
  const kindFits = (o: ChecklistOverride | undefined, path: PathSegment[]) =>
    o?.add.forEach((item, j) => {
      const fits = EVIDENCE_KIND[item.evidence.kind];
      if (item.kind !== fits)
        add(
          [...path, 'add', j, 'kind'],
          `item "${item.id}" is ${item.kind} but its evidence "${item.evidence.kind}" is judged as ${fits} (${KIND_MEANS[fits]}): write "kind: ${fits}" or leave kind out`,
        );
    });
  kindFits(inv.checklist, ['checklist']);
  inv.units.forEach((u, i) => kindFits(u.checklist, ['units', i, 'checklist']));
  const province = new Set(provinceChecklist({ checklist: undefined }).map((i) => i.id));
  for (const a of inv.checklist?.add ?? []) province.add(a.id);
  check(inv.checklist, ['checklist'], province);
  inv.units.forEach((u, i) => {
    const ids = new Set(provinceChecklist(inv).map((x) => x.id));
    for (const a of u.checklist?.add ?? []) ids.add(a.id);
    check(u.checklist, ['units', i, 'checklist'], ids);
  });
}
