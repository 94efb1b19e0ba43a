// A long-running service container with the options the policy requires: a healthcheck, a restart
// policy, a memory limit, rotated logs, never privileged, no published ports. The files it needs
// are uploaded into it (no host paths): content generated at synth, or a file read at deploy time.
import { Construct } from 'constructs';
import { Fn, Token } from 'cdktf';
import { Container, type ContainerUpload } from '@cdktf/provider-docker/lib/container/index.js';
import type { DockerProvider } from './docker-provider.ts';

export interface NetworkAttachment {
  /** The Docker network's name (also works across stacks: the network belongs to the dc stack). */
  name: string;
  ipv4Address?: string;
  ipv6Address?: string;
  aliases?: string[];
}

export interface UploadedFile {
  /** Absolute path in the container. */
  path: string;
  /** Generated content, written into the Terraform configuration. */
  content?: string;
  /** A file on the machine running Terraform, read at deploy time and kept out of the state (secrets). */
  source?: string;
}

export interface ServiceContainerProps {
  provider: DockerProvider;
  /** Container name on the Docker host. */
  name: string;
  /** Image reference or a docker_image's `imageId`. */
  image: string;
  command?: string[];
  env?: string[];
  networks: NetworkAttachment[];
  files?: UploadedFile[];
  volumes?: { volumeName: string; containerPath: string }[];
  /** Exec-form healthcheck command, e.g. ['wget', '-q', '--spider', 'http://127.0.0.1:9090/-/healthy']. */
  healthcheck: string[];
  memoryMb: number;
  user?: string;
  sysctls?: Record<string, string>;
}

export const LOG_OPTIONS = { 'max-size': '10m', 'max-file': '5' } as const;

export class ServiceContainer extends Construct {
  readonly container: Container;

  constructor(scope: Construct, id: string, props: ServiceContainerProps) {
    super(scope, id);
    const uploads: ContainerUpload[] = (props.files ?? []).map((f) =>
      f.source !== undefined
        ? { file: f.path, source: f.source, sourceHash: Fn.filesha256(f.source) }
        : { file: f.path, content: escapeTemplate(f.content ?? '') },
    );
    this.container = new Container(this, 'container', {
      provider: props.provider,
      name: props.name,
      image: props.image,
      command: props.command,
      env: props.env,
      user: props.user,
      sysctls: props.sysctls,
      restart: 'unless-stopped',
      memory: props.memoryMb,
      logDriver: 'json-file',
      logOpts: { ...LOG_OPTIONS },
      mustRun: true,
      privileged: false,
      healthcheck: { test: ['CMD', ...props.healthcheck], interval: '30s', timeout: '5s', retries: 3, startPeriod: '30s' },
      networksAdvanced: props.networks.map((n) => ({
        name: n.name,
        ipv4Address: n.ipv4Address,
        ipv6Address: n.ipv6Address,
        aliases: n.aliases,
      })),
      upload: uploads.length ? uploads : undefined,
      volumes: props.volumes?.map((v) => ({ volumeName: v.volumeName, containerPath: v.containerPath })),
    });
  }
}

/**
 * Terraform reads `${…}` and `%{…}` in any string as a template: a Grafana dashboard's
 * `${datasource}` would break the plan. Literal text is escaped (`$${`, `%%{`); values that are
 * themselves references (a sensitive variable) are left as they are.
 */
export function escapeTemplate(text: string): string {
  if (Token.isUnresolved(text)) return text;
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}
