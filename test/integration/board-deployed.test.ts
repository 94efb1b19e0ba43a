// The board as a dc stack deploys it. From the synthesised `dc-dc1` of a province imported onto the
// template: the container's command, run exactly as given after the image's ENTRYPOINT (from the
// Dockerfile) in the project, as the image holds it; every file the stack uploads, at its path in
// the container (the inventory's content; the team tokens and the peer token from the files the
// Terraform variables name, as Terraform reads them at deploy time). It runs in namespaces of its
// own: a mount namespace where /etc is an overlay and /var/lib a tmpfs (the container's files and
// volume, nothing of this machine's changed), a network namespace with only `lo`. A sign-off with
// a team's token is accepted, one without is not, and the log needs a token.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Testing } from 'cdktf';
import { loadInventoryText } from '../../inventory/index.ts';
import { buildImport } from '../../inventory/importer.ts';
import { findProvince, parseNsoCsv } from '../../inventory/nso.ts';
import { buildApp } from '../../stacks/app.ts';
import { tempDir } from '../../stacks/test-support.ts';

const repo = resolve(import.meta.dirname, '../..');
const csv = resolve(repo, '../shared/data/nso-dvhc-2025-07.csv');
const TOKEN = 'ttdl-deployed-token-0123456789';

interface Upload {
  file: string;
  content?: string;
  source?: string;
}
interface Container {
  name: string;
  command: string[];
  upload: Upload[];
  volumes: { container_path: string }[];
}

let dir = '';
let board: ChildProcess | undefined;
let log = '';
let command: string[] = [];

/** A request from inside the board's network namespace (node's fetch, run there by nsenter). */
function request(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): { status: number; body: string } {
  const js =
    'const r = await fetch(process.argv[1], JSON.parse(process.argv[2]));' +
    'process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() }));';
  const r = spawnSync(
    'nsenter',
    [
      `--net=/proc/${board!.pid}/ns/net`,
      '--',
      process.execPath,
      '--input-type=module',
      '-e',
      js,
      `http://127.0.0.1:8080${path}`,
      JSON.stringify(init),
    ],
    { encoding: 'utf8', timeout: 20_000 },
  );
  if (r.error) throw new Error(`nsenter: ${r.error.message} (Debian: util-linux)`);
  if (r.status !== 0) return { status: 0, body: r.stderr };
  return JSON.parse(r.stdout) as { status: number; body: string };
}

