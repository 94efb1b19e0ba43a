// What the board reads its states from: the agents' /status (embedded.ts) or the recording rules'
// conclusions in Prometheus (prometheus.ts). Both sit behind this interface, so the board never
// asks which one it has.
import type { HostFacts } from '../../inventory/index.ts';
import type { EvalContext } from './evaluate.ts';
import type { Evaluation } from './types.ts';

export interface HostFactsOfSite {
  site: string;
  host: HostFacts | null;
  error?: string;
}

export interface BoardSource {
  readonly mode: 'embedded' | 'prometheus';
  /** Queries sent to Prometheus so far (0 for a source that sends none). */
  readonly queriesSent: number;
  /** Reads the data once. Never throws: a failure shows as problems and UNKNOWN states. */
  poll(): Promise<void>;
  /** Every unit's view from the last poll. */
  evaluate(ctx: EvalContext): Evaluation;
  /** The last host facts of each of these sites' agents (asked of them when the source does not keep them). */
  hostFacts(sites: readonly { id: string; addresses: string[]; port: number }[]): Promise<HostFactsOfSite[]>;
  close(): void;
}
