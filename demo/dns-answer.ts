// A minimal DNS responder for the demo's DNS stand-in: answers every A question with one
// address, other types with an empty NOERROR answer. Malformed packets are ignored.

/** Builds the response to a DNS query, or null when the packet is not a query we can read. */
export function answerDnsQuery(query: Buffer, ipv4: string): Buffer | null {
  if (query.length < 12) return null;
  const flags = query.readUInt16BE(2);
  if (flags & 0x8000) return null; // a response, not a query
  if (query.readUInt16BE(4) !== 1) return null; // exactly one question
  // Walk the question name (labels only; queries do not compress).
  let off = 12;
  for (let guard = 0; guard < 128; guard++) {
    if (off >= query.length) return null;
    const len = query[off]!;
    if (len === 0) break;
    if (len & 0xc0) return null;
    off += len + 1;
  }
  off += 1;
  if (off + 4 > query.length) return null;
  const qtype = query.readUInt16BE(off);
  const question = query.subarray(12, off + 4);
  const isA = qtype === 1;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0); // id
  header.writeUInt16BE(0x8000 | (flags & 0x0100) | 0x0400 | 0x0080, 2); // QR, RD copied, AA, RA
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(isA ? 1 : 0, 6);
  if (!isA) return Buffer.concat([header, question]);
  const answer = Buffer.alloc(16);
  answer.writeUInt16BE(0xc00c, 0); // pointer to the question name
  answer.writeUInt16BE(1, 2); // A
  answer.writeUInt16BE(1, 4); // IN
  answer.writeUInt32BE(30, 6); // TTL
  answer.writeUInt16BE(4, 10);
  ipv4.split('.').forEach((o, i) => answer.writeUInt8(Number(o), 12 + i));
  return Buffer.concat([header, question, answer]);
}
