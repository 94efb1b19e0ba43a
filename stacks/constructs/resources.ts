// The plain Docker resources of a data center: images, networks, volumes. Each helper adds one
// resource directly to the scope it is given, not a construct of its own: a wrapping construct
// would change the resource's Terraform address and so replace what is already deployed.
import type { Construct } from 'constructs';
import { Image } from '@cdktf/provider-docker/lib/image/index.js';
import { Network } from '@cdktf/provider-docker/lib/network/index.js';
import { Volume } from '@cdktf/provider-docker/lib/volume/index.js';
import type { DockerProvider } from './docker-provider.ts';

/** An image pulled by its (pinned) reference and kept on the host; returns its id. */
export function pulledImage(scope: Construct, id: string, provider: DockerProvider, name: string): string {
  return new Image(scope, id, { provider, name, keepLocally: true }).imageId;
}

export interface BuiltImageProps {
  provider: DockerProvider;
  /** The image's name and only tag. */
  name: string;
  /** The build context (a folder on the machine running Terraform, relative to the stack's folder) and the Dockerfile in it. */
  context: string;
  dockerfile: string;
  /** Built again when either changes: the version, and a hash of the context's files. */
  version: string;
  sources: string;
}

/** An image built on the Docker host from a Dockerfile; returns its id. */
export function builtImage(scope: Construct, id: string, p: BuiltImageProps): string {
  return new Image(scope, id, {
    provider: p.provider,
    name: p.name,
    keepLocally: true,
    buildAttribute: { context: p.context, dockerfile: p.dockerfile, tag: [p.name] },
    triggers: { version: p.version, sources: p.sources },
  }).imageId;
}

export interface MacvlanNetworkProps {
  provider: DockerProvider;
  name: string;
  /** The host interface the network sits on. */
  parent: string;
  subnet: string;
  gateway: string;
}

/** A macvlan network on a host interface; returns its name (a reference, so containers depend on it). */
export function macvlanNetwork(scope: Construct, id: string, p: MacvlanNetworkProps): string {
  return new Network(scope, id, {
    provider: p.provider,
    name: p.name,
    driver: 'macvlan',
    options: { parent: p.parent },
    ipamConfig: [{ subnet: p.subnet, gateway: p.gateway }],
  }).name;
}

/** An internal bridge network (no route out of the host); Docker picks the subnet when none is given. Returns its name. */
export function internalNetwork(scope: Construct, id: string, p: { provider: DockerProvider; name: string; subnet?: string }): string {
  return new Network(scope, id, {
    provider: p.provider,
    name: p.name,
    driver: 'bridge',
    internal: true,
    ipamConfig: p.subnet ? [{ subnet: p.subnet }] : undefined,
  }).name;
}

/** A named volume; returns its name. */
export function volume(scope: Construct, id: string, provider: DockerProvider, name: string): string {
  return new Volume(scope, id, { provider, name }).name;
}
