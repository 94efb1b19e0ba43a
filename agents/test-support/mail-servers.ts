// Debian's Postfix and Dovecot on loopback, each with a configuration of its own in a temporary
// directory, for the mail probes' and the forwarding canary's tests (one set-up shared by them):
// SMTP with STARTTLS offered (like port 25), required (587), TLS from the first byte (465) and
// not offered at all; IMAP and POP3 with STARTTLS and with TLS. Postfix forwards the old domains
// to the new mailbox with virtual alias maps, delivers to Maildir, and Dovecot reads it.
//   old-a.test, old-b.test → canary@new.test   (the cutover done right)
//   old-lost.test          → lost@new.test     (forwarded to the wrong mailbox: never arrives)
//   old-slow.test          → canary@new.test   (held in Postfix's queue until the test releases it: late)
//   old-none.test            not configured     (refused at RCPT: relay access denied)
// Needs root (Postfix's master runs as root and drops to `postfix`); a missing program fails
// naming its Debian package.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCertificate, type TlsMaterial } from './servers.ts';

export interface MailLab {
  dir: string;
  tls: TlsMaterial;
  ports: { smtp: number; submission: number; smtps: number; smtpPlain: number; imap: number; imaps: number; pop3: number; pop3s: number };
  /** The canary's IMAP login and the file holding its password. */
  username: string;
  passwordFile: string;
  /** Messages delivered to a mailbox of new.test (Maildir new/ and cur/). */
  delivered(mailbox: string): number;
  /** Releases the mail Postfix holds (to old-slow.test) for delivery: forwarding that comes late. */
  release(): void;
  /** Postfix's and Dovecot's logs, for a failing test's message. */
  logs(): string;
  close(): Promise<void>;
}

const NOBODY = 65534;
const NEEDS: [string, string][] = [
  ['/usr/sbin/postfix', 'postfix'],
  ['/usr/sbin/dovecot', 'dovecot-core'],
  ['/usr/lib/dovecot/imap', 'dovecot-imapd'],
  ['/usr/lib/dovecot/pop3', 'dovecot-pop3d'],
];

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((r) => {
          const s = net.createServer();
          s.listen(0, '127.0.0.1', () => r(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function listening(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), r(true)));
    s.once('error', () => r(false));
  });
}

