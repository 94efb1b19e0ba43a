// The inventory's shape: one strict zod schema for the whole province. Unknown keys are errors
// (Gatus' lenient YAML silently ignored misspelt keys; ours refuses them). Cross-references
// between parts (a site's data center, a service's host) are checked in crosscheck.ts.
import { z } from 'zod';
import { isCidr, isHostname, isIp, isSafeUrl, isSafeTarget } from './net.ts';

const msg = (message: string) => ({ error: message });

/** A duration such as `30s`, `5m`, `1h`, `1h30m`, as Prometheus writes them. */
export const durationRe = /^(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;
export const Duration = z
  .string()
  .regex(durationRe, msg('expected a duration such as 30s, 5m or 1h'))
  .refine((s) => s.length > 0, msg('expected a duration such as 30s, 5m or 1h'));

export const Id = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, msg('expected an id: lower-case letters, digits and hyphens, at most 63 characters'));

/** Official unit codes keep their leading zeros: always a string of digits. */
export const UnitCode = z.string().regex(/^\d{5}$/, msg('expected the official five-digit unit code as a quoted string, e.g. "16681"'));
export const ProvinceCode = z.string().regex(/^\d{2}$/, msg('expected the two-digit province code as a quoted string, e.g. "40"'));

export const Ip = z.string().refine(isIp, msg('expected an IPv4 or IPv6 address'));
export const Cidr = z.string().refine(isCidr, msg('expected a subnet in CIDR form, e.g. 10.40.0.0/26'));
export const Hostname = z.string().refine(isHostname, msg('expected a DNS hostname such as portal.nghean.gov.vn'));
/** A host a probe is sent to: a hostname or an IP literal, never an option or shell text. */
export const Target = z
  .string()
  .refine(isSafeTarget, msg('expected a hostname or an IP address (no leading "-", white space or shell characters)'));
export const Url = z.string().refine(isSafeUrl, msg('expected an http:// or https:// URL with a hostname or an IP address'));
const DateString = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, msg('expected a date YYYY-MM-DD'));
const DateTime = z
  .string()
  .refine(
    (s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)),
    msg('expected a date and time with its offset, e.g. 2025-07-01T22:00:00+07:00'),
  );
const Port = z.number().int().min(1).max(65535);
/**
 * Control characters (a new line, a tab, …) in a text would be copied into generated files (a
 * zone file gaining a record, YAML gaining a key): a name is refused when it holds one.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is its purpose
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const noControl = (s: string) => !CONTROL.test(s);
const NO_CONTROL_MSG = msg('a control character (a new line, a tab…) is not allowed in this text');
/** Text a person reads or a file names: at least one character, no control characters. */
export const Text = z.string().min(1).refine(noControl, NO_CONTROL_MSG);
/** The same, possibly empty. */
const AnyText = z.string().refine(noControl, NO_CONTROL_MSG);
const Bilingual = z.strictObject({ vi: Text, en: Text });

// ---------------------------------------------------------------- province and data centers

export const Province = z.strictObject({
  code: ProvinceCode,
  name: Text,
  /** The day the two-level government takes effect. */
  effectiveDate: DateString,
  /** The 24/7 watch window of the first week. */
  watch: z.strictObject({ from: DateString, to: DateString }),
  timezone: Text.default('Asia/Ho_Chi_Minh'),
  /** Base of runbook links in alerts. */
  runbookUrl: z.string().url().optional(),
});

export const DataCenter = z.strictObject({
  id: Id,
  name: Text,
  role: z.enum(['primary', 'backup']),
  /** The Docker host the stacks deploy to: ssh://user@host or tcp://host:2376. */
  dockerHost: z.string().regex(/^(ssh|tcp|unix):\/\/\S+$/, msg('expected ssh://user@host, tcp://host:port or unix:///path')),
  wan: z.strictObject({
    /** Host interface the macvlan network hangs from. */
    parent: z.string().regex(/^[a-zA-Z0-9._-]{1,15}$/, msg('expected a network interface name such as eth1 or bond0.40')),
    subnet: Cidr,
    gateway: Ip,
  }),
  management: z.strictObject({ subnet: Cidr }).optional(),
  /** The data center's own addresses on its WAN segment, for the monitoring containers. */
  monitoring: z.strictObject({
    prometheus: Ip,
    alertmanager: Ip,
    grafana: Ip,
    blackbox: Ip,
    board: Ip,
  }),
});

