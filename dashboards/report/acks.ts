// Acknowledgements for the report, read from the board's sign-off log through this one small
// interface: an entry `{type: "ack", check, unit?, who, team, note, at}` (a unit's failing item,
// or without `unit` a shared incident). The log's own schema (board/store.ts) owns the entry;
// this reads only the fields the report shows and skips anything else, so the report keeps
// working whatever else the log learns to hold.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Acknowledgement } from './figures.ts';

const AckFields = z.object({
  type: z.literal('ack'),
  check: z.string().min(1),
  unit: z.string().min(1).optional(),
  who: z.string(),
  team: z.string(),
  note: z.string().default(''),
  at: z.string().refine((s) => !Number.isNaN(Date.parse(s))),
});

/** The acknowledgements among the log's entries (any other entry is skipped). */
export function acksFromEntries(entries: readonly unknown[]): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  for (const e of entries) {
    const r = AckFields.safeParse(e);
    if (!r.success) continue;
    const { unit, check, who, team, note, at } = r.data;
    out.push({ ...(unit ? { unit } : {}), check, who, team, note, at });
  }
  return out;
}

/** The acknowledgements in a board's log file (`DATA-DIR/board-log.jsonl`); lines that are not JSON are counted, not fatal. */
export async function acksFromLogFile(file: string): Promise<{ acks: Acknowledgement[]; unreadable: number }> {
  const text = await readFile(file, 'utf8');
  const entries: unknown[] = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    const s = line.replace(/^\ufeff/, '').trim();
    if (!s) continue;
    try {
      entries.push(JSON.parse(s));
    } catch {
      unreadable++;
    }
  }
  return { acks: acksFromEntries(entries), unreadable };
}
