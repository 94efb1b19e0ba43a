// The mail probes and the forwarding canary against Debian's Postfix and Dovecot on loopback (one
// set-up for the whole file, test-support/mail-servers.ts): SMTP with STARTTLS offered, required,
// TLS from the first byte and not offered; IMAP and POP3 with STARTTLS and TLS; the certificate's
// trust, name and expiry; a handshake that stalls; the canary forwarded, forwarded late (held in
// Postfix's queue past the limit), forwarded to the wrong mailbox, refused, and read with a wrong
// password or none.
import { readFileSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sayCause } from '../../inventory/index.ts';
import { startMailLab, type MailLab } from '../test-support/mail-servers.ts';
import { closedPort } from '../test-support/servers.ts';
import { probeMail, type MailSpec } from './mail.ts';
import { probeForward, type ForwardSpec } from './mail-forward.ts';
import type { ProbeContext } from './types.ts';

const ctx = (timeoutMs = 5000): ProbeContext => ({
  sourceAddress: '127.0.0.1',
  timeoutMs,
  signal: new AbortController().signal,
  path: { link: 'primary', gateway: '127.0.0.1', service: 'Thư điện tử', operator: 'DC1' },
});

let lab: MailLab;
let ca: string[];
beforeAll(async () => {
  lab = await startMailLab();
  ca = [readFileSync(lab.tls.certFile, 'utf8')];
}, 60_000);
afterAll(async () => lab?.close());

const spec = (protocol: MailSpec['protocol'], port: number, extra: Partial<MailSpec> = {}): MailSpec => ({
  protocol,
  host: '127.0.0.1',
  port,
  security: 'starttls',
  serverName: 'mail.new.test',
  ca,
  ...extra,
});

