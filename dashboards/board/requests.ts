// The bodies the board's API accepts, each checked by one schema: unknown keys, text where a
// boolean belongs (`"signed": "false"`), windows in 1970 or the year 275760 are refused with the
// reason, before anything reaches the log.
import { z } from 'zod';

const Team = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'a team id');
const UnitCode = z.string().regex(/^\d{5}$/, 'the five-digit unit code');
const Who = z.string().trim().min(1, 'say who (a name)').max(200, 'at most 200 characters');
const DateTime = z
  .string()
  .max(64)
  .refine(
    (s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s) && !Number.isNaN(Date.parse(s)),
    'a date and time such as 2025-07-01T22:00:00+07:00',
  );

export const SignoffBody = z.strictObject({
  team: Team.optional(),
  unit: UnitCode,
  check: z.string().min(1).max(63),
  who: Who,
  note: z.string().max(2000, 'the note is longer than 2000 characters').default(''),
  /** true signs off, false withdraws; a boolean, never text. */
  signed: z.boolean().default(true),
});
export type SignoffBody = z.output<typeof SignoffBody>;

/** An acknowledgement: a unit's failing item, or (without `unit`) a shared incident of the item. */
export const AckBody = z.strictObject({
  team: Team.optional(),
  unit: UnitCode.optional(),
  check: z.string().min(1).max(63),
  who: Who,
  note: z.string().max(2000, 'the note is longer than 2000 characters').default(''),
});
export type AckBody = z.output<typeof AckBody>;

/** How far back a window may start (a clock a little behind), and how far ahead. */
export const WINDOW_BOUNDS = { pastMs: 10 * 60_000, aheadMs: 28 * 24 * 3600_000, longestMs: 7 * 24 * 3600_000 } as const;

export const MaintenanceBody = z.strictObject({
  team: Team.optional(),
  unit: UnitCode,
  /** A site of the unit, or empty for the whole unit. */
  site: z.string().max(63).optional(),
  from: DateTime.optional(),
  to: DateTime,
  reason: z.string().trim().min(1, 'give a reason').max(2000, 'at most 2000 characters'),
  who: Who,
});
export type MaintenanceBody = z.output<typeof MaintenanceBody>;

/** The body, or an error message naming the field. */
export function readBody<T extends z.ZodType>(schema: T, body: unknown): { ok: true; value: z.output<T> } | { ok: false; error: string } {
  const r = schema.safeParse(body ?? {});
  if (r.success) return { ok: true, value: r.data };
  const i = r.error.issues[0]!;
  const field = i.path.join('.') || (i.code === 'unrecognized_keys' ? '' : 'body');
  const what =
    i.code === 'unrecognized_keys' ? `unknown field ${(i as { keys?: string[] }).keys?.map((k) => `"${k}"`).join(', ')}` : i.message;
  return { ok: false, error: field ? `${field}: ${what}` : what };
}

/** A maintenance window's bounds: from now (give or take the clock) to some weeks ahead, at most 7 days long. */
export function windowProblem(fromMs: number, toMs: number, nowMs: number): string | undefined {
  if (toMs <= fromMs) return '"to" must be after "from"';
  if (fromMs < nowMs - WINDOW_BOUNDS.pastMs) return 'a window cannot start in the past';
  if (fromMs > nowMs + WINDOW_BOUNDS.aheadMs) return 'a window must start within 4 weeks';
  if (toMs - fromMs > WINDOW_BOUNDS.longestMs) return 'a maintenance window may last at most 7 days';
  return undefined;
}
