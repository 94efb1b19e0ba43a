// Where the agent lives on a site's machine, and the systemd unit and README of the kit.
import type { SiteSliceDocument } from '../../inventory/index.ts';

/**
 * V8 flags the unit runs the agent with, for a commune PC's memory (bench/README.md): a young
 * generation that grows slowly (the default grows to 16 MB semi-spaces under a burst of
 * results), and no optimising compiler (TurboFan: its code and its own pages of the node
 * binary; the agent's JavaScript is I/O glue). Command line only: node refuses both in
 * NODE_OPTIONS, and the heap's sizes are fixed when it starts.
 */
export const NODE_FLAGS = ['--optimize-for-size', '--no-opt'] as const;

/** What the executable's unit puts in NODE_OPTIONS: the semi-space size `--optimize-for-size` would give, which NODE_OPTIONS allows. */
export const EXECUTABLE_NODE_OPTIONS = '--max-semi-space-size=1';

export const BUNDLE_NAME = 'sansang-agent.cjs';
/** The same agent as one Linux x64 executable (Node's single-executable application), for a PC without Node. */
export const EXECUTABLE_NAME = 'sansang-agent';
/** The unit that starts the executable; installed as UNIT_NAME when the kit is installed by the executable. */
export const EXECUTABLE_UNIT_NAME = 'sansang-agent.executable.service';
export const CONFIG_NAME = 'site.json';
export const UNIT_NAME = 'sansang-agent.service';
export const INSTALL_PATHS = {
  bundle: `/opt/sansang-agent/${BUNDLE_NAME}`,
  executable: `/opt/sansang-agent/${EXECUTABLE_NAME}`,
  /** Where an outbound-only link's pushes wait while the data center cannot be reached (systemd's StateDirectory). */
  stateDir: '/var/lib/sansang-agent',
  configDir: '/etc/sansang-agent',
  unit: `/etc/systemd/system/${UNIT_NAME}`,
} as const;

/** How the unit starts the agent: the bundle with the machine's Node, or the single executable. */
export type AgentForm = 'node' | 'executable';

/**
 * The command line the unit runs. The executable takes the same V8 flags first on its command
 * line and sets them before anything else runs (the bundle's banner, agents/kit.ts): a single
 * executable reads no Node options from its command line, and Node refuses these in NODE_OPTIONS.
 */
export function execStart(form: AgentForm): string {
  const config = `--config ${INSTALL_PATHS.configDir}/${CONFIG_NAME}`;
  return form === 'node'
    ? `/usr/bin/env node ${NODE_FLAGS.join(' ')} ${INSTALL_PATHS.bundle} ${config}`
    : `${INSTALL_PATHS.executable} ${NODE_FLAGS.join(' ')} ${config}`;
}

export function systemdUnit(slice: SiteSliceDocument, form: AgentForm = 'node'): string {
  return `# sansang site agent for ${slice.site.id} (unit ${slice.unit.code}), written by \`sansang agent kit\`.
[Unit]
Description=sansang site agent (${slice.site.id})
Documentation=file://${INSTALL_PATHS.configDir}/README.md
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
ExecStart=${execStart(form)}
ExecReload=/bin/kill -HUP $MAINPID
Restart=always
RestartSec=5
# An unprivileged user made up by systemd for this service; it owns nothing on disk.
DynamicUser=yes
# ICMP probes run /usr/bin/ping. Where net.ipv4.ping_group_range does not include the service's
# group, ping needs CAP_NET_RAW: granted as an ambient capability (kept across exec), and nothing else.
AmbientCapabilities=CAP_NET_RAW
CapabilityBoundingSet=CAP_NET_RAW
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK
MemoryMax=200M
# An outbound-only link's pushes wait here (bounded) while the data center cannot be reached.
StateDirectory=sansang-agent
Environment=NODE_ENV=production LC_ALL=C
${
  form === 'executable'
    ? `# The executable sets its V8 flags after V8 has sized its heap: the young generation's size comes
# from here instead (bench/README.md, "The single executable").
Environment=NODE_OPTIONS=${EXECUTABLE_NODE_OPTIONS}
`
    : ''
}
[Install]
WantedBy=multi-user.target
`;
}

export function kitReadme(slice: SiteSliceDocument): string {
  const links = [slice.site.links.primary, slice.site.links.backup].filter((l) => !!l);
  return `# Bộ cài tác tử giám sát sansang — ${slice.site.name}

Đơn vị: ${slice.unit.name} (mã ${slice.unit.code}) · Điểm: \`${slice.site.id}\`

Máy cần có lệnh \`ping\` (gói iputils-ping). Không cần Internet.

- **Máy đã có Node.js 20 trở lên** (\`node --version\`): dùng tệp \`${BUNDLE_NAME}\`.
- **Máy Linux 64-bit (x64) chưa có Node.js**: dùng tệp chạy được \`${EXECUTABLE_NAME}\` (đã gồm Node),
  thay \`node ${BUNDLE_NAME}\` bằng \`./${EXECUTABLE_NAME}\` trong các lệnh dưới đây.

## Ba lệnh cần gõ (trong thư mục này, với quyền root)

1. Cài đặt tác tử và cấu hình của điểm:

       sudo node ${BUNDLE_NAME} install        (hoặc: sudo ./${EXECUTABLE_NAME} install)

2. Bật dịch vụ và cho chạy cùng máy:

       sudo systemctl daemon-reload && sudo systemctl enable --now sansang-agent

3. Kiểm tra một lượt, xem bảng kết quả (mã thoát 0 là SẴN SÀNG):

       node ${INSTALL_PATHS.bundle} check --config ${INSTALL_PATHS.configDir}/${CONFIG_NAME}
       (hoặc: ${INSTALL_PATHS.executable} check --config ${INSTALL_PATHS.configDir}/${CONFIG_NAME})

Xem trước những gì sẽ được ghi: \`node ${BUNDLE_NAME} install --dry-run\`.
Bảng tiếng Anh: thêm \`--lang en\`.

## Tác tử làm gì

Đo kết nối tới các dịch vụ qua từng đường truyền (${links.map((l) => `${l.kind} ${l.address}`).join(', ')})
mỗi ${slice.agent.interval}, và phục vụ số liệu cho trung tâm dữ liệu tại cổng ${slice.site.agentPort}
(\`/metrics\`, \`/status\`, \`/healthz\`). Sau khi sửa ${INSTALL_PATHS.configDir}/${CONFIG_NAME}:
\`sudo systemctl reload sansang-agent\` (cấu hình sai sẽ bị từ chối, cấu hình cũ vẫn chạy).

Nhật ký: \`journalctl -u sansang-agent\`.
`;
}