describe('mail probes against Postfix and Dovecot', () => {
  it('SMTP: the greeting read, STARTTLS (offered, and required on the submission port), TLS on the 465-like port', async () => {
    for (const [port, security] of [
      [lab.ports.smtp, 'starttls'],
      [lab.ports.submission, 'starttls'],
      [lab.ports.smtps, 'tls'],
    ] as const) {
      const r = await probeMail(spec('smtp', port, { security, expectGreeting: 'mail.new.test' }), ctx());
      expect(r, lab.logs()).toMatchObject({ success: true, mail: { greeting: expect.stringContaining('220 mail.new.test ESMTP') } });
      const days = (r.mail!.certExpiry!.getTime() - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(29);
      expect(days).toBeLessThan(31);
    }
  });

  it('IMAP and POP3: STARTTLS and TLS, the certificate seen', async () => {
    for (const [protocol, port, security] of [
      ['imap', lab.ports.imap, 'starttls'],
      ['imap', lab.ports.imaps, 'tls'],
      ['pop3', lab.ports.pop3, 'starttls'],
      ['pop3', lab.ports.pop3s, 'tls'],
    ] as const) {
      const r = await probeMail(spec(protocol, port, { security }), ctx());
      expect(r.success, `${protocol} ${port} ${security}: ${JSON.stringify(r)}\n${lab.logs()}`).toBe(true);
      expect(r.mail?.greeting).toMatch(protocol === 'imap' ? /^\* OK/ : /^\+OK/);
      expect(r.mail?.certExpiry?.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    }
  });

  it('a server that offers no STARTTLS fails, naming the port', async () => {
    const r = await probeMail(spec('smtp', lab.ports.smtpPlain), ctx());
    expect(r).toMatchObject({ success: false, cause: { kind: 'mail-no-starttls', protocol: 'smtp', port: lab.ports.smtpPlain } });
    expect(sayCause(r.cause!, 'vi').what).toContain(`cổng ${lab.ports.smtpPlain}`);
    // Without TLS asked for, the same server passes (and no certificate is seen).
    const plain = await probeMail(spec('smtp', lab.ports.smtpPlain, { security: 'none' }), ctx());
    expect(plain).toMatchObject({ success: true });
    expect(plain.mail?.certExpiry).toBeUndefined();
  });

  it('the certificate is checked: an untrusted CA, another name', async () => {
    const untrusted = await probeMail(spec('imap', lab.ports.imap, { ca: [] }), ctx());
    expect(untrusted).toMatchObject({ success: false, cause: { kind: 'tls', problem: 'untrusted' } });
    const name = await probeMail(spec('smtp', lab.ports.smtps, { security: 'tls', serverName: 'mail.other.test' }), ctx());
    expect(name).toMatchObject({ success: false, cause: { kind: 'tls', problem: 'name', name: 'mail.other.test' } });
  });

  it('another server answering (the greeting without the expected name) fails, quoting the greeting', async () => {
    const r = await probeMail(spec('smtp', lab.ports.smtp, { expectGreeting: 'mail.nghean.gov.vn' }), ctx());
    expect(r).toMatchObject({ success: false, cause: { kind: 'mail-greeting', expected: 'mail.nghean.gov.vn' } });
    expect(sayCause(r.cause!, 'vi').what).toContain('220 mail.new.test');
  });

  it('a greeting that refuses the session, a closed port and a server that never greets', async () => {
    // A server saying 554 at once (as a blocked client hears it).
    const refusing = net.createServer((c) => c.end('554 5.7.1 mail.new.test no service for you\r\n'));
    const silent = net.createServer(() => undefined);
    await Promise.all([refusing, silent].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
    try {
      const port = (s: net.Server) => (s.address() as AddressInfo).port;
      const r = await probeMail(spec('smtp', port(refusing)), ctx());
      expect(r).toMatchObject({ success: false, cause: { kind: 'mail-greeting', greeting: expect.stringContaining('554') } });
      expect(await probeMail(spec('pop3', await closedPort()), ctx())).toMatchObject({ success: false, cause: { kind: 'refused' } });
      const ac = new AbortController();
      const c = { ...ctx(400), signal: ac.signal };
      setTimeout(() => ac.abort(), 400);
      expect(await probeMail(spec('imap', port(silent)), c)).toMatchObject({
        success: false,
        cause: { kind: 'stalled', phase: 'response' },
      });
    } finally {
      for (const s of [refusing, silent]) s.close();
    }
  });

  it('a TLS handshake that stalls: after STARTTLS is agreed, and on a TLS port', async () => {
    // Greets, offers STARTTLS, agrees to it, then sends nothing more (a middlebox eating the handshake).
    const agrees = net.createServer((c) => {
      c.on('error', () => c.destroy());
      c.write('220 mail.new.test ESMTP\r\n');
      c.on('data', (d: Buffer) => {
        const l = d.toString('latin1').toUpperCase();
        if (l.startsWith('EHLO')) c.write('250-mail.new.test\r\n250 STARTTLS\r\n');
        else if (l.startsWith('STARTTLS')) c.write('220 2.0.0 Ready to start TLS\r\n');
      });
    });
    const silent = net.createServer((c) => c.on('error', () => c.destroy()));
    await Promise.all([agrees, silent].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
    try {
      const port = (s: net.Server) => (s.address() as AddressInfo).port;
      for (const [p, security] of [
        [port(agrees), 'starttls'],
        [port(silent), 'tls'],
      ] as const) {
        const ac = new AbortController();
        setTimeout(() => ac.abort(), 600);
        const r = await probeMail(spec('smtp', p, { security }), { ...ctx(600), signal: ac.signal });
        expect(r, security).toMatchObject({ success: false, cause: { kind: 'stalled', phase: 'tls' } });
        expect(sayCause(r.cause!, 'vi').what).toContain('TLS');
      }
    } finally {
      for (const s of [agrees, silent]) s.close();
    }
  });
});

describe('the forwarding canary against Postfix (virtual alias maps) and Dovecot (IMAP)', () => {
  const canary = (oldDomains: string[], extra: Partial<ForwardSpec> = {}): ForwardSpec => ({
    smtp: { host: '127.0.0.1', port: lab.ports.smtp, security: 'starttls', serverName: 'mail.new.test' },
    imap: { host: '127.0.0.1', port: lab.ports.imap, security: 'starttls', serverName: 'mail.new.test' },
    username: lab.username,
    passwordFile: 'canary.password',
    passwordPath: lab.passwordFile,
    from: 'canary@new.test',
    to: 'canary@new.test',
    oldAddresses: oldDomains.map((d) => `canary@${d}`),
    maxDelayMs: 1500,
    everyMs: 60_000,
    ca,
    ...extra,
  });

  it('mail to each old domain arrives in the new mailbox: the delay measured, the canaries deleted; one canary per `every`', async () => {
    const s = canary(['old-a.test', 'old-b.test']);
    const r = await probeForward(s, ctx(5000));
    expect(r, lab.logs()).toMatchObject({ success: true, forward: { to: 'canary@new.test' } });
    expect(r.forward!.delaySeconds).toBeGreaterThanOrEqual(0);
    expect(r.forward!.delaySeconds).toBeLessThan(1.5);
    // Found, then deleted: the mailbox does not fill up with canaries.
    expect(lab.delivered('canary')).toBe(0);
    // Within `every`, the last outcome stands and nothing is sent.
    expect(await probeForward(s, ctx(5000))).toBe(r);
  });

  it('forwarded to the wrong mailbox: not arrived past the limit, naming the old and the new address', async () => {
    const before = lab.delivered('lost');
    const r = await probeForward(canary(['old-lost.test']), ctx(3000));
    expect(r).toMatchObject({ success: false, cause: { kind: 'mail-not-forwarded', from: 'canary@old-lost.test', to: 'canary@new.test' } });
    const vi = sayCause(r.cause!, 'vi');
    expect(vi.what).toContain('canary@old-lost.test');
    expect(vi.fix).toContain('old-lost.test');
    expect(sayCause(r.cause!, 'en').what).toMatch(/did not reach the new mailbox canary@new\.test/);
    // Postfix did deliver it, elsewhere: the canary saw the real fault.
    expect(lab.delivered('lost')).toBe(before + 1);
  });

  it('forwarding delayed past the limit (Postfix holds the canary, then lets it go): late, the delay and the limit said', async () => {
    const s = canary(['old-slow.test']);
    const run = probeForward(s, ctx(15_000));
    // Held in Postfix's queue: not in the mailbox while the limit passes.
    await new Promise((r) => setTimeout(r, 2000));
    expect(lab.delivered('canary')).toBe(0);
    lab.release();
    const r = await run;
    expect(r, lab.logs()).toMatchObject({
      success: false,
      cause: { kind: 'mail-forward-slow', from: 'canary@old-slow.test', to: 'canary@new.test', limit: 1.5 },
    });
    const late = r.cause as { seconds: number };
    expect(late.seconds).toBeGreaterThanOrEqual(2);
    expect(r.forward?.delaySeconds).toBe(late.seconds);
    expect(sayCause(r.cause!, 'vi').what).toContain('canary@old-slow.test');
    expect(sayCause(r.cause!, 'en').what).toMatch(/took .* to reach canary@new\.test, limit 1\.5/);
    // Found, then deleted like any canary.
    expect(lab.delivered('canary')).toBe(0);
  });

  it('an old domain the server does not take mail for is refused at RCPT, quoting the server', async () => {
    const r = await probeForward(canary(['old-none.test']), ctx(3000));
    expect(r).toMatchObject({ success: false, cause: { kind: 'mail-rejected', address: 'canary@old-none.test' } });
    expect(sayCause(r.cause!, 'en').what).toMatch(/Relay access denied/);
  });

  it('a wrong password, or no password file: said as such', async () => {
    const wrong = `${lab.dir}/wrong.password`;
    writeFileSync(wrong, 'not-it\n');
    const r = await probeForward(canary(['old-a.test'], { passwordPath: wrong, passwordFile: 'wrong.password' }), ctx(3000));
    expect(r).toMatchObject({ success: false, cause: { kind: 'mail-auth', username: lab.username, file: 'wrong.password' } });
    const none = await probeForward(canary(['old-a.test'], { passwordPath: `${lab.dir}/none`, passwordFile: 'none' }), ctx(3000));
    expect(none).toMatchObject({ success: false, cause: { kind: 'file-unreadable', file: 'none' } });
  });
});
