// Prometheus' remote-write body, both ways, with no dependency: the WriteRequest protobuf
// (TimeSeries{Label name/value, Sample value/timestamp}) and snappy's block format. The agent
// writes it over a link the data center cannot reach (agents/push/); the board reads it to check
// every series is the pushing site's own before it forwards the body, unchanged, to Prometheus'
// receiver (dashboards/board/push.ts). Shared here, like the status document, so both sides
// speak the same bytes. Only the fields Prometheus 2.x reads are written (no metadata, no
// exemplars); unknown fields are skipped when reading.

export interface RemoteSample {
  labels: Record<string, string>;
  value: number;
  /** Milliseconds since the epoch. */
  ms: number;
}

// ---------------------------------------------------------------- protobuf

function varint(n: number, out: number[]): void {
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

function field(tag: number, body: Buffer): Buffer {
  const head: number[] = [tag];
  varint(body.length, head);
  return Buffer.concat([Buffer.from(head), body]);
}

/** One TimeSeries message (field 1 of WriteRequest), its labels sorted by name as Prometheus wants them. */
function timeSeries(labels: Record<string, string>, samples: readonly { value: number; ms: number }[]): Buffer {
  const parts: Buffer[] = [];
  for (const name of Object.keys(labels).sort())
    parts.push(field(0x0a, Buffer.concat([field(0x0a, Buffer.from(name)), field(0x12, Buffer.from(labels[name]!))])));
  for (const s of samples) {
    const b: number[] = [0x09];
    const d = Buffer.alloc(8);
    d.writeDoubleLE(s.value);
    b.push(...d, 0x10);
    varint(Math.round(s.ms), b);
    parts.push(field(0x12, Buffer.from(b)));
  }
  return field(0x0a, Buffer.concat(parts));
}

/**
 * The WriteRequest of these samples (uncompressed). Two WriteRequests concatenated are one
 * WriteRequest holding both (repeated fields), which is how a backlog is sent in one request.
 */
export function encodeWriteRequest(samples: readonly RemoteSample[]): Buffer {
  // Samples of one series (same labels) go into one TimeSeries, in time order.
  const bySeries = new Map<string, { labels: Record<string, string>; samples: { value: number; ms: number }[] }>();
  for (const s of samples) {
    const key = JSON.stringify(Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const e = bySeries.get(key) ?? { labels: s.labels, samples: [] };
    e.samples.push({ value: s.value, ms: s.ms });
    bySeries.set(key, e);
  }
  return Buffer.concat(
    [...bySeries.values()].map((e) =>
      timeSeries(
        e.labels,
        e.samples.sort((a, b) => a.ms - b.ms),
      ),
    ),
  );
}

export class RemoteWriteError extends Error {}

class Reader {
  at = 0;
  constructor(
    readonly b: Buffer,
    readonly end = b.length,
  ) {}
  varint(): number {
    let n = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.at >= this.end) throw new RemoteWriteError('truncated varint');
      const byte = this.b[this.at++]!;
      n += (byte & 0x7f) * mul;
      if (byte < 0x80) return n;
      mul *= 0x80;
    }
    throw new RemoteWriteError('varint too long');
  }
  /** The next field's number and wire type, and for length-delimited ones a reader of its bytes. */
  next(): { no: number; type: number; sub?: Reader; value?: number } {
    const key = this.varint();
    const no = Math.floor(key / 8);
    const type = key & 7;
    switch (type) {
      case 0:
        return { no, type, value: this.varint() };
      case 1: {
        if (this.at + 8 > this.end) throw new RemoteWriteError('truncated double');
        const value = this.b.readDoubleLE(this.at);
        this.at += 8;
        return { no, type, value };
      }
      case 2: {
        const len = this.varint();
        if (this.at + len > this.end) throw new RemoteWriteError('truncated field');
        const sub = new Reader(this.b, this.at + len);
        sub.at = this.at;
        this.at += len;
        return { no, type, sub };
      }
      case 5:
        if (this.at + 4 > this.end) throw new RemoteWriteError('truncated fixed32');
        this.at += 4;
        return { no, type };
      default:
        throw new RemoteWriteError(`wire type ${type} is not valid here`);
    }
  }
  text(): string {
    return this.b.toString('utf8', this.at, this.end);
  }
  get done(): boolean {
    return this.at >= this.end;
  }
}

