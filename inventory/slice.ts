// The per-site slice of the inventory as a document of its own: `sansang agent kit` writes it
// next to the bundled agent, and the agent reads it back with `--config FILE`. Built from the
// pieces of schema.ts, so a slice is valid exactly when the inventory it came from was.
import { z } from 'zod';
import { defaultChecklist } from './checklist.ts';
import { siteChecks, siteSlice } from './model.ts';
import type { Inventory } from './schema.ts';
import { Unit, AgentSettings, ChecklistItem, Id, MaintenanceWindow, Service, Site, UnitCode, ProvinceCode } from './schema.ts';

export const SLICE_SCHEMA_VERSION = 1;

export const SiteSliceDocument = z.strictObject({
  sliceVersion: z.literal(SLICE_SCHEMA_VERSION),
  province: z.strictObject({ code: ProvinceCode, name: z.string().min(1), timezone: z.string().min(1) }),
  unit: z.strictObject({
    code: UnitCode,
    name: z.string().min(1),
    kind: z.enum(['xa', 'phuong', 'dac_khu']),
    /** The unit's e-mail cutover (the forwarding canary's old and new domains). */
    email: Unit.shape.email,
  }),
  site: Site,
  services: z.array(Service),
  checklist: z.array(ChecklistItem),
  agent: AgentSettings,
  maintenance: z.array(MaintenanceWindow),
  /** Names of the data centers, for saying whom to call about a service (inventory/remedies.ts). */
  dataCenters: z.array(z.strictObject({ id: Id, name: z.string().min(1) })).default([]),
});

export type SiteSliceDocument = z.output<typeof SiteSliceDocument>;

/** The slice document of one site, ready to write next to the bundled agent. */
export function siteSliceDocument(inv: Inventory, siteId: string): SiteSliceDocument {
  return SiteSliceDocument.parse({ sliceVersion: SLICE_SCHEMA_VERSION, ...siteSlice(inv, siteId) });
}

/**
 * The checklist items that apply to the slice's site: `siteChecks` itself, given an inventory
 * whose checklist is exactly the slice's (every default dropped, the slice's items added), so the
 * agent and the rules can never disagree on which items a site has.
 */
export function sliceSiteChecks(slice: SiteSliceDocument) {
  const inv = {
    services: slice.services,
    checklist: { drop: defaultChecklist.map((i) => i.id), add: slice.checklist, thresholds: {} },
  } as unknown as Inventory;
  const unit = { code: slice.unit.code, checklist: undefined } as unknown as Unit;
  return siteChecks(inv, unit, slice.site);
}
