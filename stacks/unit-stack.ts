// Stack `unit-<code>`: one merged unit's failover. In each data center an HAProxy with the unit's
// own address on the WAN network (no published ports, so units never collide on 80/443) serves
// the portal hostname with the unit's certificate. Named by the official code, never the name:
// names recur, and a renamed stack would orphan its Terraform state.
import { isAbsolute, resolve } from 'node:path';
import { Aspects, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { Inventory, Unit } from '../inventory/index.ts';
import { haproxyConfig, HAPROXY_MONITOR_PORT } from './config/haproxy.ts';
import { certificateFileName, CONTAINER } from './config/layout.ts';
import { resolveImages } from './config/images.ts';
import { ServiceContainer } from './constructs/service-container.ts';
import { dockerProvider } from './constructs/docker-provider.ts';
import { WAN_NETWORK } from './dc-stack.ts';
import { fromStackDir, localState } from './paths.ts';
import { PolicyAspect } from './policy/aspect.ts';

export interface UnitStackProps {
  inventory: Inventory;
  unit: Unit;
  /** The inventory file's folder: certificate paths in it are relative to it. */
  inventoryDir: string;
  /** Where the local state file is kept. */
  stateDir: string;
}

export function unitStackName(unit: Pick<Unit, 'code'>): string {
  return `unit-${unit.code}`;
}

/** The unit's certificate (PEM: certificate and key) on this machine. */
export function certificateSource(unit: Unit, inventoryDir: string): string {
  const c = unit.portal!.certificate;
  return isAbsolute(c) ? c : resolve(inventoryDir, c);
}

export class UnitStack extends TerraformStack {
  constructor(scope: Construct, props: UnitStackProps) {
    const { inventory: inv, unit } = props;
    super(scope, unitStackName(unit));
    Aspects.of(this).add(new PolicyAspect());
    const portal = unit.portal;
    if (!portal) throw new Error(`unit ${unit.code} has no portal: it needs no unit stack`);
    const image = resolveImages(inv).haproxy;
    // Read by Terraform at deploy time, from this stack's folder (synth reports the missing ones at once).
    localState(this, props.stateDir);
    const cert = fromStackDir(this, certificateSource(unit, props.inventoryDir));
    for (const dc of inv.dataCenters) {
      const address = portal.addresses[dc.id];
      if (!address) continue;
      const provider = dockerProvider(this, dc);
      new ServiceContainer(this, `haproxy-${dc.id}`, {
        provider,
        name: `sansang-haproxy-${unit.code}`,
        // Pulled by the data center's stack, which this stack depends on.
        image,
        networks: [
          {
            name: WAN_NETWORK,
            ipv4Address: address.includes(':') ? undefined : address,
            ipv6Address: address.includes(':') ? address : undefined,
          },
        ],
        files: [
          { path: `${CONTAINER.haproxyDir}/haproxy.cfg`, content: haproxyConfig(inv, unit, dc) },
          // Read at deploy time and kept out of the Terraform state: the key never lands in cdktf.out.
          { path: `${CONTAINER.haproxyDir}/${certificateFileName(portal)}`, source: cert },
        ],
        // The image runs HAProxy as an unprivileged user: let it bind 80 and 443.
        sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0' },
        healthcheck: [
          'bash',
          '-c',
          `exec 3<>/dev/tcp/${address}/${HAPROXY_MONITOR_PORT} && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3`,
        ],
        memoryMb: 256,
      });
    }
  }
}