export interface DecodedSeries {
  labels: Record<string, string>;
  samples: { value: number; ms: number }[];
}

/** Reads a WriteRequest (uncompressed): its series with their labels and samples. Throws RemoteWriteError when malformed. */
export function decodeWriteRequest(body: Buffer): DecodedSeries[] {
  const out: DecodedSeries[] = [];
  const r = new Reader(body);
  while (!r.done) {
    const f = r.next();
    if (f.no !== 1 || !f.sub) continue;
    const ts: DecodedSeries = { labels: {}, samples: [] };
    while (!f.sub.done) {
      const g = f.sub.next();
      if (g.no === 1 && g.sub) {
        let name = '';
        let value = '';
        while (!g.sub.done) {
          const h = g.sub.next();
          if (h.sub && h.no === 1) name = h.sub.text();
          if (h.sub && h.no === 2) value = h.sub.text();
        }
        ts.labels[name] = value;
      } else if (g.no === 2 && g.sub) {
        const s = { value: NaN, ms: 0 };
        while (!g.sub.done) {
          const h = g.sub.next();
          if (h.no === 1 && h.type === 1) s.value = h.value!;
          if (h.no === 2 && h.type === 0) s.ms = h.value!;
        }
        ts.samples.push(s);
      }
    }
    out.push(ts);
  }
  return out;
}

// ---------------------------------------------------------------- snappy (block format)

/**
 * Snappy's block format with literals only (no back-references): valid snappy that every reader
 * decodes, somewhat larger than a real compressor's output, and costing no CPU to write.
 */
export function snappyEncode(raw: Buffer): Buffer {
  const head: number[] = [];
  varint(raw.length, head);
  const parts: Buffer[] = [Buffer.from(head)];
  const MAX = 65536;
  for (let at = 0; at < raw.length; at += MAX) {
    const chunk = raw.subarray(at, Math.min(raw.length, at + MAX));
    const n = chunk.length - 1;
    // A literal's length: 60 = one byte follows, 61 = two bytes follow (little-endian).
    parts.push(n < 60 ? Buffer.from([n << 2]) : n < 256 ? Buffer.from([60 << 2, n]) : Buffer.from([61 << 2, n & 0xff, n >> 8]), chunk);
  }
  return Buffer.concat(parts);
}

/** Snappy block decoding (literals and copies, as Prometheus and every other writer make them). */
export function snappyDecode(src: Buffer, maxBytes = 64 << 20): Buffer {
  const r = new Reader(src);
  const length = r.varint();
  if (length > maxBytes) throw new RemoteWriteError(`snappy: ${length} bytes is more than the ${maxBytes} allowed`);
  const dst = Buffer.alloc(length);
  let d = 0;
  let s = r.at;
  const need = (n: number) => {
    if (s + n > src.length) throw new RemoteWriteError('snappy: truncated input');
  };
  while (s < src.length) {
    const tag = src[s++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >> 2;
      if (len >= 60) {
        const bytes = len - 59;
        need(bytes);
        len = 0;
        for (let i = 0; i < bytes; i++) len += src[s + i]! * 2 ** (8 * i);
        s += bytes;
      }
      len += 1;
      need(len);
      if (d + len > length) throw new RemoteWriteError('snappy: literal past the end');
      src.copy(dst, d, s, s + len);
      s += len;
      d += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      need(1);
      len = ((tag >> 2) & 7) + 4;
      offset = ((tag >> 5) << 8) | src[s++]!;
    } else if (kind === 2) {
      need(2);
      len = (tag >> 2) + 1;
      offset = src.readUInt16LE(s);
      s += 2;
    } else {
      need(4);
      len = (tag >> 2) + 1;
      offset = src.readUInt32LE(s);
      s += 4;
    }
    if (offset === 0 || offset > d || d + len > length) throw new RemoteWriteError('snappy: bad copy');
    // Copies may overlap their own output: byte by byte.
    for (let i = 0; i < len; i++, d++) dst[d] = dst[d - offset]!;
  }
  if (d !== length) throw new RemoteWriteError('snappy: shorter than announced');
  return dst;
}
