// What the stacks ship from `dashboards/` (rules, alertmanager.yml, dashboards). Until a generator
// there is implemented it throws "not implemented yet": the stack then ships without it and says
// so as a synth warning, so the rest can be deployed and tested meanwhile.
import { alertmanagerFiles, dashboardFiles, rulesFiles } from '../dashboards/index.ts';
import type { GeneratedFile, Inventory } from '../inventory/index.ts';
import { isRuleFile } from './config/layout.ts';

export interface Shipped {
  files: GeneratedFile[];
  /** Set when `dashboards/` does not generate this yet. */
  missing?: string;
}

function fromDashboards(what: string, generate: (inv: Inventory) => GeneratedFile[], inv: Inventory): Shipped {
  try {
    return { files: generate(inv) };
  } catch (e) {
    if (e instanceof Error && /not implemented/i.test(e.message))
      return { files: [], missing: `dashboards/ does not generate ${what} yet (${e.message})` };
    throw e;
  }
}

/** The rule files Prometheus loads (`rules/*.rules.yml`); their promtool tests stay out. */
export function shippedRules(inv: Inventory): Shipped {
  const r = fromDashboards('rules', rulesFiles, inv);
  return { ...r, files: r.files.filter((f) => isRuleFile(f.path)) };
}

/** alertmanager.yml and any template beside it, with paths relative to alertmanager.yml's folder. */
export function shippedAlertmanager(inv: Inventory): Shipped {
  const r = fromDashboards('alertmanager.yml', alertmanagerFiles, inv);
  const main = r.files.find((f) => f.path === 'alertmanager.yml' || f.path.endsWith('/alertmanager.yml'));
  if (!main) return r.missing ? r : { files: [], missing: 'dashboards/ generated no alertmanager.yml' };
  const base = main.path.slice(0, main.path.length - 'alertmanager.yml'.length);
  return { files: r.files.filter((f) => f.path.startsWith(base)).map((f) => ({ path: f.path.slice(base.length), content: f.content })) };
}

/** Dashboard JSON files, by file name. */
export function shippedDashboards(inv: Inventory): Shipped {
  const r = fromDashboards('dashboards', dashboardFiles, inv);
  return {
    ...r,
    files: r.files.filter((f) => f.path.endsWith('.json')).map((f) => ({ path: f.path.split('/').pop()!, content: f.content })),
  };
}

/**
 * Stand-in used only while `dashboards/` has no alertmanager.yml: Alertmanager needs a config to
 * start and to join its cluster; this one routes every alert nowhere.
 */
export const PLACEHOLDER_ALERTMANAGER = `# Placeholder until dashboards/ generates alertmanager.yml: alerts are received and dropped.
route:
  receiver: none
receivers:
  - name: none
`;
