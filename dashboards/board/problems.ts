// The board's own blindness, said as the causes of inventory/remedies.ts say everything else.
import { causeTexts, type CauseOf } from '../../inventory/index.ts';
import type { Problem } from './types.ts';

type ProblemCause = CauseOf<'prometheus-unreachable'> | CauseOf<'rules-missing'> | CauseOf<'board-blind'> | CauseOf<'board-clock-off'>;

export function problemOf(c: ProblemCause): Problem {
  return { kind: c.kind, ...causeTexts(c) };
}
