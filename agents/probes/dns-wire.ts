// The record types a DNS probe may ask for, and just enough of the DNS wire format (RFC 1035)
// for a name's labels and a message's header: the probe's own check of what the network says
// (dns.ts asks through Node's resolver first) and the tests' stand-in DNS server.
export const RECORD_TYPES = { A: 1, NS: 2, CNAME: 5, MX: 15, TXT: 16, AAAA: 28, SRV: 33 } as const;
export type RecordType = keyof typeof RECORD_TYPES;

export function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.');
  const parts: Buffer[] = [];
  for (const l of labels) {
    const b = Buffer.from(l, 'ascii');
    if (b.length === 0 || b.length > 63) throw new Error(`bad DNS label in ${name}`);
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

export interface AnswerHeader {
  id: number;
  isResponse: boolean;
  rcode: number;
  truncated: boolean;
  questions: number;
  answers: number;
}

export function readHeader(msg: Buffer): AnswerHeader | null {
  if (msg.length < 12) return null;
  const flags = msg.readUInt16BE(2);
  return {
    id: msg.readUInt16BE(0),
    isResponse: (flags & 0x8000) !== 0,
    truncated: (flags & 0x0200) !== 0,
    rcode: flags & 0x000f,
    questions: msg.readUInt16BE(4),
    answers: msg.readUInt16BE(6),
  };
}