// ---------------------------------------------------------------- services and their probes

const ProbeCommon = {
  /** The probe's id within its service; default from its kind (PROBE_KINDS' `defaultId`). */
  id: Id.optional(),
  timeout: Duration.optional(),
};

/** A probe kind's schema: a (strict) object with its `kind` literal and the common fields. */
type ProbeSchema = z.ZodObject<{ kind: z.ZodLiteral<string> } & typeof ProbeCommon & z.ZodRawShape>;

/** A kind's entry: its schema, and the probe's id within its service when the inventory gives none. */
const probeKind = <S extends ProbeSchema>(schema: S, defaultId: (probe: z.output<S>) => string) => ({ schema, defaultId });

/**
 * Every probe kind, by name: the `Probe` union, `probeId` and the status document's `kind` are
 * derived from this map, and the agent's own map of probers (agents/probes/kinds.ts) must have
 * exactly these keys. A new kind is one entry here (see agents/README.md, "Adding a probe kind").
 */
/** How a mail probe protects its session: STARTTLS after the greeting, TLS from the first byte, or none (a test only). */
const MailSecurity = z.enum(['starttls', 'tls', 'none']);
/** The fields every mail protocol's probe has (SMTP, IMAP, POP3). */
const MailCommon = {
  ...ProbeCommon,
  host: Target,
  /** starttls, or tls on the protocol's TLS port (465, 993, 995); default from the port. */
  security: MailSecurity.optional(),
  /** Text the greeting must contain (case-insensitive), e.g. the server's own name: another server answering is a failure. */
  expectGreeting: Text.optional(),
  /** The TLS server name the certificate must carry, when `host` is an address. */
  serverName: Hostname.optional(),
  /** PEM file of the CA that signed the server's certificate, where the province runs its own. */
  caFile: Text.optional(),
};
/** A mail server's address in the forwarding canary: where to send, where to read. */
const MailEndpoint = z.strictObject({ host: Target, port: Port, security: MailSecurity.optional(), serverName: Hostname.optional() });

/** A header name as RFC 9110 writes them. */
const HeaderName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/, msg('expected an HTTP header name such as X-Api-Key'));
/** A regular expression that compiles. */
const Pattern = Text.refine((s) => {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}, msg('expected a regular expression that compiles'));
/** A JSON path as `status`, `data.items[0].state` or `$.data.state`. */
export const JsonPath = z
  .string()
  .regex(
    /^(\$\.?)?[A-Za-z_][A-Za-z0-9_-]*(\[\d+\])*(\.[A-Za-z_][A-Za-z0-9_-]*(\[\d+\])*)*$/,
    msg('expected a JSON path such as status or data.items[0].state'),
  );

