// The status document an agent serves at GET /status, read back by the board's embedded mode
// with the same schema. Versioned: a board refuses a document it does not understand rather
// than guessing, and shows that site UNKNOWN.
import { z } from 'zod';
import { CauseSchema } from './remedies.ts';
import { PROBE_KIND_NAMES } from './schema.ts';

export const STATUS_SCHEMA_VERSION = 1;

const Timestamp = z.string().datetime({ offset: true });
const LinkName = z.enum(['primary', 'backup']);

export const ProbeResult = z.strictObject({
  /** The service id. */
  target: z.string(),
  /** The probe's id within the service: icmp, tcp-587, https, dns… */
  probe: z.string(),
  link: LinkName,
  /** The probe's kind (inventory/schema.ts' PROBE_KINDS), or `gateway` for the link's gateway ping. */
  kind: z.enum([...PROBE_KIND_NAMES, 'gateway']),
  success: z.boolean(),
  durationSeconds: z.number().nonnegative(),
  at: Timestamp,
  /** Why it failed, in English (the cause's text); readers in other languages render `cause`. */
  error: z.string().optional(),
  /** The cause's kind (inventory/remedies.ts' CAUSES): timeout, refused, no-route, link-down… */
  errorKind: z.string().optional(),
  /** Why it failed, as data: every reader says it (and its remedy) in its own language. */
  cause: CauseSchema.optional(),
  icmp: z
    .strictObject({
      sent: z.number().int().nonnegative(),
      received: z.number().int().nonnegative(),
      lossRatio: z.number().min(0).max(1),
      rttSeconds: z.array(z.number().nonnegative()),
    })
    .optional(),
  http: z
    .strictObject({
      status: z.number().int().optional(),
      location: z.string().optional(),
      certExpiry: Timestamp.optional(),
      phases: z.record(z.string(), z.number().nonnegative()).optional(),
    })
    .optional(),
  dns: z.strictObject({ answers: z.number().int().nonnegative(), values: z.array(z.string()).optional() }).optional(),
  /** A TLS session's certificate (mail probes; HTTPS keeps it under `http`). */
  tls: z.strictObject({ certExpiry: Timestamp }).optional(),
  /** A mail server's greeting; the forwarding canary's delay. */
  mail: z
    .strictObject({ greeting: z.string().optional(), delaySeconds: z.number().nonnegative().optional(), to: z.string().optional() })
    .optional(),
  /** A URL list: how many were checked, how many failed, the first failures. */
  urls: z
    .strictObject({
      total: z.number().int().nonnegative(),
      failing: z.number().int().nonnegative(),
      failed: z.array(z.strictObject({ url: z.string(), expected: z.string(), got: z.string() })),
    })
    .optional(),
});

/** When the certificate a probe saw expires (HTTPS or a mail server's TLS), if it saw one. */
export function certExpiryOf(r: ProbeResult): string | undefined {
  return r.http?.certExpiry ?? r.tls?.certExpiry;
}

export const CheckResult = z.strictObject({
  /** The checklist item id. */
  check: z.string(),
  /** ok after the item's thresholds; null while no round has judged it yet. */
  ok: z.boolean().nullable(),
  /** When `ok` last changed. */
  since: Timestamp.nullable(),
  /** The last round's judgement and why, before thresholds. */
  lastRoundOk: z.boolean().nullable(),
  /** Why, in English; `cause` is the same as data, for the board to say in the reader's language. */
  reason: z.string(),
  /** Why the last round failed (inventory/remedies.ts), when it did. */
  cause: CauseSchema.optional(),
  /** What was measured, e.g. `8.0 s`, `2/3`. */
  value: z.string().optional(),
  at: Timestamp.nullable(),
});

export const CollectorResult = z.strictObject({
  collector: z.string(),
  success: z.boolean(),
  durationSeconds: z.number().nonnegative(),
  error: z.string().optional(),
});

export const HostFacts = z.strictObject({
  manufacturer: z.string(),
  model: z.string(),
  serial: z.string(),
  os: z.string(),
  osVersion: z.string(),
  hostname: z.string(),
  cpu: z.string(),
  cores: z.number().int().nonnegative(),
  memoryBytes: z.number().nonnegative(),
  disks: z.array(z.strictObject({ name: z.string(), model: z.string(), sizeBytes: z.number().nonnegative() })),
  interfaces: z.array(z.strictObject({ name: z.string(), mac: z.string(), ipv4: z.string(), up: z.boolean() })),
  gatheredAt: Timestamp,
});

export const StatusDocument = z.strictObject({
  schemaVersion: z.literal(STATUS_SCHEMA_VERSION),
  agent: z.strictObject({
    version: z.string(),
    unit: z.string(),
    site: z.string(),
    startedAt: Timestamp,
    /** The agent's clock when it wrote this document: the board derives clock offset from it. */
    now: Timestamp,
    /** Probe round interval in seconds; samples older than three intervals are stale. */
    intervalSeconds: z.number().positive(),
  }),
  probes: z.array(ProbeResult),
  checks: z.array(CheckResult),
  collectors: z.array(CollectorResult),
  host: HostFacts.nullable(),
});

export type ProbeResult = z.infer<typeof ProbeResult>;
export type CheckResult = z.infer<typeof CheckResult>;
export type CollectorResult = z.infer<typeof CollectorResult>;
export type HostFacts = z.infer<typeof HostFacts>;
export type StatusDocument = z.infer<typeof StatusDocument>;

/** Reads a document received from an agent; throws with the reasons when it does not conform. */
export function parseStatusDocument(data: unknown): StatusDocument {
  const r = StatusDocument.safeParse(data);
  if (r.success) return r.data;
  throw new Error(
    `status document does not conform: ${r.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.')}: ${i.message}`)
      .join('; ')}`,
  );
}
