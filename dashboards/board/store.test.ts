import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BoardLog, LOG_FILE, newEntryId, type SignoffEntry } from './store.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'board-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entry = (o: Partial<SignoffEntry> = {}): SignoffEntry => ({
  id: newEntryId(),
  type: 'signoff',
  unit: '16681',
  check: 'staff-trained',
  signed: true,
  who: 'A',
  team: 'vinh',
  note: '',
  at: new Date().toISOString(),
  origin: 'test',
  ...o,
});

describe('BoardLog', () => {
  it('keeps what was appended across a reopen, one JSON line per entry', async () => {
    const log = await BoardLog.open(dir);
    const e = entry();
    expect(await log.append([e])).toEqual([e]);
    await log.close();
    const text = await readFile(join(dir, LOG_FILE), 'utf8');
    expect(
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([e]);
    const again = await BoardLog.open(dir);
    expect(again.entries()).toEqual([e]);
    expect(again.isSigned('16681', 'staff-trained')).toBe(true);
    await again.close();
  });

  it('skips a torn last line with a warning, cuts it off, and appends cleanly after it', async () => {
    const first = entry();
    await writeFile(join(dir, LOG_FILE), `${JSON.stringify(first)}\n{"id":"torn-entr`);
    const warnings: string[] = [];
    const log = await BoardLog.open(dir, (m) => warnings.push(m));
    expect(warnings.join('\n')).toMatch(/torn last line/);
    expect(log.entries()).toEqual([first]);
    const second = entry({ check: 'failover-drill' });
    await log.append([second]);
    await log.close();
    const reopened = await BoardLog.open(dir, (m) => warnings.push(m));
    expect(reopened.entries()).toEqual([first, second]);
    await reopened.close();
  });

  it('skips a line in the middle that is not an entry, and keeps the rest', async () => {
    const a = entry();
    const b = entry({ check: 'failover-drill' });
    await writeFile(
      join(dir, LOG_FILE),
      `${JSON.stringify(a)}\nnot json\n${JSON.stringify({ id: 'x', type: 'nonsense' })}\n${JSON.stringify(b)}\n`,
    );
    const warnings: string[] = [];
    const log = await BoardLog.open(dir, (m) => warnings.push(m));
    expect(log.entries()).toEqual([a, b]);
    expect(warnings).toHaveLength(2);
    await log.close();
  });

  it('recovers byte-exactly: a torn tail after an invalid UTF-8 byte is cut at its first byte, and the next entry is whole', async () => {
    const a = entry();
    const b = entry({ check: 'failover-drill', note: 'INVALID' });
    const c = entry({ check: 'records-handed-over' });
    // b's note carries a byte that is not UTF-8: counting the cut in decoded characters went wrong.
    const bBytes = Buffer.from(`${JSON.stringify(b)}\n`)
      .toString('latin1')
      .replace('INVALID', 'x\xff\xfey');
    const good = Buffer.concat([
      Buffer.from(`${JSON.stringify(a)}\n`),
      Buffer.from(bBytes, 'latin1'),
      Buffer.from(`${JSON.stringify(c)}\n`),
    ]);
    await writeFile(join(dir, LOG_FILE), Buffer.concat([good, Buffer.from('{"id":"torn-entry-0001","type":"sign')]));
    const warnings: string[] = [];
    const log = await BoardLog.open(dir, (m) => warnings.push(m));
    expect(log.entries().map((e) => e.id)).toEqual([a.id, b.id, c.id]);
    expect((await readFile(join(dir, LOG_FILE))).equals(good)).toBe(true);
    const d = entry({ check: 'staff-trained', signed: false });
    await log.append([d]);
    await log.close();
    const again = await BoardLog.open(dir, (m) => warnings.push(m));
    expect(again.entries().map((e) => e.id)).toEqual([a.id, b.id, c.id, d.id]);
    expect(warnings.filter((w) => /damaged/.test(w))).toEqual([]);
    await again.close();
  });

  it('keeps the first entry behind a byte-order mark, entries behind NULs, and one glued onto torn bytes', async () => {
    const a = entry();
    const b = entry({ check: 'failover-drill' });
    const c = entry({ check: 'records-handed-over' });
    await writeFile(
      join(dir, LOG_FILE),
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(`${JSON.stringify(a)}\n`),
        Buffer.alloc(64),
        Buffer.from(`${JSON.stringify(b)}\n`),
        Buffer.from('{"id":"torn-entry-0002","type":"si'),
        Buffer.from(`${JSON.stringify(c)}\n`),
        Buffer.alloc(4096),
      ]),
    );
    const warnings: string[] = [];
    const log = await BoardLog.open(dir, (m) => warnings.push(m));
    expect(log.entries().map((e) => e.id)).toEqual([a.id, b.id, c.id]);
    expect(warnings.join('\n')).toMatch(/torn last line \(4096 bytes\)/);
    await log.append([entry({ check: 'staff-trained' })]);
    await log.close();
    const again = await BoardLog.open(dir, () => {});
    expect(again.entries()).toHaveLength(4);
    await again.close();
  });

  it('is a union by id: an entry already there is not written again', async () => {
    const log = await BoardLog.open(dir);
    const e = entry();
    await log.append([e]);
    expect(await log.append([e, e])).toEqual([]);
    await log.close();
    expect((await readFile(join(dir, LOG_FILE), 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it('lets the latest entry per unit and item win: timestamp, then id', async () => {
    const log = await BoardLog.open(dir);
    const t = '2026-01-01T00:00:00.000Z';
    await log.append([entry({ id: 'bbbbbbbb-2', at: t, signed: true })]);
    // Older entry arriving later (from a peer) does not win.
    await log.append([entry({ id: 'zzzzzzzz-0', at: '2025-12-31T23:59:59.000Z', signed: false })]);
    expect(log.isSigned('16681', 'staff-trained')).toBe(true);
    // Same timestamp: the greater id wins.
    await log.append([entry({ id: 'aaaaaaaa-1', at: t, signed: false })]);
    expect(log.isSigned('16681', 'staff-trained')).toBe(true);
    await log.append([entry({ id: 'cccccccc-3', at: t, signed: false })]);
    expect(log.isSigned('16681', 'staff-trained')).toBe(false);
    expect(log.signoff('16681', 'staff-trained')?.id).toBe('cccccccc-3');
    await log.close();
  });

  it('serves entries after a cursor, for a peer', async () => {
    const log = await BoardLog.open(dir);
    const es = [entry(), entry(), entry()];
    await log.append(es);
    expect(log.since(0)).toEqual({ entries: es, next: 3 });
    expect(log.since(2)).toEqual({ entries: [es[2]], next: 3 });
    expect(log.since(3)).toEqual({ entries: [], next: 3 });
    expect(log.since(99)).toEqual({ entries: [], next: 3 });
    await log.close();
  });

  it('writes concurrent appends as whole lines', async () => {
    const log = await BoardLog.open(dir);
    await Promise.all(Array.from({ length: 50 }, () => log.append([entry()])));
    await log.close();
    await appendFile(join(dir, LOG_FILE), '');
    const reopened = await BoardLog.open(dir);
    expect(reopened.size).toBe(50);
    await reopened.close();
  });
});