export const PROBE_KINDS = {
  icmp: probeKind(
    z.strictObject({ kind: z.literal('icmp'), ...ProbeCommon, host: Target, count: z.number().int().min(1).max(100).optional() }),
    () => 'icmp',
  ),
  tcp: probeKind(z.strictObject({ kind: z.literal('tcp'), ...ProbeCommon, host: Target, port: Port }), (p) => `tcp-${p.port}`),
  http: probeKind(
    z.strictObject({
      kind: z.literal('http'),
      ...ProbeCommon,
      url: Url,
      /** Host header / TLS server name when the URL names an address. */
      hostHeader: Hostname.optional(),
      expectStatus: z.array(z.number().int().min(100).max(599)).min(1).default([200]),
      /** For legacy portals: the exact Location the redirect must carry. */
      expectRedirect: Url.optional(),
      /** PEM file of the CA that signed the service's certificate, where the province runs its own. */
      caFile: Text.optional(),
      /** GET unless said. */
      method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS']).optional(),
      /** Extra request headers, as given. */
      headers: z.record(HeaderName, Text).optional(),
      /** A request body (POST, PUT), sent as it is. */
      requestBody: AnyText.optional(),
      /**
       * A file holding a token (an API key) sent in `tokenHeader` (Authorization), after
       * `tokenPrefix` ("Bearer "): the secret is never in the inventory itself.
       */
      tokenFile: Text.optional(),
      tokenHeader: HeaderName.optional(),
      tokenPrefix: AnyText.optional(),
      /** Text the body must contain: a portal answering 200 with an error page fails. */
      expectBody: Text.optional(),
      /** A regular expression the body must match. */
      expectBodyRegex: Pattern.optional(),
      /** A JSON answer's value at `path` must equal `equals`: an API answering 200 with {"status":"down"} fails. */
      expectJson: z.strictObject({ path: JsonPath, equals: z.union([z.string(), z.number(), z.boolean(), z.null()]) }).optional(),
    }),
    (p) => (new URL(p.url).protocol === 'https:' ? 'https' : 'http'),
  ),
  dns: probeKind(
    z.strictObject({
      kind: z.literal('dns'),
      ...ProbeCommon,
      server: Target,
      port: Port.default(53),
      name: Hostname,
      recordType: z.enum(['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SRV']).default('A'),
      /**
       * The answers that must be there (addresses for A/AAAA, host names for MX, NS, CNAME, SRV,
       * text for TXT): an answer without one of them fails, naming what is missing.
       */
      expect: z.array(Text).min(1).optional(),
      /** With `expect`: no answer but those (an old MX host left behind fails). */
      expectOnly: z.boolean().optional(),
    }),
    (p) => (p.recordType === 'A' ? 'dns' : `dns-${p.recordType.toLowerCase()}`),
  ),
  smtp: probeKind(z.strictObject({ kind: z.literal('smtp'), ...MailCommon, port: Port.default(25) }), (p) => `smtp-${p.port}`),
  imap: probeKind(z.strictObject({ kind: z.literal('imap'), ...MailCommon, port: Port.default(143) }), (p) => `imap-${p.port}`),
  pop3: probeKind(z.strictObject({ kind: z.literal('pop3'), ...MailCommon, port: Port.default(110) }), (p) => `pop3-${p.port}`),
  /**
   * The forwarding canary: a message with a unique token sent to the old address at each of the
   * unit's old domains (`units[].email`) must arrive in the new mailbox, read over IMAP.
   */
  'mail-forward': probeKind(
    z.strictObject({
      kind: z.literal('mail-forward'),
      ...ProbeCommon,
      /** Where the canary is sent: the server that takes mail for the old domains. */
      smtp: MailEndpoint,
      /** Where it must arrive. */
      imap: MailEndpoint,
      /** The IMAP login of the new mailbox; its password is in `passwordFile`, never in the inventory. */
      username: Text,
      passwordFile: Text,
      /** The local part of the canary's old and new addresses, e.g. `sansang-canary`. */
      mailbox: z.string().regex(/^[A-Za-z0-9._+-]{1,64}$/, msg('expected the local part of an address, e.g. sansang-canary')),
      /** A canary later than this fails the item, with the delay measured. */
      maxDelay: Duration.default('60s'),
      /** One canary at most this often (a mail system is not probed every 30 s); between two, the last outcome stands. */
      every: Duration.default('5m'),
      caFile: Text.optional(),
    }),
    () => 'forward',
  ),
  /** A CSV of the URLs that matter (old URL → expected outcome), checked in bulk each round. */
  'url-list': probeKind(
    z.strictObject({
      kind: z.literal('url-list'),
      ...ProbeCommon,
      /** The CSV (relative to the inventory): url,status,location,body (see inventory/url-list.ts). */
      file: Text,
      /** At most this many requests at once. */
      concurrency: z.number().int().min(1).max(32).default(4),
      caFile: Text.optional(),
    }),
    () => 'urls',
  ),
};

export type ProbeKindName = keyof typeof PROBE_KINDS;
/** The probe kinds' names, in the map's order. */
export const PROBE_KIND_NAMES = Object.keys(PROBE_KINDS) as ProbeKindName[];
type ProbeSchemas = (typeof PROBE_KINDS)[ProbeKindName]['schema'];
/** A validated probe of one kind. */
export type ProbeOf<K extends ProbeKindName> = z.output<(typeof PROBE_KINDS)[K]['schema']>;

export const Probe = z.discriminatedUnion('kind', PROBE_KIND_NAMES.map((k) => PROBE_KINDS[k].schema) as [ProbeSchemas, ...ProbeSchemas[]]);

/** Each kind's `defaultId`, typed per kind, so one call serves any probe. */
type DefaultIds = { [K in ProbeKindName]: { defaultId(probe: ProbeOf<K>): string } };
const defaultIdOf = <K extends ProbeKindName>(kind: K, probe: ProbeOf<K>): string => (PROBE_KINDS as DefaultIds)[kind].defaultId(probe);