beforeAll(async () => {
  if (process.getuid?.() !== 0)
    throw new Error('this test mounts an overlay on /etc in a namespace of its own: run it as root (npm test does)');
  // The stack, synthesised from a province imported onto the template.
  const table = parseNsoCsv(readFileSync(csv, 'utf8'), csv);
  const template = loadInventoryText(readFileSync(join(repo, 'inventory/examples/province-template.yaml'), 'utf8'), 'template.yaml');
  const inv = loadInventoryText(buildImport(findProvince(table, '40'), { siteCidr: '10.40.0.0/16', base: template }).yaml, 'na.yaml');
  dir = tempDir('board-deployed');
  const built = buildApp(inv, { inventoryDir: dir, app: Testing.app({ outdir: join(dir, 'cdktf.out') }) });
  const tf = JSON.parse(Testing.synth(built.dcStacks[0]!)) as { resource: { docker_container: Record<string, Container> } };
  const container = Object.values(tf.resource.docker_container).find((c) => c.name === 'sansang-board')!;

  // The deploying machine's secret files, named by the variables.
  const variables: Record<string, string> = {
    board_tokens_file: join(dir, 'secrets/board-tokens.yaml'),
    board_peer_token_file: join(dir, 'secrets/peer-token'),
  };
  mkdirSync(join(dir, 'secrets'));
  writeFileSync(variables.board_tokens_file!, `ttdl: ${TOKEN}\n`, { mode: 0o600 });
  writeFileSync(variables.board_peer_token_file!, `${TOKEN}\n`, { mode: 0o600 });

  // The container's files, under a root of their own, copied over the namespace's /etc.
  const rootfs = join(dir, 'root');
  for (const u of container.upload) {
    expect(u.file.startsWith('/etc/'), u.file).toBe(true);
    const target = join(rootfs, u.file);
    mkdirSync(dirname(target), { recursive: true });
    if (u.content !== undefined) writeFileSync(target, u.content.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{'));
    else {
      const v = /^\$\{var\.([a-z_]+)\}$/.exec(u.source ?? '')?.[1];
      expect(v && variables[v], `upload ${u.file} from ${u.source}`).toBeTruthy();
      writeFileSync(target, readFileSync(variables[v!]!));
    }
  }
  expect(container.volumes.map((v) => v.container_path)).toEqual(['/var/lib/sansang']);

  const entrypoint = JSON.parse(/^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(readFileSync(join(repo, 'Dockerfile'), 'utf8'))![1]!) as string[];
  command = container.command;
  const script = [
    'set -eu',
    'ip link set lo up',
    `mkdir -p "${dir}/etc-up" "${dir}/etc-work"`,
    `mount -t overlay overlay -o "lowerdir=/etc,upperdir=${dir}/etc-up,workdir=${dir}/etc-work" /etc`,
    'mount -t tmpfs tmpfs /var/lib',
    `cp -R "${rootfs}/etc/." /etc/`,
    'mkdir -p /var/lib/sansang',
    `cd "${repo}"`,
    'exec "$@"',
  ].join('\n');
  const argv = [...entrypoint.map((a) => (a === 'node' ? process.execPath : a)), ...command];
  board = spawn('unshare', ['--mount', '--propagation', 'private', '--net', '--', 'bash', '-c', script, 'board', ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  board.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  board.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const until = Date.now() + 45_000;
  for (;;) {
    if (board.exitCode !== null) throw new Error(`the board exited (${board.exitCode}):\n${log}`);
    // Up: it answers, and has said so on its standard error.
    if (log.includes('sansang board:') && request('/api/state').status === 200) break;
    if (Date.now() > until) throw new Error(`the board did not answer within 45 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}, 120_000);

afterAll(async () => {
  if (board && board.exitCode === null) {
    const exited = new Promise((r) => board!.once('exit', r));
    board.kill('SIGTERM');
    await exited;
  }
});

describe('the board a dc stack deploys', () => {
  it('is started with its tokens, its peer and its peer token', () => {
    expect(command).toEqual(
      expect.arrayContaining(['--tokens', '/etc/sansang/tokens.yaml', '--peer-token-file', '/etc/sansang/peer-token']),
    );
    expect(log).toMatch(/sansang board: http:\/\/0\.0\.0\.0:8080\/ \(prometheus mode, 130 units, sign-off log in \/var\/lib\/sansang\)/);
    expect(log).not.toContain('without a token');
  });

  it("accepts a sign-off with a team's token, and refuses one without", () => {
    const body = JSON.stringify({
      unit: '16681',
      check: 'staff-trained',
      signed: true,
      who: 'Nguyễn Văn A',
      team: 'ttdl',
      note: 'đã tập huấn',
    });
    const headers = { 'content-type': 'application/json' };
    const ok = request('/api/signoffs', { method: 'POST', headers: { ...headers, authorization: `Bearer ${TOKEN}` }, body });
    expect(ok.status, ok.body).toBe(201);
    expect(JSON.parse(ok.body)).toMatchObject({ unit: '16681', check: 'staff-trained', signed: true, team: 'ttdl' });
    const wrong = request('/api/signoffs', {
      method: 'POST',
      headers: { ...headers, authorization: 'Bearer not-the-token-0123456789' },
      body,
    });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body)).toMatchObject({ code: 'bad-token' });
  });

  it('shows its log (what the peer pulls) for a token only', () => {
    const log = request('/api/log?since=0', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(log.status).toBe(200);
    expect((JSON.parse(log.body) as { entries: { who: string }[] }).entries.map((e) => e.who)).toEqual(['Nguyễn Văn A']);
    expect(request('/api/log?since=0').status).toBe(401);
  });
});
