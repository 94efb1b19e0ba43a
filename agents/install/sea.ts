// The agent as one Linux x64 executable for a PC without Node: Node's single-executable
// application (SEA). `node --experimental-sea-config` turns the bundle into a blob; the blob goes
// into a copy of this Node's own binary as an ELF note named NODE_SEA_BLOB, and the binary's SEA
// fuse is flipped, so it runs the bundle instead of reading its command line as Node's.
//
// postject (the usual injector) is not among the project's packages, so the injection is done
// here, the one way the Node binary finds the blob (postject_find_resource: the PT_NOTE segments
// of the main program, as dl_iterate_phdr reports them, in memory). A note must be loaded to be
// found, and the program header table has no room for two more entries where it is (right after
// the ELF header, followed by .interp), so:
//   1. the blob's note and a new, larger program header table are appended at a page boundary;
//   2. a new PT_LOAD (read-only) maps them, at the file offset plus the image's base, so the
//      kernel's AT_PHDR (old kernels: base + e_phoff; new ones: the load holding e_phoff) and
//      PT_PHDR agree; it is placed after every other load, and refused if it would overlap one;
//   3. PT_PHDR and e_phoff/e_phnum point at the new table, which adds that PT_LOAD after the last
//      load (loads stay sorted by address) and a PT_NOTE for the blob at its end.
// Nothing in the original image moves: the sections, their headers and every old segment keep
// their offsets and addresses; only the ELF header's phoff/phnum and 1 byte of the fuse change.
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../inventory/index.ts';
import { writeFileInPieces } from './write-in-pieces.ts';

/** The fuse Node's SEA code checks; postject flips its last character from 0 to 1. */
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:';
const NOTE_NAME = 'NODE_SEA_BLOB';
const PT_LOAD = 1;
const PT_NOTE = 4;
const PT_PHDR = 6;
const PF_R = 4;
const PHDR_SIZE = 56;
const PAGE = 0x1000;

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

interface Phdr {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
  align: number;
}

function readPhdr(b: Buffer, at: number): Phdr {
  const n = (o: number) => Number(b.readBigUInt64LE(at + o));
  return {
    type: b.readUInt32LE(at),
    flags: b.readUInt32LE(at + 4),
    offset: n(8),
    vaddr: n(16),
    paddr: n(24),
    filesz: n(32),
    memsz: n(40),
    align: n(48),
  };
}

function writePhdr(b: Buffer, at: number, p: Phdr): void {
  b.writeUInt32LE(p.type, at);
  b.writeUInt32LE(p.flags, at + 4);
  const n = (o: number, v: number) => b.writeBigUInt64LE(BigInt(v), at + o);
  n(8, p.offset);
  n(16, p.vaddr);
  n(24, p.paddr);
  n(32, p.filesz);
  n(40, p.memsz);
  n(48, p.align);
}

/** One ELF note: header, the name (NUL-terminated, padded to 4), the blob (padded to 4). */
function note(blob: Buffer): Buffer {
  const name = Buffer.from(`${NOTE_NAME}\0`);
  const nameLen = alignUp(name.length, 4);
  const out = Buffer.alloc(12 + nameLen + alignUp(blob.length, 4));
  out.writeUInt32LE(name.length, 0);
  out.writeUInt32LE(blob.length, 4);
  out.writeUInt32LE(0, 8);
  name.copy(out, 12);
  blob.copy(out, 12 + nameLen);
  return out;
}

/** A copy of `node` (its bytes) with `blob` injected and the fuse flipped; throws InputError when the binary does not fit. */
export function injectSeaBlob(node: Buffer, blob: Buffer): Buffer {
  const why = (s: string) => new InputError(`cannot make the agent's executable from ${process.execPath}: ${s}`);
  if (node.readUInt32BE(0) !== 0x7f454c46 || node[4] !== 2 || node[5] !== 1) throw why('not a 64-bit little-endian ELF file');
  if (node.readUInt16LE(0x12) !== 0x3e) throw why('not an x86-64 binary');
  const fuseAt = node.indexOf(`${FUSE}0`);
  if (fuseAt < 0) throw why(node.includes(`${FUSE}1`) ? 'it is already a single executable' : 'this Node has no single-executable support');
  if (node.indexOf(`${FUSE}0`, fuseAt + 1) >= 0) throw why('the SEA fuse appears twice');
  const phoff = Number(node.readBigUInt64LE(0x20));
  const phnum = node.readUInt16LE(0x38);
  if (node.readUInt16LE(0x36) !== PHDR_SIZE) throw why('unexpected program header size');
  const phdrs = Array.from({ length: phnum }, (_, i) => readPhdr(node, phoff + i * PHDR_SIZE));
  const loads = phdrs.filter((p) => p.type === PT_LOAD);
  if (!loads.length || phdrs.some((p) => p.type === PT_NOTE && p.offset >= node.length)) throw why('no loadable segment');
  const base = loads[0]!.vaddr - loads[0]!.offset;
  const highest = Math.max(...loads.map((p) => p.vaddr + p.memsz));

  const payload = note(blob);
  const tableSize = (phnum + 2) * PHDR_SIZE;
  const at = alignUp(node.length, PAGE);
  const vaddr = base + at;
  if (vaddr < alignUp(highest, PAGE)) throw why('the appended segment would overlap the image');
  const segSize = tableSize + payload.length;
  const added: Phdr = { type: PT_LOAD, flags: PF_R, offset: at, vaddr, paddr: vaddr, filesz: segSize, memsz: segSize, align: PAGE };
  const blobNote: Phdr = {
    type: PT_NOTE,
    flags: PF_R,
    offset: at + tableSize,
    vaddr: vaddr + tableSize,
    paddr: vaddr + tableSize,
    filesz: payload.length,
    memsz: payload.length,
    align: 4,
  };
  const lastLoad = phdrs.lastIndexOf(loads[loads.length - 1]!);
  const table: Phdr[] = [...phdrs.slice(0, lastLoad + 1), added, ...phdrs.slice(lastLoad + 1), blobNote].map((p) =>
    p.type === PT_PHDR ? { ...p, offset: at, vaddr, paddr: vaddr, filesz: tableSize, memsz: tableSize } : p,
  );

  const out = Buffer.alloc(at + segSize);
  node.copy(out);
  out.write('1', fuseAt + FUSE.length, 'latin1');
  out.writeBigUInt64LE(BigInt(at), 0x20);
  out.writeUInt16LE(table.length, 0x38);
  table.forEach((p, i) => writePhdr(out, at + i * PHDR_SIZE, p));
  payload.copy(out, at + tableSize);
  return out;
}

/** Writes the single executable of `bundle` (the agent's CommonJS bundle) to `outfile`, mode 755. */
export async function buildExecutable(bundle: string, outfile: string, node = process.execPath): Promise<void> {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new InputError(
      `the agent's executable is made for Linux x64, from a Node of that platform (this one is ${process.platform}-${process.arch})`,
    );
  const dir = await mkdtemp(join(tmpdir(), 'sansang-sea-'));
  try {
    const blob = join(dir, 'agent.blob');
    const config = join(dir, 'sea-config.json');
    await writeFile(config, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true }));
    execFileSync(node, ['--experimental-sea-config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    const image = injectSeaBlob(await readFile(node), await readFile(blob));
    // In pieces: written whole, it would run from large page-cache folios (write-in-pieces.ts).
    await writeFileInPieces(outfile, image, 0o755);
    await chmod(outfile, 0o755);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