/** The id a probe gets from its kind when the inventory gives none: icmp, tcp-<port>, http/https, dns. */
export const defaultProbeId = (p: z.output<typeof Probe>): string => defaultIdOf(p.kind, p);

// The kinds' schemas under their former names, for the code that names one.
export const IcmpProbe = PROBE_KINDS.icmp.schema;
export const TcpProbe = PROBE_KINDS.tcp.schema;
export const HttpProbe = PROBE_KINDS.http.schema;
export const DnsProbe = PROBE_KINDS.dns.schema;
export const MailForwardProbe = PROBE_KINDS['mail-forward'].schema;
export const UrlListProbe = PROBE_KINDS['url-list'].schema;

/** What a service is for: checklist items select services by category. */
export const ServiceCategory = z.enum([
  'public-service-portal',
  'lgsp',
  'ndxp',
  'document-management',
  /** The national document-exchange axis (Trục liên thông văn bản quốc gia). */
  'document-exchange',
  /** The staff-management system (cán bộ, công chức, viên chức). */
  'staff-management',
  'email',
  /** The forwarding of old addresses to new mailboxes: the mail-forward canary. */
  'email-forwarding',
  'video-conference',
  'reporting',
  'dns',
  'legacy-portal',
  /** Lists of the URLs and APIs that must be kept or redirected (url-list probes). */
  'important-urls',
  'other',
]);

export const Service = z.strictObject({
  id: Id,
  name: Text,
  scope: z.enum(['national', 'provincial']),
  category: ServiceCategory,
  /** Provincial services: the data centers that host them. */
  hostedIn: z.array(Id).optional(),
  /** Only these units' sites probe it (e.g. a unit's legacy portal); default all. */
  units: z.array(UnitCode).optional(),
  probes: z.array(Probe).min(1),
});

// ---------------------------------------------------------------- units and sites

export const LinkKind = z.enum(['wan', 'vpn', '4g']);

export const Link = z.strictObject({
  kind: LinkKind,
  /** The site's source address on this link: the agent binds its probes to it and listens on it. */
  address: Ip,
  gateway: Ip,
  /**
   * Whether the data center can open a connection to the agent over this link. A 4G or
   * consumer-fibre backup behind carrier-grade NAT cannot be reached (`false`): the data center
   * does not scrape it, and the agent pushes over it instead, its status to the boards and its
   * samples to Prometheus (agents/push/), which judge the link from what arrives.
   */
  reachable: z.boolean().default(true),
});

/**
 * One uplink of a dual-WAN router: how the data center tells it. `address` is the source
 * address the data center sees when the office's traffic leaves over this uplink (the router's
 * public or NAT address on it), `gateway` the uplink's first hop, for the technician.
 */
export const Uplink = z.strictObject({
  kind: LinkKind,
  address: Ip,
  gateway: Ip.optional(),
});

/**
 * A router with two uplinks that the site's one network card sits behind: it fails over by
 * itself and the PC cannot choose. The agent asks the data center which address it sees and so
 * tells which uplink carries its traffic (the advisory "running on backup" item).
 */
export const DualWanRouter = z.strictObject({
  uplinks: z.strictObject({ primary: Uplink, backup: Uplink }),
});

export const Site = z.strictObject({
  id: Id,
  name: Text,
  role: z.enum(['headquarters', 'branch', 'service-point']).default('headquarters'),
  agentPort: Port.default(9464),
  links: z.strictObject({ primary: Link, backup: Link.optional() }),
  /** One network card behind a dual-WAN router: its two uplinks (the site then has no backup link of its own). */
  router: DualWanRouter.optional(),
  /** Marks a site whose address plan a person still has to fill (written by the importer). */
  todo: AnyText.optional(),
});

export const OldUnit = z.strictObject({
  code: z
    .string()
    .regex(/^\d{5}$/)
    .nullable(),
  name: AnyText.nullable(),
  district: z.strictObject({ code: z.string().nullable(), name: AnyText }).nullable().optional(),
  share: z.enum(['whole', 'part']),
  /** The note as published in the official table. */
  note: AnyText.optional(),
  renamed: z.boolean().optional(),
  typeChanged: z.boolean().optional(),
  specialZone: z.boolean().optional(),
});

export const Backend = z.strictObject({
  dataCenter: Id,
  address: Target,
  port: Port,
  /** Path of the active health check. */
  check: z
    .string()
    // Only URL path characters: a "#" or a quote would end or break HAProxy's http-check line.
    .regex(/^\/[A-Za-z0-9._~/%?&=+-]*$/, msg('expected a URL path such as /healthz (letters, digits and . _ ~ / % ? & = + -)'))
    .default('/'),
});

