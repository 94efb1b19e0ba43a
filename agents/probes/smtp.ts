// SMTP: the greeting read and judged, EHLO, STARTTLS (or TLS from the first byte on port 465) with
// the certificate checked and its expiry kept. The session itself is mail-session.ts'.
import { mailMetrics, mailSpec, mailStatus, probeMail } from './mail.ts';
import { probeKind } from './probe-kind.ts';

export const smtpKind = probeKind({
  kind: 'smtp',
  spec: (p, ctx) => mailSpec('smtp', p, ctx),
  probe: probeMail,
  files: ['caFile'],
  status: mailStatus,
  metrics: mailMetrics,
  record(m, { labels }, r) {
    if (r.tls?.certExpiry) m.tlsExpiry.set(labels, Date.parse(r.tls.certExpiry) / 1000);
    else m.tlsExpiry.remove(labels);
  },
});