async function waitListening(ports: number[], what: () => string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const up = await Promise.all(ports.map(listening));
    if (up.every(Boolean)) return;
    if (Date.now() > end) throw new Error(`the mail servers did not listen on ${ports.filter((_, i) => !up[i]).join(', ')}:\n${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startMailLab(): Promise<MailLab> {
  for (const [program, pkg] of NEEDS)
    if (!existsSync(program)) throw new Error(`${program} is missing: apt-get install ${pkg} (test/packages.txt)`);
  if (process.getuid?.() !== 0) throw new Error('Postfix runs as root (its master drops to the postfix user): run the mail tests as root');
  const dir = mkdtempSync(join(tmpdir(), 'sansang-mail-'));
  chmodSync(dir, 0o755);
  const tls = makeCertificate('mail.new.test', 30);
  const [smtp, submission, smtps, smtpPlain, imap, imaps, pop3, pop3s] = await freePorts(8);
  const ports = {
    smtp: smtp!,
    submission: submission!,
    smtps: smtps!,
    smtpPlain: smtpPlain!,
    imap: imap!,
    imaps: imaps!,
    pop3: pop3!,
    pop3s: pop3s!,
  };
  const pf = join(dir, 'postfix');
  for (const d of ['', 'queue', 'data', 'mail']) mkdirSync(join(pf, d), { recursive: true });
  chownSync(join(pf, 'data'), uidOf('postfix'), 0);
  const mail = join(pf, 'mail');
  chownSync(mail, NOBODY, NOBODY);
  // The key is read by Postfix's smtpd (as root at start) and Dovecot: a copy they may all read.
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(cert, readFileSync(tls.certFile));
  writeFileSync(key, readFileSync(tls.keyFile), { mode: 0o600 });
  writeFileSync(
    join(pf, 'main.cf'),
    `compatibility_level = 3.6
queue_directory = ${pf}/queue
data_directory = ${pf}/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.new.test
mydomain = new.test
myorigin = new.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_banner = $myhostname ESMTP sansang test
maillog_file = ${pf}/postfix.log
maillog_file_prefixes = ${pf}
smtp_dns_support_level = disabled
disable_dns_lookups = yes
virtual_alias_domains = old-a.test old-b.test old-lost.test old-slow.test
virtual_alias_maps = texthash:${pf}/virtual
virtual_mailbox_domains = new.test
virtual_mailbox_base = ${mail}
virtual_mailbox_maps = texthash:${pf}/mailboxes
virtual_uid_maps = static:${NOBODY}
virtual_gid_maps = static:${NOBODY}
virtual_minimum_uid = 100
smtpd_tls_cert_file = ${cert}
smtpd_tls_key_file = ${key}
smtpd_tls_security_level = may
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access texthash:${pf}/hold
alias_maps =
alias_database =
local_recipient_maps =
biff = no
`,
  );
  writeFileSync(
    join(pf, 'virtual'),
    'canary@old-a.test canary@new.test\ncanary@old-b.test canary@new.test\ncanary@old-lost.test lost@new.test\ncanary@old-slow.test canary@new.test\n',
  );
  writeFileSync(join(pf, 'hold'), 'canary@old-slow.test HOLD\n');
  writeFileSync(join(pf, 'mailboxes'), 'canary@new.test new.test/canary/\nlost@new.test new.test/lost/\n');
  const service = (port: number, opts: string) => `${port} inet n - n - - smtpd ${opts}`;
  writeFileSync(
    join(pf, 'master.cf'),
    [
      service(ports.smtp, ''),
      service(ports.submission, '-o smtpd_tls_security_level=encrypt'),
      service(ports.smtps, '-o smtpd_tls_wrappermode=yes'),
      service(ports.smtpPlain, '-o smtpd_tls_security_level=none'),
      ...[
        'pickup unix n - n 60 1 pickup',
        'cleanup unix n - n - 0 cleanup',
        'qmgr unix n - n 300 1 qmgr',
        'tlsmgr unix - - n 1000? 1 tlsmgr',
        'rewrite unix - - n - - trivial-rewrite',
        'bounce unix - - n - 0 bounce',
        'defer unix - - n - 0 bounce',
        'trace unix - - n - 0 bounce',
        'verify unix - - n - 1 verify',
        'flush unix n - n 1000? 0 flush',
        'proxymap unix - - n - - proxymap',
        'smtp unix - - n - - smtp',
        'relay unix - - n - - smtp',
        'showq unix n - n - - showq',
        'error unix - - n - - error',
        'retry unix - - n - - error',
        'discard unix - - n - - discard',
        'local unix - n n - - local',
        'virtual unix - n n - - virtual',
        'lmtp unix - - n - - lmtp',
        'anvil unix - - n - 1 anvil',
        'scache unix - - n - 1 scache',
        'postlog unix-dgram n - n - 1 postlogd',
      ],
      '',
    ].join('\n'),
  );
  const dv = join(dir, 'dovecot');
  mkdirSync(dv);
  const username = 'canary@new.test';
  const passwordFile = join(dir, 'canary.password');
  writeFileSync(passwordFile, 's3cret-canary\n', { mode: 0o600 });
  writeFileSync(join(dv, 'users'), `${username}:{PLAIN}s3cret-canary\n`);
  writeFileSync(
    join(dv, 'dovecot.conf'),
    `base_dir = ${dv}/run
state_dir = ${dv}/state
instance_name = sansang-test-${process.pid}
protocols = imap pop3
listen = 127.0.0.1
log_path = ${dv}/dovecot.log
ssl = yes
ssl_cert = <${cert}
ssl_key = <${key}
disable_plaintext_auth = yes
auth_mechanisms = plain login
mail_location = maildir:${mail}/%d/%n
first_valid_uid = 100
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dv}/users
}
userdb {
  driver = static
  args = uid=${NOBODY} gid=${NOBODY} home=${mail}/%d/%n
}
service imap-login {
  inet_listener imap {
    port = ${ports.imap}
  }
  inet_listener imaps {
    port = ${ports.imaps}
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = ${ports.pop3}
  }
  inet_listener pop3s {
    port = ${ports.pop3s}
    ssl = yes
  }
}
`,
  );
  const children: ChildProcess[] = [];
  const logs = () =>
    ['postfix/postfix.log', 'dovecot/dovecot.log']
      .map((f) => (existsSync(join(dir, f)) ? `${f}:\n${readFileSync(join(dir, f), 'utf8').slice(-3000)}` : `${f}: (none)`))
      .join('\n');
  const check = spawnSync('postfix', ['-c', pf, 'check'], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`postfix check failed (${check.status}): ${check.stderr}\n${logs()}`);
  // In the foreground, as our children: nothing is left running when the tests end.
  children.push(spawn('postfix', ['-c', pf, 'start-fg'], { stdio: 'ignore' }));
  children.push(spawn('dovecot', ['-F', '-c', join(dv, 'dovecot.conf')], { stdio: 'ignore' }));
  const lab: MailLab = {
    dir,
    tls,
    ports,
    username,
    passwordFile,
    delivered: (mailbox) =>
      ['new', 'cur']
        .map((sub) => join(mail, 'new.test', mailbox, sub))
        .reduce(
          (n, d) => n + (existsSync(d) ? spawnSync('ls', [d], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).length : 0),
          0,
        ),
    release: () => {
      for (const [cmd, args] of [
        ['postsuper', ['-c', pf, '-H', 'ALL']],
        ['postqueue', ['-c', pf, '-f']],
      ] as const) {
        const r = spawnSync(cmd, args, { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}\n${logs()}`);
      }
    },
    logs,
    close: async () => {
      spawnSync('postfix', ['-c', pf, 'stop'], { stdio: 'ignore' });
      for (const c of children) c.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      tls.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitListening(Object.values(ports), logs);
  } catch (e) {
    await lab.close();
    throw e;
  }
  return lab;
}

function uidOf(user: string): number {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`no user ${user}: apt-get install postfix`);
  return Number(line.split(':')[2]);
}