export const Portal = z.strictObject({
  hostname: Hostname,
  /** PEM file holding the certificate and key for the hostname, as HAProxy reads it. */
  certificate: Text,
  legacyHostnames: z.array(Hostname).default([]),
  /** API paths on the legacy hostnames that are proxied, not redirected. */
  keepPaths: z.array(z.string().regex(/^\/[A-Za-z0-9._~/-]*$/, msg('expected a path such as /api/v1'))).default([]),
  backends: z.array(Backend).min(1),
  /** The unit's HAProxy address on each data center's WAN segment (key: data center id). */
  addresses: z.record(z.string(), Ip),
});

/** A hostname pattern with its placeholders filled by sample values, to check it reads as a hostname. */
const placeholderSample = (pattern: string) =>
  pattern.replace(/\{(slug|code|province)\}/g, (_, k: string) => (k === 'code' ? '40000' : 'x'));

/**
 * The province's portal plan, applied by `inventory import` to every unit that has no portal
 * yet: the hostname from the unit's slug, the next free address of each data center's range,
 * the certificate in one folder, the portal platform's backends.
 */
export const PortalPlan = z.strictObject({
  /** e.g. `{slug}.nghean.gov.vn`: `{slug}` the unit's slug, `{code}` its code, `{province}` the province's name in one word. */
  hostname: z
    .string()
    .refine(
      (s) => /\{(slug|code)\}/.test(s) && isHostname(placeholderSample(s)),
      msg('expected a hostname pattern with {slug} (or {code}), e.g. {slug}.nghean.gov.vn'),
    ),
  /** Folder of the certificates (relative to the inventory): `<hostname>.pem`, certificate and key. */
  certificates: Text,
  /** Per data center: the ranges its units' HAProxy addresses are taken from (inside its WAN segment). */
  addresses: z.record(z.string(), z.array(Cidr).min(1)),
  /** The portal platform's servers, shared by every unit's portal. */
  backends: z.array(Backend).min(1),
});

export const ChecklistOverride = z.strictObject({
  /** Item ids this unit (or the province) does not use. */
  drop: z.array(Id).default([]),
  /** Extra items. */
  add: z.array(z.lazy(() => ChecklistItem)).default([]),
  /** Per item: new thresholds, `for`, blocking. */
  thresholds: z
    .record(
      z.string(),
      z.lazy(() => ItemTuning),
    )
    .default({}),
});

export const Unit = z.strictObject({
  code: UnitCode,
  name: Text,
  kind: z.enum(['xa', 'phuong', 'dac_khu']),
  hotSpot: z.boolean().default(false),
  mergedFrom: z.array(OldUnit).default([]),
  /** The unit's slice of the site address plan (primary links). */
  subnet: Cidr.optional(),
  /** Where backup links (4G, VPN) take their addresses, when not from `subnet`. */
  backupSubnet: Cidr.optional(),
  portal: Portal.optional(),
  /**
   * The unit's e-mail cutover: its one official domain and the domains of the old units merged
   * into it, whose addresses must be forwarded to the new mailboxes (the mail-forward canary).
   */
  email: z.strictObject({ domain: Hostname, oldDomains: z.array(Hostname).min(1) }).optional(),
  sites: z.array(Site).min(1),
  checklist: ChecklistOverride.optional(),
});

// ---------------------------------------------------------------- checklist

