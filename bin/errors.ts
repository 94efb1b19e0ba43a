// How the command line ends on an error: one clear message, never a stack trace for bad input.
import { InputError, InventoryError, formatProblem } from '../inventory/index.ts';

/** A mistake in how the command was called or in what it was given; exit 1 with the message. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Prints the error for a person and returns the exit code. */
export function reportError(e: unknown): number {
  if (e instanceof InventoryError) {
    for (const p of e.problems) process.stderr.write(`${formatProblem(p)}\n`);
    return 1;
  }
  if (e instanceof UsageError || e instanceof InputError) {
    process.stderr.write(`sansang: ${e.message}\n`);
    return 1;
  }
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && typeof err.path === 'string') {
    process.stderr.write(`sansang: ${err.path}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}\n`);
    return 1;
  }
  // A bug of ours: say so, with the stack, so it can be reported.
  process.stderr.write(`sansang: internal error, please report it:\n${err?.stack ?? String(e)}\n`);
  return 70;
}
