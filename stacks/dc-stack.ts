// Stack `dc-<id>`: one data center's share of the shared WAN and the monitoring, highly available
// across the two data centers. The WAN network (macvlan on the data center's segment), an internal
// management network, and on the WAN with the inventory's static addresses: Prometheus, Alertmanager
// (clustered with the other data center's), Grafana, the blackbox exporter and the sansang board
// (pulling sign-offs from the other data center's board). It also pulls the HAProxy image the unit
// stacks run.
import { Annotations, TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider/index.js';
import { Image } from '@cdktf/provider-docker/lib/image/index.js';
import { Network } from '@cdktf/provider-docker/lib/network/index.js';
import { Volume } from '@cdktf/provider-docker/lib/volume/index.js';
import { PORTS, type DataCenter, type GeneratedFile, type Inventory } from '../inventory/index.ts';
import { prometheusFiles, AGENT_PASSWORD_FILE } from './config/prometheus.ts';
import { grafanaFiles } from './config/grafana.ts';
import { ALIASES, CONTAINER, FILES } from './config/layout.ts';
import { hostPort } from './config/net.ts';
import { resolveImages } from './config/images.ts';
import { ServiceContainer, type UploadedFile } from './constructs/service-container.ts';
import { PLACEHOLDER_ALERTMANAGER, shippedAlertmanager, shippedDashboards, shippedRules, type Shipped } from './shipped.ts';
import { PolicyAspect } from './policy/aspect.ts';
import { Aspects } from 'cdktf';

export const WAN_NETWORK = 'sansang-wan';
export const MANAGEMENT_NETWORK = 'sansang-mgmt';

export interface DcStackProps {
  inventory: Inventory;
  dc: DataCenter;
  /** Where the project's Dockerfile is, to build the board image when the inventory names none. */
  projectRoot: string;
  /** The sansang version: the tag of the board image built here. */
  version: string;
  /** The generated files, when already made for another data center (they are the same). */
  shared?: SharedFiles;
}

/** The files every data center ships alike, generated once per app. */
export interface SharedFiles {
  prometheus: GeneratedFile[];
  blackbox: GeneratedFile;
  rules: Shipped;
  alertmanager: Shipped;
  dashboards: Shipped;
  grafana: GeneratedFile[];
  inventoryYaml: string;
}

export function sharedFiles(inv: Inventory): SharedFiles {
  const prom = prometheusFiles(inv);
  return {
    prometheus: prom.filter((f) => f.path !== FILES.blackbox),
    blackbox: prom.find((f) => f.path === FILES.blackbox)!,
    rules: shippedRules(inv),
    alertmanager: shippedAlertmanager(inv),
    dashboards: shippedDashboards(inv),
    grafana: grafanaFiles(inv),
    // JSON is YAML (1.2): the board's loader reads it, and it is written far faster for a whole country.
    inventoryYaml: `${JSON.stringify(inv, null, 1)}\n`,
  };
}

export function dcStackName(dc: Pick<DataCenter, 'id'>): string {
  return `dc-${dc.id}`;
}

/** Docker provider of one data center, aliased by its id so unit stacks can hold several. */
export function dockerProvider(scope: Construct, dc: DataCenter): DockerProvider {
  return new DockerProvider(scope, `docker-${dc.id}`, { alias: dc.id, host: dc.dockerHost });
}

/** Memory limits (MB): generous for a province of a few hundred sites. */
const MEMORY = { prometheus: 2048, alertmanager: 256, grafana: 512, blackbox: 128, board: 512 } as const;

const httpCheck = (port: number, path: string) => ['wget', '-q', '--spider', `http://127.0.0.1:${port}${path}`];

export class DcStack extends TerraformStack {
  constructor(scope: Construct, props: DcStackProps) {
    const { inventory: inv, dc } = props;
    super(scope, dcStackName(dc));
    Aspects.of(this).add(new PolicyAspect());
    const provider = dockerProvider(this, dc);
    const images = resolveImages(inv);
    const others = inv.dataCenters.filter((d) => d.id !== dc.id);
    const shared = props.shared ?? sharedFiles(inv);

    const pull = (id: string, name: string) => new Image(this, id, { provider, name, keepLocally: true });
    const img = {
      prometheus: pull('image-prometheus', images.prometheus),
      alertmanager: pull('image-alertmanager', images.alertmanager),
      grafana: pull('image-grafana', images.grafana),
      blackbox: pull('image-blackbox', images.blackbox),
      // Run by the unit stacks, by name; pulled once here.
      haproxy: pull('image-haproxy', images.haproxy),
      board: images.board
        ? pull('image-board', images.board)
        : new Image(this, 'image-board', {
            provider,
            name: `sansang-board:${props.version}`,
            keepLocally: true,
            buildAttribute: { context: props.projectRoot, dockerfile: 'Dockerfile', tag: [`sansang-board:${props.version}`] },
            triggers: { version: props.version },
          }),
    };

    const wan = new Network(this, 'wan', {
      provider,
      name: WAN_NETWORK,
      driver: 'macvlan',
      options: { parent: dc.wan.parent },
      ipamConfig: [{ subnet: dc.wan.subnet, gateway: dc.wan.gateway }],
    });
    const mgmt = new Network(this, 'management', {
      provider,
      name: MANAGEMENT_NETWORK,
      driver: 'bridge',
      internal: true,
      ipamConfig: dc.management ? [{ subnet: dc.management.subnet }] : undefined,
    });
    const on = (ip: string, alias: string) => [
      { name: wan.name, ipv4Address: ip },
      { name: mgmt.name, aliases: [alias] },
    ];
    const volume = (name: string) => new Volume(this, `volume-${name}`, { provider, name: `sansang-${name}` }).name;

    // ---- Prometheus: the same configuration in every data center, the rules from dashboards/.
    const rules = shared.rules;
    if (rules.missing) Annotations.of(this).addWarning(`Prometheus ships without rules: ${rules.missing}`);
    const promFiles: UploadedFile[] = [...shared.prometheus, ...rules.files].map((f) => inDir(CONTAINER.prometheusDir, f));
    if (inv.agent.basicAuth) {
      const password = new TerraformVariable(this, 'agent_password', {
        type: 'string',
        sensitive: true,
        description: `Password of the site agents' basic auth (user ${inv.agent.basicAuth.username}); Prometheus scrapes with it.`,
      });
      promFiles.push({ path: `${CONTAINER.prometheusDir}/${AGENT_PASSWORD_FILE}`, content: password.stringValue });
    }
    new ServiceContainer(this, 'prometheus', {
      provider,
      name: 'sansang-prometheus',
      image: img.prometheus.imageId,
      command: [
        `--config.file=${CONTAINER.prometheusDir}/${FILES.prometheus}`,
        `--storage.tsdb.path=${CONTAINER.prometheusData}`,
        '--storage.tsdb.retention.time=30d',
        `--web.listen-address=:${PORTS.prometheus}`,
      ],
      networks: on(dc.monitoring.prometheus, ALIASES.prometheus),
      files: promFiles,
      volumes: [{ volumeName: volume('prometheus-data'), containerPath: CONTAINER.prometheusData }],
      healthcheck: httpCheck(PORTS.prometheus, '/-/healthy'),
      memoryMb: MEMORY.prometheus,
    });

    // ---- Alertmanager, clustered with the other data centers' over the WAN.
    const am = shared.alertmanager;
    if (am.missing) Annotations.of(this).addWarning(`Alertmanager runs a placeholder configuration that drops every alert: ${am.missing}`);
    const amFiles = am.files.length ? am.files : [{ path: 'alertmanager.yml', content: PLACEHOLDER_ALERTMANAGER }];
    new ServiceContainer(this, 'alertmanager', {
      provider,
      name: 'sansang-alertmanager',
      image: img.alertmanager.imageId,
      command: [
        `--config.file=${CONTAINER.alertmanagerDir}/alertmanager.yml`,
        `--storage.path=${CONTAINER.alertmanagerData}`,
        `--web.listen-address=:${PORTS.alertmanager}`,
        `--cluster.listen-address=0.0.0.0:${PORTS.alertmanagerCluster}`,
        `--cluster.advertise-address=${hostPort(dc.monitoring.alertmanager, PORTS.alertmanagerCluster)}`,
        ...others.map((o) => `--cluster.peer=${hostPort(o.monitoring.alertmanager, PORTS.alertmanagerCluster)}`),
      ],
      networks: on(dc.monitoring.alertmanager, ALIASES.alertmanager),
      files: amFiles.map((f) => inDir(CONTAINER.alertmanagerDir, f)),
      volumes: [{ volumeName: volume('alertmanager-data'), containerPath: CONTAINER.alertmanagerData }],
      healthcheck: httpCheck(PORTS.alertmanager, '/-/healthy'),
      memoryMb: MEMORY.alertmanager,
    });

    // ---- Grafana: data sources and dashboards provisioned from files.
    const dashboards = shared.dashboards;
    if (dashboards.missing) Annotations.of(this).addWarning(`Grafana ships without dashboards: ${dashboards.missing}`);
    const adminPassword = new TerraformVariable(this, 'grafana_admin_password', {
      type: 'string',
      sensitive: true,
      description: `Password of Grafana's admin user in ${dc.id} (anonymous visitors can view, not edit).`,
    });
    new ServiceContainer(this, 'grafana', {
      provider,
      name: 'sansang-grafana',
      image: img.grafana.imageId,
      env: [
        `GF_SECURITY_ADMIN_PASSWORD=${adminPassword.stringValue}`,
        'GF_AUTH_ANONYMOUS_ENABLED=true',
        'GF_AUTH_ANONYMOUS_ORG_ROLE=Viewer',
        'GF_USERS_ALLOW_SIGN_UP=false',
        'GF_ANALYTICS_REPORTING_ENABLED=false',
        'GF_ANALYTICS_CHECK_FOR_UPDATES=false',
        `GF_SERVER_HTTP_PORT=${PORTS.grafana}`,
      ],
      networks: on(dc.monitoring.grafana, ALIASES.grafana),
      files: [
        ...shared.grafana.map((f) => ({
          path: `${CONTAINER.grafanaProvisioning}/${f.path.replace(/^grafana\/provisioning\//, '')}`,
          content: f.content,
        })),
        ...dashboards.files.map((f) => inDir(CONTAINER.grafanaDashboards, f)),
      ],
      volumes: [{ volumeName: volume('grafana-data'), containerPath: CONTAINER.grafanaData }],
      healthcheck: httpCheck(PORTS.grafana, '/api/health'),
      memoryMb: MEMORY.grafana,
    });

    // ---- Blackbox exporter: reaches every site agent from this data center.
    const blackbox = shared.blackbox;
    new ServiceContainer(this, 'blackbox', {
      provider,
      name: 'sansang-blackbox',
      image: img.blackbox.imageId,
      command: [`--config.file=${CONTAINER.blackboxConfig}`, `--web.listen-address=:${PORTS.blackbox}`],
      networks: on(dc.monitoring.blackbox, ALIASES.blackbox),
      files: [{ path: CONTAINER.blackboxConfig, content: blackbox.content }],
      healthcheck: httpCheck(PORTS.blackbox, '/-/healthy'),
      memoryMb: MEMORY.blackbox,
    });

    // ---- The board: reads this data center's Prometheus and Alertmanager, pulls the other's sign-offs.
    new ServiceContainer(this, 'board', {
      provider,
      name: 'sansang-board',
      image: img.board.imageId,
      command: [
        'board',
        '--inventory',
        CONTAINER.boardInventory,
        '--listen',
        `0.0.0.0:${PORTS.board}`,
        '--prometheus',
        `http://${hostPort(ALIASES.prometheus, PORTS.prometheus)}`,
        '--alertmanager',
        `http://${hostPort(ALIASES.alertmanager, PORTS.alertmanager)}`,
        '--data-dir',
        CONTAINER.boardData,
        ...others.flatMap((o) => ['--peer', `http://${hostPort(o.monitoring.board, PORTS.board)}`]),
      ],
      networks: on(dc.monitoring.board, ALIASES.board),
      files: [{ path: CONTAINER.boardInventory, content: shared.inventoryYaml }],
      volumes: [{ volumeName: volume('board-data'), containerPath: CONTAINER.boardData }],
      healthcheck: [
        'node',
        '-e',
        `require('http').get('http://127.0.0.1:${PORTS.board}/metrics',(r)=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))`,
      ],
      memoryMb: MEMORY.board,
    });
  }
}

function inDir(dir: string, f: GeneratedFile): UploadedFile {
  return { path: `${dir}/${f.path}`, content: f.content };
}