export const Evidence = z.discriminatedUnion('kind', [
  /**
   * central: the site's agent answers the scrape over some link (one it does not answer over,
   * while it answers over another, fails that link's item instead).
   */
  z.strictObject({ kind: z.literal('agent-up') }),
  /** central: |scrape time - host clock| within bounds. */
  z.strictObject({ kind: z.literal('clock'), maxOffsetSeconds: z.number().positive().default(2) }),
  /** central: the data center's blackbox exporter reaches the site's agent. */
  z.strictObject({ kind: z.literal('dc-reach') }),
  /**
   * edge: the link's gateway answers and at least one service answers over it; centrally also the
   * agent answering the scrape over it when it answers at all.
   */
  z.strictObject({ kind: z.literal('link'), link: z.enum(['primary', 'backup']) }),
  /**
   * edge: every service of the category answers over at least one link, within its response-time
   * limits (seconds): HTTP total and first byte, TCP connect, DNS answer.
   */
  z.strictObject({
    kind: z.literal('service'),
    category: ServiceCategory,
    maxHttpSeconds: z.number().positive().default(5),
    maxFirstByteSeconds: z.number().positive().default(3),
    maxConnectSeconds: z.number().positive().default(2),
    maxDnsSeconds: z.number().positive().default(2),
  }),
  /** edge: ICMP loss over the last round, worst target, primary link. */
  z.strictObject({ kind: z.literal('loss'), maxRatio: z.number().min(0).max(1).default(0.05) }),
  /** edge: mean ICMP round trip, worst target, primary link. */
  z.strictObject({ kind: z.literal('latency'), maxSeconds: z.number().positive().default(0.15) }),
  /** edge: free space on every local filesystem. */
  z.strictObject({ kind: z.literal('disk'), minFreeRatio: z.number().min(0).max(1).default(0.1) }),
  /**
   * edge: the traffic leaves over the router's primary uplink (a site behind a dual-WAN router);
   * failing while it runs on its backup. Advisory by default.
   */
  z.strictObject({ kind: z.literal('uplink') }),
  /** edge: every HTTPS certificate seen is valid for this long. */
  z.strictObject({ kind: z.literal('tls'), minDays: z.number().positive().default(14) }),
  /**
   * edge: IPv6 readiness: every AAAA query answers, and every service the inventory gives an IPv6
   * address for answers over IPv6 (from some link).
   */
  z.strictObject({ kind: z.literal('ipv6') }),
  /** manual: signed off by a person on the board. */
  z.strictObject({ kind: z.literal('manual') }),
]);

export const ItemKind = z.enum(['edge', 'central', 'manual']);

/**
 * Who judges an item follows from its evidence: the agent judges what it sees from its office
 * (edge), the rules and the board judge the data center's view and the clock (central), a person
 * signs off the rest (manual). An item's `kind` may be left out; a `kind` that does not fit its
 * evidence is refused by the cross-checks, since nobody would ever judge it.
 */
export const EVIDENCE_KIND: Readonly<Record<z.output<typeof Evidence>['kind'], z.output<typeof ItemKind>>> = {
  'agent-up': 'central',
  clock: 'central',
  'dc-reach': 'central',
  link: 'edge',
  service: 'edge',
  loss: 'edge',
  latency: 'edge',
  disk: 'edge',
  tls: 'edge',
  ipv6: 'edge',
  uplink: 'edge',
  manual: 'manual',
};

const ChecklistItemFields = z.strictObject({
  id: Id,
  title: Bilingual,
  owner: Bilingual,
  /** edge, central or manual: optional, it follows from `evidence` (EVIDENCE_KIND). */
  kind: ItemKind.optional(),
  blocking: z.boolean().default(true),
  evidence: Evidence,
  /** How long the evidence must hold before the item is GO (applied centrally). */
  for: Duration.default('2m'),
  /** Consecutive failing rounds before the agent reports failing (edge items). */
  failureThreshold: z.number().int().min(1).max(100).default(2),
  /** Consecutive passing rounds before the agent reports ok again (edge items). */
  successThreshold: z.number().int().min(1).max(100).default(1),
  /** What to do, shown only where the cause of a failure (inventory/remedies.ts) gives no remedy of its own. */
  howToFix: Bilingual.optional(),
});

export const ChecklistItem = ChecklistItemFields.transform((i) => ({ ...i, kind: i.kind ?? EVIDENCE_KIND[i.evidence.kind] }));

export const ItemTuning = z.strictObject({
  blocking: z.boolean().optional(),
  for: Duration.optional(),
  failureThreshold: z.number().int().min(1).max(100).optional(),
  successThreshold: z.number().int().min(1).max(100).optional(),
  maxOffsetSeconds: z.number().positive().optional(),
  maxRatio: z.number().min(0).max(1).optional(),
  maxSeconds: z.number().positive().optional(),
  minFreeRatio: z.number().min(0).max(1).optional(),
  minDays: z.number().positive().optional(),
  maxHttpSeconds: z.number().positive().optional(),
  maxFirstByteSeconds: z.number().positive().optional(),
  maxConnectSeconds: z.number().positive().optional(),
  maxDnsSeconds: z.number().positive().optional(),
});

// ---------------------------------------------------------------- watch, maintenance, agent

