// Test support: the four-state case table (state-cases.ts) as an inventory, one unit per case,
// whose items are exactly the case's items (edge: a disk item, central: the clock, manual: a
// sign-off), each `for` two probe intervals or more. The board test and the promtool test both
// evaluate this inventory.
import { Inventory, type ChecklistItemInput, type Inventory as InventoryT, type Unit } from '../inventory/index.ts';
import { defaultChecklist } from '../inventory/index.ts';
import { STATE_CASES, type Role, type StateCase } from './state-cases.ts';

export const CASE_FOR = '2m';

const EVIDENCE: Record<Role, ChecklistItemInput['evidence']> = {
  edge: { kind: 'disk' },
  central: { kind: 'clock', maxOffsetSeconds: 2 },
  manual: { kind: 'manual' },
};

/** The id of a case's n-th item. */
export const caseItemId = (c: StateCase, n: number) => `${c.items[n]!.role}-${n + 1}`;

export interface CaseUnit {
  unit: Unit;
  case: StateCase;
}

export function caseInventory(cases: readonly StateCase[] = STATE_CASES, now = new Date()): { inv: InventoryT; units: CaseUnit[] } {
  const window = { from: new Date(now.getTime() - 3600_000).toISOString(), to: new Date(now.getTime() + 3600_000).toISOString() };
  const units = cases.map((c, i) => {
    const code = String(10000 + i);
    const sites = Array.from({ length: c.sites }, (_, s) => ({
      id: `u${code}-s${s + 1}`,
      name: `Điểm ${s + 1}`,
      links: { primary: { kind: 'wan', address: `10.99.${i}.${s + 10}`, gateway: `10.99.${i}.1` } },
    }));
    const add = c.items.map((ci, n): ChecklistItemInput => ({
      id: caseItemId(c, n),
      title: { vi: `Hạng mục ${n + 1}`, en: `Item ${n + 1}` },
      owner: { vi: 'Tổ thử', en: 'Test team' },
      kind: ci.role,
      blocking: ci.blocking,
      evidence: EVIDENCE[ci.role],
      for: ci.role === 'manual' ? '0s' : CASE_FOR,
    }));
    return { code, name: `Ca ${i + 1}`, kind: 'xa', sites, checklist: { add } };
  });
  const inv = Inventory.parse({
    version: 1,
    province: { code: '99', name: 'Bảng các trường hợp', effectiveDate: '2025-07-01', watch: { from: '2025-07-01', to: '2025-07-07' } },
    dataCenters: [
      {
        id: 'dc1',
        name: 'DC',
        role: 'primary',
        dockerHost: 'ssh://ops@dc1.example.invalid',
        wan: { parent: 'eth1', subnet: '10.98.0.0/24', gateway: '10.98.0.1' },
        monitoring: {
          prometheus: '10.98.0.10',
          alertmanager: '10.98.0.11',
          grafana: '10.98.0.12',
          blackbox: '10.98.0.13',
          board: '10.98.0.14',
        },
      },
    ],
    units,
    checklist: { drop: defaultChecklist.map((i) => i.id) },
    maintenance: units.flatMap((u, i) => (cases[i]!.maintenance ? [{ unit: u.code, ...window, reason: 'ca bảo trì' }] : [])),
  });
  return { inv, units: inv.units.map((unit, i) => ({ unit, case: cases[i]! })) };
}
