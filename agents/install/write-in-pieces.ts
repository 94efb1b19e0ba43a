// Writing the agent's executable so that it runs in as little memory as the bundle.
//
// One write() of the whole ~100 MB file lets the kernel's page cache hold it in large folios
// (Linux 6.x, ext4/xfs: a buffered write gets folios as large as the write, up to 2 MB). When the
// program then runs from that cache, each page fault maps a whole folio into it: the executable
// measured 17 MB more resident file pages (its own .rodata and .text) than the same code read back
// from disk or written in small pieces (bench/README.md, "The single executable"). Written in
// pieces of 64 KB (the kernel's fault-around size), its start-up touches what `node`'s does.
import { open } from 'node:fs/promises';

/** The largest piece written at once: no page-cache folio of the file is larger. */
export const PIECE = 64 * 1024;

/** Writes `data` to `file` (created or truncated, `mode` when created) in pieces of at most PIECE bytes. */
export async function writeFileInPieces(file: string, data: Uint8Array, mode = 0o644): Promise<void> {
  const fh = await open(file, 'w', mode);
  try {
    for (let at = 0; at < data.length;) {
      const { bytesWritten } = await fh.write(data, at, Math.min(PIECE, data.length - at), at);
      at += bytesWritten;
    }
  } finally {
    await fh.close();
  }
}