export const Team = z.strictObject({
  id: Id,
  name: Text,
  /** Unit codes the team covers, or ["*"] for the whole province. */
  units: z.array(z.union([UnitCode, z.literal('*')])).min(1),
  email: z.array(z.string().email()).default([]),
  webhook: z.array(Url).default([]),
  /** Telegram chats (ids, e.g. -1001234567890) the team's alerts go to, with `notify.telegram`'s bot. */
  telegram: z.array(z.number().int()).default([]),
  /** The team an alert goes to when this team has not acknowledged it within `notify.escalateAfter`. */
  escalateTo: Id.optional(),
});

/**
 * How alerts reach people. Secrets are never in the inventory: each is read from the file named
 * here, on the machine that runs Alertmanager.
 */
export const Notify = z.strictObject({
  smtp: z
    .strictObject({
      /** The mail relay, host:port. */
      smarthost: z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, msg('expected host:port, e.g. relay.nghean.gov.vn:587')),
      from: z.string().email(),
      username: Text.optional(),
      passwordFile: Text.optional(),
      requireTls: z.boolean().default(true),
    })
    .optional(),
  telegram: z
    .strictObject({
      /** A file holding the bot's token (from @BotFather). */
      botTokenFile: Text,
      /** Telegram's API, or a relay the data center reaches it through. */
      apiUrl: Url.default('https://api.telegram.org'),
    })
    .optional(),
  /** An alert not acknowledged on the board within this goes on to the team's `escalateTo`. */
  escalateAfter: Duration.default('15m'),
  /** How long Alertmanager gathers alerts before the first notification of a group. */
  groupWait: Duration.default('30s'),
  /** How long before a group's changes are notified. */
  groupInterval: Duration.default('5m'),
  /** How often an alert still firing and not acknowledged is sent again. */
  repeatInterval: Duration.default('4h'),
  /** The same for hot spots during the watch (`province.watch`). */
  hotSpotRepeatInterval: Duration.default('30m'),
});

/**
 * When one item fails at many units at once (a central service down), the rules raise one
 * province-level incident instead of one alert per site: at least `minUnits` units and at least
 * `minShare` of the units that have the item.
 */
export const Incidents = z.strictObject({
  minUnits: z.number().int().min(2).default(3),
  minShare: z.number().gt(0).max(1).default(0.3),
});

export const MaintenanceWindow = z.strictObject({
  unit: UnitCode,
  site: Id.optional(),
  from: DateTime,
  to: DateTime,
  reason: Text,
});

export const AgentSettings = z.strictObject({
  /** Probe round interval. */
  interval: Duration.default('30s'),
  icmpCount: z.number().int().min(1).max(100).default(5),
  icmpSpacing: Duration.default('200ms'),
  basicAuth: z
    .strictObject({
      username: Text,
      /** bcrypt hash, as in Prometheus' web config file. */
      passwordHash: z.string().regex(/^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/, msg('expected a bcrypt hash ($2b$…)')),
    })
    .optional(),
  tls: z.strictObject({ certFile: Text, keyFile: Text }).optional(),
  /** Extra CA (PEM) trusted by every HTTPS probe. */
  caFile: Text.optional(),
  /**
   * Each link's heartbeat (BFD-like): a small echo every `every` to the link's gateway and to a
   * data-center address (`dataCenter`, else the first ICMP probe's address), down after `misses`
   * unanswered in a row. It sees a cut beyond the office's own cable within seconds.
   */
  heartbeat: z
    .strictObject({
      enabled: z.boolean().default(true),
      every: Duration.default('1s'),
      misses: z.number().int().min(1).max(20).default(3),
      dataCenter: Ip.optional(),
    })
    .default({ enabled: true, every: '1s', misses: 3 }),
  /**
   * What an agent does over a link the data center cannot reach (`reachable: false`), and how it
   * asks which uplink a dual-WAN router uses: it pushes to the boards' receivers (default: each
   * data center's board), authenticated with its site's token (`sansang push-token`).
   */
  push: z
    .strictObject({
      /** The boards' URLs (default: every data center's board, http://<monitoring.board>:8080). */
      receivers: z.array(Url).min(1).optional(),
      /** The file holding this site's token (the kit writes it; never in the inventory). */
      tokenFile: Text.optional(),
      /** Where the backlog waits while the data center cannot be reached (`{site}` is the site's id; systemd's STATE_DIRECTORY wins). */
      spoolDir: Text.default('/var/lib/sansang-agent'),
      /** The most the backlog keeps per receiver; beyond it the oldest is dropped (counted). */
      maxBacklogMb: z.number().positive().max(4096).default(64),
    })
    .default({ spoolDir: '/var/lib/sansang-agent', maxBacklogMb: 64 }),
});

