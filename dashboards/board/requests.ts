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

/** The page's words for the refusals above (the API's `error_vi`); anything else keeps its English. */
const VI: Record<string, string> = {
  'say who (a name)': 'ghi tên người thực hiện',
  'at most 200 characters': 'tối đa 200 ký tự',
  'at most 2000 characters': 'tối đa 2000 ký tự',
  'the note is longer than 2000 characters': 'ghi chú dài quá 2000 ký tự',
  'give a reason': 'ghi lý do',
  'a date and time such as 2025-07-01T22:00:00+07:00': 'ngày giờ dạng 2025-07-01T22:00:00+07:00',
  '"to" must be after "from"': 'thời điểm kết thúc phải sau thời điểm bắt đầu',
  'a window cannot start in the past': 'lịch bảo trì không thể bắt đầu trong quá khứ',
  'a window must start within 4 weeks': 'lịch bảo trì phải bắt đầu trong vòng 4 tuần tới',
  'a maintenance window may last at most 7 days': 'lịch bảo trì dài tối đa 7 ngày',
};
const FIELD_VI: Record<string, string> = {
  who: 'Người thực hiện',
  note: 'Ghi chú',
  reason: 'Lý do',
  from: 'Từ',
  to: 'Đến',
  unit: 'Đơn vị',
  site: 'Điểm',
  check: 'Hạng mục',
  signed: 'Xác nhận',
};

/**
 * A refusal of ours in Vietnamese (`field: message` or a bare message). One with no translation of
 * its own (a schema's wording) still reads as a Vietnamese refusal naming the field, its English
 * detail after it.
 */
export function refusalVi(error: string): string {
  const m = /^([a-z.]+): (.*)$/.exec(error);
  const [field, what] = m ? [m[1]!, m[2]!] : [undefined, error];
  const unknown = /^unknown field (.*)$/.exec(what);
  const vi = VI[what] ?? (unknown ? `trường không được nhận: ${unknown[1]}` : undefined);
  if (vi) return field ? `${FIELD_VI[field] ?? field}: ${vi}` : vi.charAt(0).toUpperCase() + vi.slice(1);
  return `Yêu cầu không hợp lệ${field ? ` ở trường ${FIELD_VI[field] ?? field}` : ''} (${what})`;
}

/** A maintenance window's bounds: from now (give or take the clock) to some weeks ahead, at most 7 days long. */
export function windowProblem(fromMs: number, toMs: number, nowMs: number): string | undefined {
  if (toMs <= fromMs) return '"to" must be after "from"';
  if (fromMs < nowMs - WINDOW_BOUNDS.pastMs) return 'a window cannot start in the past';
  if (fromMs > nowMs + WINDOW_BOUNDS.aheadMs) return 'a window must start within 4 weeks';
  if (toMs - fromMs > WINDOW_BOUNDS.longestMs) return 'a maintenance window may last at most 7 days';
  return undefined;
}
