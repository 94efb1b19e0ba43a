// How a running program's own file is held in the page cache: its resident pages and the largest
// folio they belong to (a compound page: a head and its tails), from /proc/PID/pagemap and
// /proc/kpageflags.
// A page of a large folio is mapped with the whole folio on the first fault, which is what made
// the single executable use 17 MB more than `node` (agents/install/write-in-pieces.ts). Root only:
// without CAP_SYS_ADMIN the kernel hides page frame numbers.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

const PAGE = 4096;
const PRESENT = 1n << 63n;
const PFN_MASK = (1n << 55n) - 1n;
const KPF_COMPOUND_HEAD = 1n << 15n;
const KPF_COMPOUND_TAIL = 1n << 16n;

export interface FileFolios {
  /** Resident pages of the file's mappings in the process. */
  resident: number;
  /** The largest folio holding one of them, in bytes (4096 when none is a large folio). */
  largestFolio: number;
}

export function fileFolios(pid: number, file: string): FileFolios {
  const ranges = readFileSync(`/proc/${pid}/maps`, 'utf8')
    .split('\n')
    .map((l) => /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && m[3] === file)
    .map((m) => [parseInt(m[1]!, 16), parseInt(m[2]!, 16)] as const);
  if (!ranges.length) throw new Error(`${file} is not mapped by process ${pid}`);
  const pagemap = openSync(`/proc/${pid}/pagemap`, 'r');
  const flags = openSync('/proc/kpageflags', 'r');
  const word = Buffer.alloc(8);
  const flagsOf = (pfn: number): bigint => {
    readSync(flags, word, 0, 8, pfn * 8);
    return word.readBigUInt64LE(0);
  };
  let resident = 0;
  let largestFolio = PAGE;
  // The last folio measured: [first, end) page frames (a folio's pages are mapped in a row).
  let folio = { first: -1, end: -1 };
  try {
    for (const [from, to] of ranges) {
      const entries = Buffer.alloc(((to - from) / PAGE) * 8);
      readSync(pagemap, entries, 0, entries.length, (from / PAGE) * 8);
      for (let i = 0; i < entries.length; i += 8) {
        const e = entries.readBigUInt64LE(i);
        if (!(e & PRESENT)) continue;
        const pfn = e & PFN_MASK;
        if (pfn === 0n) throw new Error('page frame numbers are hidden: run as root (bash test/run.sh)');
        resident++;
        const at = Number(pfn);
        if ((at >= folio.first && at < folio.end) || !(flagsOf(at) & (KPF_COMPOUND_HEAD | KPF_COMPOUND_TAIL))) continue;
        let first = at;
        while (!(flagsOf(first) & KPF_COMPOUND_HEAD)) first--;
        let end = first + 1;
        while (flagsOf(end) & KPF_COMPOUND_TAIL) end++;
        folio = { first, end };
        largestFolio = Math.max(largestFolio, (end - first) * PAGE);
      }
    }
  } finally {
    closeSync(pagemap);
    closeSync(flags);
  }
  return { resident, largestFolio };
}