export const Images = z.strictObject({
  prometheus: z.string().optional(),
  alertmanager: z.string().optional(),
  grafana: z.string().optional(),
  blackbox: z.string().optional(),
  haproxy: z.string().optional(),
  /** A published sansang image; when absent the stacks build one from the project's Dockerfile. */
  board: z.string().optional(),
});

/**
 * How the province's Prometheus pair feeds the national store (the national roll-up): every
 * generated Prometheus carries `external_labels {province, replica}`; with this section each one
 * also remote-writes to the national store. The two replicas send the same series; the store keeps
 * one of them (the `replica` label is dropped on the way, see stacks/config/prometheus.ts).
 */
export const NationalFeed = z.strictObject({
  /**
   * The national stores' remote-write URLs, one per national data center (`sansang national config`
   * writes this section): each of the province's Prometheus writes to every one, so each national
   * data center's store is whole by itself and keeps one copy of the pair's series.
   */
  remoteWrite: z.array(Url).min(1),
  /**
   * `rollup` (default): the rules' conclusions and the boards' names, all the national view reads;
   * `all`: every series the province's Prometheus has (the agents' raw series too).
   */
  send: z.enum(['rollup', 'all']).default('rollup'),
});

export const Inventory = z.strictObject({
  version: z.literal(1),
  /**
   * A demo or test inventory: its services are stand-ins on this machine, so loopback addresses
   * and an empty service list are allowed; it is never a province's own, and `inventory import`
   * refuses it as a base.
   */
  demo: z.boolean().default(false),
  province: Province,
  dataCenters: z.array(DataCenter).min(1),
  services: z.array(Service).default([]),
  /** How `inventory import` gives every unit its portal. */
  portalPlan: PortalPlan.optional(),
  units: z.array(Unit).default([]),
  teams: z.array(Team).default([]),
  maintenance: z.array(MaintenanceWindow).default([]),
  notify: Notify.default(Notify.parse({})),
  incidents: Incidents.default(Incidents.parse({})),
  checklist: ChecklistOverride.optional(),
  agent: AgentSettings.default(AgentSettings.parse({})),
  images: Images.default({}),
  /** The national store this province remote-writes to; without it, nothing leaves the province. */
  national: NationalFeed.optional(),
});

export type Inventory = z.output<typeof Inventory>;
export type InventoryInput = z.input<typeof Inventory>;
export type DataCenter = z.output<typeof DataCenter>;
export type Service = z.output<typeof Service>;
export type ServiceCategory = z.output<typeof ServiceCategory>;
export type Probe = z.output<typeof Probe>;
export type IcmpProbe = ProbeOf<'icmp'>;
export type TcpProbe = ProbeOf<'tcp'>;
export type HttpProbe = ProbeOf<'http'>;
export type DnsProbe = ProbeOf<'dns'>;
export type MailForwardProbe = ProbeOf<'mail-forward'>;
export type UrlListProbe = ProbeOf<'url-list'>;
export type Unit = z.output<typeof Unit>;
export type Site = z.output<typeof Site>;
export type Link = z.output<typeof Link>;
export type Uplink = z.output<typeof Uplink>;
export type DualWanRouter = z.output<typeof DualWanRouter>;
export type OldUnit = z.output<typeof OldUnit>;
export type Portal = z.output<typeof Portal>;
export type PortalPlan = z.output<typeof PortalPlan>;
export type Backend = z.output<typeof Backend>;
export type ChecklistItem = z.output<typeof ChecklistItem>;
export type ChecklistItemInput = z.input<typeof ChecklistItem>;
export type ChecklistOverride = z.output<typeof ChecklistOverride>;
export type ItemTuning = z.output<typeof ItemTuning>;
export type Evidence = z.output<typeof Evidence>;
export type Team = z.output<typeof Team>;
export type Notify = z.output<typeof Notify>;
export type MaintenanceWindow = z.output<typeof MaintenanceWindow>;
export type AgentSettings = z.output<typeof AgentSettings>;
export type NationalFeed = z.output<typeof NationalFeed>;
export type LinkName = 'primary' | 'backup';
