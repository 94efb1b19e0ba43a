// Prometheus remote-write, as a load generator needs it: the WriteRequest protobuf written by hand
// (TimeSeries{Label name/value, Sample value/timestamp}) and framed as a snappy block. The block
// holds literals only (no back-references): valid snappy that every reader decodes, a little
// larger on the wire than Prometheus' own, and no cheaper for the store to ingest. A series'
// labels are encoded once; each sample adds 18 bytes.
import http from 'node:http';

function varint(n: number, out: number[]): void {
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

function lenDelimited(tag: number, body: Buffer): Buffer {
  const head: number[] = [tag];
  varint(body.length, head);
  return Buffer.concat([Buffer.from(head), body]);
}

/** Labels sorted by name, as Prometheus sends them. */
export function encodeLabels(labels: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const name of Object.keys(labels).sort()) {
    const label = Buffer.concat([lenDelimited(0x0a, Buffer.from(name)), lenDelimited(0x12, Buffer.from(labels[name]!))]);
    parts.push(lenDelimited(0x0a, label));
  }
  return Buffer.concat(parts);
}

/** Bytes of one Sample message once wrapped: tag, length, double, tag, 6-byte varint millisecond timestamp. */
const SAMPLE_BYTES = 1 + 1 + 1 + 8 + 1 + 6;

/**
 * Writes TimeSeries messages of one sample each into a reusable buffer: `add(labels, value, ms)`
 * then `take()` for the WriteRequest body.
 */
export class WriteRequestBuilder {
  private buf: Buffer;
  private at = 0;
  count = 0;

  constructor(capacity = 8 << 20) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  add(labels: Buffer, value: number, ms: number): void {
    const body = labels.length + SAMPLE_BYTES;
    const need = 1 + 5 + body;
    if (this.at + need > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + need));
      this.buf.copy(bigger, 0, 0, this.at);
      this.buf = bigger;
    }
    const b = this.buf;
    b[this.at++] = 0x0a;
    let n = body;
    while (n >= 0x80) {
      b[this.at++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    b[this.at++] = n;
    labels.copy(b, this.at);
    this.at += labels.length;
    b[this.at++] = 0x12;
    b[this.at++] = SAMPLE_BYTES - 2;
    b[this.at++] = 0x09;
    b.writeDoubleLE(value, this.at);
    this.at += 8;
    b[this.at++] = 0x10;
    // Milliseconds since 1970 fit six varint bytes until the year 4199.
    let t = ms;
    for (let i = 0; i < 5; i++) {
      b[this.at++] = (t % 0x80) | 0x80;
      t = Math.floor(t / 0x80);
    }
    b[this.at++] = t;
    this.count++;
  }

  /** The WriteRequest so far, as a snappy block; the builder starts again empty. */
  take(): Buffer {
    const out = snappyLiterals(this.buf.subarray(0, this.at));
    this.at = 0;
    this.count = 0;
    return out;
  }
}

/** A snappy block made of literals: the uncompressed length, then chunks of at most 64 KiB. */
export function snappyLiterals(data: Buffer): Buffer {
  const head: number[] = [];
  varint(data.length, head);
  const parts: Buffer[] = [Buffer.from(head)];
  for (let i = 0; i < data.length; i += 65536) {
    const chunk = data.subarray(i, Math.min(i + 65536, data.length));
    const n = chunk.length - 1;
    // Tag 61 << 2: the length less one in the next two bytes.
    parts.push(n < 60 ? Buffer.from([n << 2]) : Buffer.from([61 << 2, n & 0xff, n >>> 8]), chunk);
  }
  return Buffer.concat(parts);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

/** POSTs one remote-write body; rejects on anything but 2xx. */
export function postWrite(url: string, body: Buffer): Promise<void> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      u,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-protobuf',
          'content-encoding': 'snappy',
          'x-prometheus-remote-write-version': '0.1.0',
          'content-length': body.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          res.statusCode && res.statusCode < 300
            ? resolve()
            : reject(new Error(`${url}: HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
