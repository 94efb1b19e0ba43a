// A small inventory for the agent's tests, the lab and the bench: one unit, one site, the
// services given; validated by the real loader (schema and cross-checks).
import { stringify } from 'yaml';
import { loadInventoryText, siteSliceDocument, type Inventory, type SiteSliceDocument } from '../../inventory/index.ts';

export interface TestSiteOptions {
  services: unknown[];
  primary: { address: string; gateway: string };
  backup?: { address: string; gateway: string };
  agent?: Record<string, unknown>;
  /** Province-wide checklist changes (e.g. thresholds). */
  checklist?: Record<string, unknown>;
  agentPort?: number;
  /** The unit's e-mail cutover (units[].email): what the forwarding canary sends to. */
  email?: { domain: string; oldDomains: string[] };
}

export function testInventoryYaml(o: TestSiteOptions): string {
  const doc = {
    version: 1,
    // The tests' services are stand-ins on loopback.
    demo: true,
    province: { code: '40', name: 'Test', effectiveDate: '2025-07-01', watch: { from: '2025-07-01', to: '2025-07-07' } },
    dataCenters: [
      {
        id: 'dc1',
        name: 'DC1',
        role: 'primary',
        dockerHost: 'ssh://ops@dc1.example.invalid',
        wan: { parent: 'eth1', subnet: '10.40.250.0/24', gateway: '10.40.250.1' },
        monitoring: {
          prometheus: '10.40.250.10',
          alertmanager: '10.40.250.11',
          grafana: '10.40.250.12',
          blackbox: '10.40.250.13',
          board: '10.40.250.14',
        },
      },
      {
        id: 'dc2',
        name: 'DC2',
        role: 'backup',
        dockerHost: 'ssh://ops@dc2.example.invalid',
        wan: { parent: 'eth1', subnet: '10.40.251.0/24', gateway: '10.40.251.1' },
        monitoring: {
          prometheus: '10.40.251.10',
          alertmanager: '10.40.251.11',
          grafana: '10.40.251.12',
          blackbox: '10.40.251.13',
          board: '10.40.251.14',
        },
      },
    ],
    services: o.services,
    units: [
      {
        code: '16681',
        name: 'Phường Thử',
        kind: 'phuong',
        ...(o.email ? { email: o.email } : {}),
        sites: [
          {
            id: 'test-site',
            name: 'Điểm thử',
            ...(o.agentPort ? { agentPort: o.agentPort } : {}),
            links: { primary: { kind: 'wan', ...o.primary }, ...(o.backup ? { backup: { kind: '4g', ...o.backup } } : {}) },
          },
        ],
      },
    ],
    ...(o.checklist ? { checklist: o.checklist } : {}),
    agent: { interval: '2s', icmpCount: 3, icmpSpacing: '50ms', ...o.agent },
  };
  return stringify(doc);
}

export function testInventory(o: TestSiteOptions): Inventory {
  return loadInventoryText(testInventoryYaml(o), 'test-inventory.yaml');
}

export function testSlice(o: TestSiteOptions): SiteSliceDocument {
  return siteSliceDocument(testInventory(o), 'test-site');
}
