// What the demo asks of the board over HTTP: is it up, sign the manual items off, the overview.
import { unitManualChecks, type Inventory } from '../inventory/index.ts';

export interface UnitSummary {
  code: string;
  name: string;
  state: 'go' | 'nogo' | 'unknown' | 'maintenance';
  failing: { check: string }[];
}

export const BOARD_ROUTES = {
  overview: '/api/state',
  unit: '/api/units/',
  signoffs: '/api/signoffs',
};

export function boardApi(url: string, token: string) {
  return {
    async waitUp(timeoutMs: number): Promise<void> {
      const until = Date.now() + timeoutMs;
      for (;;) {
        try {
          const r = await fetch(`${url}${BOARD_ROUTES.overview}`);
          if (r.ok) return;
        } catch {
          // not listening yet
        }
        if (Date.now() > until) throw new Error(`the board did not answer at ${url} within ${timeoutMs / 1000} s; see its log`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    /** Signs off every manual item of every unit that is not signed yet. */
    async signOffAll(inv: Inventory, team: string, note: string): Promise<number> {
      let n = 0;
      for (const unit of inv.units) {
        // Sign only what is not signed yet, so restarts do not pile up entries in the log.
        const view = (await (await fetch(`${url}${BOARD_ROUTES.unit}${unit.code}`)).json()) as {
          unit?: { items: { check: string; signoff?: { signed: boolean } }[] };
        };
        const signed = new Set((view.unit?.items ?? []).filter((i) => i.signoff?.signed).map((i) => i.check));
        for (const item of unitManualChecks(inv, unit)) {
          if (signed.has(item.id)) continue;
          const r = await fetch(`${url}${BOARD_ROUTES.signoffs}`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
            body: JSON.stringify({ unit: unit.code, check: item.id, signed: true, who: 'demo', team, note }),
          });
          if (!r.ok) throw new Error(`signing ${unit.code}/${item.id} off failed: HTTP ${r.status} ${await r.text()}`);
          n++;
        }
      }
      return n;
    },
  };
}

export async function fetchOverview(url: string): Promise<UnitSummary[]> {
  const r = await fetch(new URL(BOARD_ROUTES.overview, url));
  if (!r.ok) throw new Error(`board overview: HTTP ${r.status}`);
  const body = (await r.json()) as { units: UnitSummary[] };
  return body.units;
}

export async function waitForOverview(url: string, done: (units: UnitSummary[]) => boolean, timeoutMs: number): Promise<UnitSummary[]> {
  const until = Date.now() + timeoutMs;
  let last: UnitSummary[] = [];
  for (;;) {
    try {
      last = await fetchOverview(url);
      if (done(last)) return last;
    } catch {
      // the board may be restarting
    }
    if (Date.now() > until) {
      const states = last
        .map((u) => `${u.code} ${u.state}${u.failing.length ? ` (${u.failing.map((f) => f.check).join(', ')})` : ''}`)
        .join('; ');
      throw new Error(`not reached within ${timeoutMs / 1000} s; last overview: ${states || 'none'}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
