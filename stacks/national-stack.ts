// Stack `national-<id>`: one national data center's share of the national roll-up. Its own store,
// whole by itself (every province writes to every national data center's store): a VictoriaMetrics
// cluster of vmstorage node(s), a vminsert and a vmselect; Grafana with the national overview; the
// national board reading the local vmselect. The same policy as every stack (pinned images,
// healthchecks, restart, memory limits, rotated logs, nothing privileged, no published port).
import { join } from 'node:path';
import { App, Aspects, TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { NATIONAL_PORTS, type GeneratedFile, type NationalDataCenter, type NationalInventory } from '../inventory/index.ts';
import { nationalDashboardFiles } from '../dashboards/index.ts';
import { CONTAINER } from './config/layout.ts';
import {
  localQueryUrl,
  NATIONAL_ALIASES,
  nationalGrafanaFiles,
  resolveNationalImages,
  vminsertArgs,
  vmselectArgs,
  vmstorageArgs,
} from './config/national.ts';
import { dockerProvider, type DockerProvider } from './constructs/docker-provider.ts';
import { builtImage, internalNetwork, macvlanNetwork, pulledImage, volume } from './constructs/resources.ts';
import { ServiceContainer, type NetworkAttachment } from './constructs/service-container.ts';
import { BOARD_CONTEXT_DIR, type BoardContext } from './board-context.ts';
import { fromStackDir, localState } from './paths.ts';
import { PolicyAspect } from './policy/aspect.ts';

export interface NationalStackProps {
  national: NationalInventory;
  dc: NationalDataCenter;
  boardContext?: BoardContext;
  version: string;
  stateDir: string;
}

export function nationalStackName(dc: Pick<NationalDataCenter, 'id'>): string {
  return `national-${dc.id}`;
}

/** Memory limits (MB): the whole country's roll-up fits one vmstorage many times over (bench/README.md). */
const MEMORY = { vmstorage: 4096, vminsert: 1024, vmselect: 2048, grafana: 512, board: 512 } as const;

const NAMES = {
  vmstorage: (i: number) => `sansang-vmstorage-${i + 1}`,
  vminsert: 'sansang-vminsert',
  vmselect: 'sansang-vmselect',
  grafana: 'sansang-grafana',
  board: 'sansang-national-board',
} as const;

const httpCheck = (port: number, path: string) => ['wget', '-q', '--spider', `http://127.0.0.1:${port}${path}`];

export class NationalStack extends TerraformStack {
  private readonly nat: NationalInventory;
  private readonly dc: NationalDataCenter;
  private readonly provider: DockerProvider;
  private readonly net: { wan: string; mgmt: string };

  constructor(scope: Construct, props: NationalStackProps) {
    super(scope, nationalStackName(props.dc));
    Aspects.of(this).add(new PolicyAspect());
    this.nat = props.national;
    this.dc = props.dc;
    this.provider = dockerProvider(this, props.dc);
    localState(this, props.stateDir);
    const images = this.images(props.boardContext, props.version);
    const { wan, management } = this.dc;
    this.net = {
      wan: macvlanNetwork(this, 'wan', {
        provider: this.provider,
        name: 'sansang-wan',
        parent: wan.parent,
        subnet: wan.subnet,
        gateway: wan.gateway,
      }),
      mgmt: internalNetwork(this, 'management', { provider: this.provider, name: 'sansang-mgmt', subnet: management?.subnet }),
    };
    this.store(images);
    this.grafana(images.grafana);
    this.board(images.board);
  }

  private images(context: BoardContext | undefined, version: string) {
    const images = resolveNationalImages(this.nat);
    const pull = (id: string, name: string) => pulledImage(this, id, this.provider, name);
    if (!images.board && !context) throw new Error('the board image is built from the project: buildNationalApp gives its context');
    return {
      vmstorage: pull('image-vmstorage', images.vmstorage),
      vminsert: pull('image-vminsert', images.vminsert),
      vmselect: pull('image-vmselect', images.vmselect),
      grafana: pull('image-grafana', images.grafana),
      board: images.board
        ? pull('image-board', images.board)
        : builtImage(this, 'image-board', {
            provider: this.provider,
            name: `sansang-board:${version}`,
            context: fromStackDir(this, join(App.of(this).outdir, BOARD_CONTEXT_DIR)),
            dockerfile: 'Dockerfile',
            version,
            sources: context!.hash,
          }),
    };
  }

  private on(ip: string, alias?: string): NetworkAttachment[] {
    return [
      { name: this.net.wan, ipv4Address: ip },
      { name: this.net.mgmt, ...(alias ? { aliases: [alias] } : {}) },
    ];
  }

  /** The store: every vmstorage with its volume, then the vminsert the provinces write to and the vmselect everything reads. */
  private store(images: { vmstorage: string; vminsert: string; vmselect: string }): void {
    this.dc.addresses.vmstorage.forEach((ip, i) => {
      new ServiceContainer(this, `vmstorage-${i + 1}`, {
        provider: this.provider,
        name: NAMES.vmstorage(i),
        image: images.vmstorage,
        command: vmstorageArgs(this.nat),
        networks: this.on(ip),
        volumes: [
          {
            volumeName: volume(this, `volume-vmstorage-${i + 1}`, this.provider, `sansang-vmstorage-${i + 1}`),
            containerPath: CONTAINER.vmstorageData,
          },
        ],
        healthcheck: httpCheck(NATIONAL_PORTS.vmstorage, '/health'),
        memoryMb: MEMORY.vmstorage,
      });
    });
    new ServiceContainer(this, 'vminsert', {
      provider: this.provider,
      name: NAMES.vminsert,
      image: images.vminsert,
      command: vminsertArgs(this.dc),
      networks: this.on(this.dc.addresses.vminsert, NATIONAL_ALIASES.vminsert),
      healthcheck: httpCheck(NATIONAL_PORTS.vminsert, '/health'),
      memoryMb: MEMORY.vminsert,
    });
    new ServiceContainer(this, 'vmselect', {
      provider: this.provider,
      name: NAMES.vmselect,
      image: images.vmselect,
      command: vmselectArgs(this.nat, this.dc),
      networks: this.on(this.dc.addresses.vmselect, NATIONAL_ALIASES.vmselect),
      healthcheck: httpCheck(NATIONAL_PORTS.vmselect, '/health'),
      memoryMb: MEMORY.vmselect,
    });
  }

  /** Grafana: the national overview, reading this data center's store. */
  private grafana(image: string): void {
    const adminPassword = new TerraformVariable(this, 'grafana_admin_password', {
      type: 'string',
      sensitive: true,
      description: `Password of the national Grafana's admin user in ${this.dc.id} (anonymous visitors can view, not edit).`,
    });
    const files: GeneratedFile[] = nationalGrafanaFiles(this.nat, this.dc);
    new ServiceContainer(this, 'grafana', {
      provider: this.provider,
      name: NAMES.grafana,
      image,
      env: [
        `GF_SECURITY_ADMIN_PASSWORD=${adminPassword.stringValue}`,
        'GF_AUTH_ANONYMOUS_ENABLED=true',
        'GF_AUTH_ANONYMOUS_ORG_ROLE=Viewer',
        'GF_USERS_ALLOW_SIGN_UP=false',
        'GF_ANALYTICS_REPORTING_ENABLED=false',
        'GF_ANALYTICS_CHECK_FOR_UPDATES=false',
        `GF_SERVER_HTTP_PORT=${NATIONAL_PORTS.grafana}`,
      ],
      networks: this.on(this.dc.addresses.grafana, NATIONAL_ALIASES.grafana),
      files: [
        ...files.map((f) => ({
          path: `${CONTAINER.grafanaProvisioning}/${f.path.replace(/^grafana\/provisioning\//, '')}`,
          content: f.content,
        })),
        ...nationalDashboardFiles(this.nat).map((f) => ({
          path: `${CONTAINER.grafanaDashboards}/${f.path.replace(/^grafana\/dashboards\//, '')}`,
          content: f.content,
        })),
      ],
      volumes: [
        { volumeName: volume(this, 'volume-grafana-data', this.provider, 'sansang-grafana-data'), containerPath: CONTAINER.grafanaData },
      ],
      healthcheck: httpCheck(NATIONAL_PORTS.grafana, '/api/health'),
      memoryMb: MEMORY.grafana,
    });
  }

  /** The national board: read-only, reads this data center's store. */
  private board(image: string): void {
    new ServiceContainer(this, 'board', {
      provider: this.provider,
      name: NAMES.board,
      image,
      command: nationalBoardCommand(),
      networks: this.on(this.dc.addresses.board, NATIONAL_ALIASES.board),
      // JSON is YAML: the national loader reads it.
      files: [{ path: CONTAINER.nationalInventory, content: `${JSON.stringify(this.nat, null, 1)}\n` }],
      healthcheck: [
        'node',
        '-e',
        `require('http').get('http://127.0.0.1:${NATIONAL_PORTS.board}/healthz',(r)=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))`,
      ],
      memoryMb: MEMORY.board,
    });
  }
}

/** The national board's arguments in the container (after the image's `node bin/sansang.js`). */
export function nationalBoardCommand(): string[] {
  return [
    'national',
    'board',
    '--national',
    CONTAINER.nationalInventory,
    '--store',
    localQueryUrl(),
    '--listen',
    `0.0.0.0:${NATIONAL_PORTS.board}`,
  ];
}
