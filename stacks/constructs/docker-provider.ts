// The Docker provider of one data center. The stacks hold it as an opaque handle and hand it to
// the other constructs: only this folder imports the provider package.
import type { Construct } from 'constructs';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider/index.js';

export type { DockerProvider };

/** Docker provider of one data center, aliased by its id so unit stacks can hold several. */
export function dockerProvider(scope: Construct, dc: { id: string; dockerHost: string }): DockerProvider {
  return new DockerProvider(scope, `docker-${dc.id}`, { alias: dc.id, host: dc.dockerHost });
}
