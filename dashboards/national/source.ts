// Reads the national store: the six queries of queries.ts at once, every refresh. Never throws: a
// store that cannot be read leaves no results and a problem, and every province UNKNOWN.
import { instantQuery, type VectorSample } from '../board/prom-client-http.ts';
import { NATIONAL_QUERIES, type NationalQuery } from './queries.ts';

export type NationalResults = { [K in NationalQuery]: VectorSample[] };

export interface NationalRead {
  results: NationalResults | null;
  /** Why there are no results. */
  error: string | null;
  /** When the read began (ms). */
  atMs: number;
}

export class NationalSource {
  /** Queries sent so far: the tests and the bench check they do not grow with the units. */
  queriesSent = 0;

  constructor(
    readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  async read(nowMs = Date.now()): Promise<NationalRead> {
    const keys = Object.keys(NATIONAL_QUERIES) as NationalQuery[];
    this.queriesSent += keys.length;
    try {
      const values = await Promise.all(keys.map((k) => instantQuery(this.url, NATIONAL_QUERIES[k], this.timeoutMs)));
      return { results: Object.fromEntries(keys.map((k, i) => [k, values[i]])) as NationalResults, error: null, atMs: nowMs };
    } catch (e) {
      return { results: null, error: (e as Error).message, atMs: nowMs };
    }
  }
}
