// Stack `dc-<id>`: one data center's share of the shared WAN and the monitoring, highly available
// across the two data centers. The WAN network (macvlan on the data center's segment), an internal
// management network, and on the WAN with the inventory's static addresses: Prometheus, Alertmanager
// (clustered with the other data center's), Grafana, the blackbox exporter and the sansang board
// (pulling sign-offs from the other data center's board). It also pulls the HAProxy image the unit
// stacks run.
//
// The constructor only names the parts; each part is a method that adds its resources to the stack
// itself (not to a construct of its own, which would change every Terraform address).
import { join } from 'node:path';
import { App, Aspects, TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import {
  JOBS,
  PORTS,
  receivesPushes,
  receivesRemoteWrite,
  type DataCenter,
  type GeneratedFile,
  type Inventory,
} from '../inventory/index.ts';
import { AGENT_PASSWORD_FILE } from './config/prometheus.ts';
import { ALIASES, CONTAINER, FILES } from './config/layout.ts';
import { hostPort } from './config/net.ts';
import { resolveImages } from './config/images.ts';
import { dockerProvider, type DockerProvider } from './constructs/docker-provider.ts';
import { builtImage, internalNetwork, macvlanNetwork, pulledImage, volume } from './constructs/resources.ts';
import { ServiceContainer, type NetworkAttachment, type UploadedFile } from './constructs/service-container.ts';
import { sharedFiles, type SharedFiles } from './shared-files.ts';
import { BOARD_CONTEXT_DIR, type BoardContext } from './board-context.ts';
import { fromStackDir, localState } from './paths.ts';
import { PolicyAspect } from './policy/aspect.ts';

export const WAN_NETWORK = 'sansang-wan';
export const MANAGEMENT_NETWORK = 'sansang-mgmt';

export interface DcStackProps {
  inventory: Inventory;
  dc: DataCenter;
  /** The board image's build context (copied into the output directory), when the inventory names no image. */
  boardContext?: BoardContext;
  /** The sansang version: the tag of the board image built here. */
  version: string;
  /** The generated files, when already made for the app (all data centers' share). */
  shared?: SharedFiles;
  /** Where the local state file is kept. */
  stateDir: string;
}

export function dcStackName(dc: Pick<DataCenter, 'id'>): string {
  return `dc-${dc.id}`;
}

/** Memory limits (MB): generous for a province of a few hundred sites. */
const MEMORY = { prometheus: 2048, alertmanager: 256, grafana: 512, blackbox: 128, board: 512 } as const;

/** Container names on the Docker host. The board and the blackbox exporter carry their scrape job's name. */
const NAMES = {
  prometheus: 'sansang-prometheus',
  alertmanager: 'sansang-alertmanager',
  grafana: 'sansang-grafana',
  blackbox: JOBS.blackbox,
  board: JOBS.board,
} as const;

const httpCheck = (port: number, path: string) => ['wget', '-q', '--spider', `http://127.0.0.1:${port}${path}`];

/** The image id of each service this stack runs. */
interface ImageIds {
  prometheus: string;
  alertmanager: string;
  grafana: string;
  blackbox: string;
  board: string;
}

export class DcStack extends TerraformStack {
  private readonly inv: Inventory;
  private readonly dc: DataCenter;
  /** The other data centers: Alertmanager's cluster peers, the board's sign-off peers. */
  private readonly others: DataCenter[];
  private readonly shared: SharedFiles;
  private readonly provider: DockerProvider;
  /** The networks' names, as references: a container on them depends on them. */
  private readonly net: { wan: string; mgmt: string };

  constructor(scope: Construct, props: DcStackProps) {
    const { inventory: inv, dc } = props;
    super(scope, dcStackName(dc));
    Aspects.of(this).add(new PolicyAspect());
    this.inv = inv;
    this.dc = dc;
    this.others = inv.dataCenters.filter((d) => d.id !== dc.id);
    this.shared = props.shared ?? sharedFiles(inv);
    this.provider = dockerProvider(this, dc);
    localState(this, props.stateDir);

    const images = this.images(props.boardContext, props.version);
    this.net = this.networks();
    this.prometheus(images.prometheus);
    this.alertmanager(images.alertmanager);
    this.grafana(images.grafana);
    this.blackbox(images.blackbox);
    this.board(images.board);
  }

  /** Pinned images pulled on the host; the board's is built from the project's Dockerfile unless the inventory names one. */
  private images(context: BoardContext | undefined, version: string): ImageIds {
    const images = resolveImages(this.inv);
    const pull = (id: string, name: string) => pulledImage(this, id, this.provider, name);
    const ids = {
      prometheus: pull('image-prometheus', images.prometheus),
      alertmanager: pull('image-alertmanager', images.alertmanager),
      grafana: pull('image-grafana', images.grafana),
      blackbox: pull('image-blackbox', images.blackbox),
    };
    // Run by the unit stacks, by name; pulled once here.
    pull('image-haproxy', images.haproxy);
    if (!images.board && !context) throw new Error('the board image is built from the project: buildApp gives its context');
    const board = images.board
      ? pull('image-board', images.board)
      : builtImage(this, 'image-board', {
          provider: this.provider,
          name: `${NAMES.board}:${version}`,
          // The copy in the output directory, named from this stack's folder.
          context: fromStackDir(this, join(App.of(this).outdir, BOARD_CONTEXT_DIR)),
          dockerfile: 'Dockerfile',
          version,
          sources: context!.hash,
        });
    return { ...ids, board };
  }

  /** The WAN (macvlan on the data center's segment) and the internal management network. */
  private networks(): { wan: string; mgmt: string } {
    const { wan, management } = this.dc;
    return {
      wan: macvlanNetwork(this, 'wan', {
        provider: this.provider,
        name: WAN_NETWORK,
        parent: wan.parent,
        subnet: wan.subnet,
        gateway: wan.gateway,
      }),
      mgmt: internalNetwork(this, 'management', { provider: this.provider, name: MANAGEMENT_NETWORK, subnet: management?.subnet }),
    };
  }

  /** A container's place: its static address on the WAN, and its alias on the management network. */
  private on(ip: string, alias: string): NetworkAttachment[] {
    return [
      { name: this.net.wan, ipv4Address: ip },
      { name: this.net.mgmt, aliases: [alias] },
    ];
  }

  /** A named volume for a service's data. */
  private volume(name: string): string {
    return volume(this, `volume-${name}`, this.provider, `sansang-${name}`);
  }

  /** Prometheus: the same targets and rules in every data center (the rules from dashboards/), its own replica label. */
  private prometheus(image: string): void {
    const files: UploadedFile[] = [this.shared.prometheusConfig.get(this.dc.id)!, ...this.shared.prometheus, ...this.shared.rules].map(
      (f) => inDir(CONTAINER.prometheusDir, f),
    );
    const auth = this.inv.agent.basicAuth;
    if (auth) {
      const password = new TerraformVariable(this, 'agent_password', {
        type: 'string',
        sensitive: true,
        description: `Password of the site agents' basic auth (user ${auth.username}); Prometheus scrapes with it.`,
      });
      files.push({ path: `${CONTAINER.prometheusDir}/${AGENT_PASSWORD_FILE}`, content: password.stringValue });
    }
    new ServiceContainer(this, 'prometheus', {
      provider: this.provider,
      name: NAMES.prometheus,
      image,
      command: [
        `--config.file=${CONTAINER.prometheusDir}/${FILES.prometheus}`,
        `--storage.tsdb.path=${CONTAINER.prometheusData}`,
        '--storage.tsdb.retention.time=30d',
        `--web.listen-address=:${PORTS.prometheus}`,
        // What agents push over links the data center cannot reach, forwarded by the board.
        ...(receivesRemoteWrite(this.inv) ? ['--web.enable-remote-write-receiver'] : []),
      ],
      networks: this.on(this.dc.monitoring.prometheus, ALIASES.prometheus),
      files,
      volumes: [{ volumeName: this.volume('prometheus-data'), containerPath: CONTAINER.prometheusData }],
      healthcheck: httpCheck(PORTS.prometheus, '/-/healthy'),
      memoryMb: MEMORY.prometheus,
    });
  }

  /** Alertmanager, clustered with the other data centers' over the WAN. */
  private alertmanager(image: string): void {
    const cluster = (ip: string) => hostPort(ip, PORTS.alertmanagerCluster);
    new ServiceContainer(this, 'alertmanager', {
      provider: this.provider,
      name: NAMES.alertmanager,
      image,
      command: [
        `--config.file=${CONTAINER.alertmanagerDir}/alertmanager.yml`,
        `--storage.path=${CONTAINER.alertmanagerData}`,
        `--web.listen-address=:${PORTS.alertmanager}`,
        `--cluster.listen-address=0.0.0.0:${PORTS.alertmanagerCluster}`,
        `--cluster.advertise-address=${cluster(this.dc.monitoring.alertmanager)}`,
        ...this.others.map((o) => `--cluster.peer=${cluster(o.monitoring.alertmanager)}`),
      ],
      networks: this.on(this.dc.monitoring.alertmanager, ALIASES.alertmanager),
      files: this.shared.alertmanager.map((f) => inDir(CONTAINER.alertmanagerDir, f)),
      volumes: [{ volumeName: this.volume('alertmanager-data'), containerPath: CONTAINER.alertmanagerData }],
      healthcheck: httpCheck(PORTS.alertmanager, '/-/healthy'),
      memoryMb: MEMORY.alertmanager,
    });
  }

  /** Grafana: data sources and dashboards provisioned from files; anonymous visitors can view. */
  private grafana(image: string): void {
    const adminPassword = new TerraformVariable(this, 'grafana_admin_password', {
      type: 'string',
      sensitive: true,
      description: `Password of Grafana's admin user in ${this.dc.id} (anonymous visitors can view, not edit).`,
    });
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
        `GF_SERVER_HTTP_PORT=${PORTS.grafana}`,
      ],
      networks: this.on(this.dc.monitoring.grafana, ALIASES.grafana),
      files: [
        ...this.shared.grafana.map((f) => ({
          path: `${CONTAINER.grafanaProvisioning}/${f.path.replace(/^grafana\/provisioning\//, '')}`,
          content: f.content,
        })),
        ...this.shared.dashboards.map((f) => inDir(CONTAINER.grafanaDashboards, f)),
      ],
      volumes: [{ volumeName: this.volume('grafana-data'), containerPath: CONTAINER.grafanaData }],
      healthcheck: httpCheck(PORTS.grafana, '/api/health'),
      memoryMb: MEMORY.grafana,
    });
  }

  /** The blackbox exporter: reaches every site agent from this data center. */
  private blackbox(image: string): void {
    new ServiceContainer(this, 'blackbox', {
      provider: this.provider,
      name: NAMES.blackbox,
      image,
      command: [`--config.file=${CONTAINER.blackboxConfig}`, `--web.listen-address=:${PORTS.blackbox}`],
      networks: this.on(this.dc.monitoring.blackbox, ALIASES.blackbox),
      files: [{ path: CONTAINER.blackboxConfig, content: this.shared.blackbox.content }],
      healthcheck: httpCheck(PORTS.blackbox, '/-/healthy'),
      memoryMb: MEMORY.blackbox,
    });
  }

  /**
   * The board: reads this data center's Prometheus and Alertmanager, pulls the other's sign-offs.
   * Its team tokens and the token it shows the peer board are files on the deploying machine,
   * named by Terraform variables, read at deploy time and kept out of the state (like the certificates).
   */
  private board(image: string): void {
    const tokens = new TerraformVariable(this, 'board_tokens_file', {
      type: 'string',
      description:
        "Path of the board's team tokens file (YAML `team-id: token-or-bcrypt-hash`, see dashboards/README.md) on the machine that deploys; it is uploaded into the board, not stored in the state.",
    });
    const files: UploadedFile[] = [
      { path: CONTAINER.boardInventory, content: this.shared.inventoryYaml },
      { path: CONTAINER.boardTokens, source: tokens.stringValue },
    ];
    const boardArgs: string[] = [];
    if (this.others.length) {
      const peerToken = new TerraformVariable(this, 'board_peer_token_file', {
        type: 'string',
        description:
          "Path of a file holding one team's token in clear (one of board_tokens_file's teams): the board shows it to the other data center's board to pull its sign-offs.",
      });
      files.push({ path: CONTAINER.boardPeerToken, source: peerToken.stringValue });
      boardArgs.push(...this.others.flatMap((o) => ['--peer', `http://${hostPort(o.monitoring.board, PORTS.board)}`]));
      boardArgs.push('--peer-token-file', CONTAINER.boardPeerToken);
    }
    if (receivesPushes(this.inv)) {
      // The province's push secret: the board checks each agent's token (an HMAC of its site) with it.
      const secret = new TerraformVariable(this, 'board_push_secret_file', {
        type: 'string',
        description:
          "Path of the province's push secret on the machine that deploys (at least 16 characters; the same file for every data center and for `sansang agent kit --push-secret`): the board checks the token of an agent pushing over a link the data center cannot reach, or asking which uplink its router uses. Uploaded into the board, not stored in the state.",
      });
      files.push({ path: CONTAINER.boardPushSecret, source: secret.stringValue });
      boardArgs.push('--push-secret-file', CONTAINER.boardPushSecret);
      if (receivesRemoteWrite(this.inv))
        boardArgs.push('--prometheus-write', `http://${hostPort(ALIASES.prometheus, PORTS.prometheus)}/api/v1/write`);
    }
    new ServiceContainer(this, 'board', {
      provider: this.provider,
      name: NAMES.board,
      image,
      command: boardCommand(this.dc, boardArgs),
      networks: this.on(this.dc.monitoring.board, ALIASES.board),
      files,
      volumes: [{ volumeName: this.volume('board-data'), containerPath: CONTAINER.boardData }],
      healthcheck: [
        'node',
        '-e',
        `require('http').get('http://127.0.0.1:${PORTS.board}/metrics',(r)=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))`,
      ],
      memoryMb: MEMORY.board,
    });
  }
}

/** The board's arguments in the container (after the image's `node bin/sansang.js`). */
function boardCommand(dc: DataCenter, boardArgs: string[]): string[] {
  return [
    'board',
    '--inventory',
    CONTAINER.boardInventory,
    '--listen',
    `0.0.0.0:${PORTS.board}`,
    '--datacenter',
    dc.id,
    '--prometheus',
    `http://${hostPort(ALIASES.prometheus, PORTS.prometheus)}`,
    '--alertmanager',
    `http://${hostPort(ALIASES.alertmanager, PORTS.alertmanager)}`,
    '--data-dir',
    CONTAINER.boardData,
    '--tokens',
    CONTAINER.boardTokens,
    ...boardArgs,
  ];
}

function inDir(dir: string, f: GeneratedFile): UploadedFile {
  return { path: `${dir}/${f.path}`, content: f.content };
}
