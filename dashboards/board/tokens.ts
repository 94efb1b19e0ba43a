// Team tokens for sign-offs and maintenance windows (`--tokens FILE`). The file is YAML (or
// JSON) mapping a team id to its token, written either in clear (at least 16 characters) or as
// a bcrypt hash of it (`$2b$…`, e.g. from `htpasswd -bnBC 10 "" TOKEN | tr -d ':\n'`), with an
// optional expiry:
//
//   ttdl: "$2b$10$Y6cJ0r…"            # bcrypt hash of the data center's token
//   vinh: "k6Qe2yP0c1-vinh-team-token"  # clear text, kept in a file only root can read
//   duty: { token: "…", expires: 2025-07-08T00:00:00+07:00 }
//
// A request carries `Authorization: Bearer TOKEN` and names its team (`team` in the body). A
// team acts only for the units the inventory's `teams` gives it (board.ts checks that).
// `reload()` reads the file again (the board does on SIGHUP): a token taken out stops working.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { BcryptGate, InputError, type GateVerdict } from '../../inventory/index.ts';

const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;
const TEAM = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
export const MIN_TOKEN_LENGTH = 16;

const sha = (s: string): Buffer => createHash('sha256').update(s).digest();

/** A token could not be checked now: bcrypt has used its share of the board's time (answer 429). */
export class TokenCheckBusy extends Error {
  override name = 'TokenCheckBusy';
}

interface Secret {
  secret: string;
  /** Unix ms after which the token no longer works. */
  expiresMs?: number;
}

export class TokenBook {
  /**
   * bcrypt entries are checked through a gate: a token once checked is answered from memory, so
   * each sign-off is not 100 ms of bcrypt, and a stream of wrong tokens cannot take the board over.
   */
  constructor(
    private secrets: ReadonlyMap<string, Secret>,
    private readonly gate = new BcryptGate(),
    /** The file it was read from, for reload(). */
    readonly file?: string,
  ) {}

  static empty(): TokenBook {
    return new TokenBook(new Map());
  }

  /** Reads the file again and takes its tokens in place of the old ones; throws (keeping the old) when it is wrong. */
  async reload(): Promise<string[]> {
    if (!this.file) return this.teams();
    const next = TokenBook.parse(await readFile(this.file, 'utf8'), this.file);
    this.secrets = next.secrets;
    return this.teams();
  }

  /** Parses the file's text; throws InputError naming the file and the bad entry. */
  static parse(text: string, file = '<tokens>', gate?: BcryptGate): TokenBook {
    let data: unknown;
    try {
      data = parse(text);
    } catch (e) {
      throw new InputError(`${file}: not YAML or JSON: ${(e as Error).message.split('\n')[0]}`);
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data))
      throw new InputError(`${file}: expected a map of team id to token, e.g. "ttdl: <token or bcrypt hash>"`);
    const m = new Map<string, Secret>();
    for (const [team, value] of Object.entries(data as Record<string, unknown>)) {
      if (!TEAM.test(team)) throw new InputError(`${file}: "${team}" is not a team id (lower-case letters, digits, hyphens)`);
      const entry = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : { token: value }) as Record<
        string,
        unknown
      >;
      const extra = Object.keys(entry).filter((k) => k !== 'token' && k !== 'expires');
      if (extra.length) throw new InputError(`${file}: team "${team}": unknown key "${extra[0]}" (a team has token and expires)`);
      const secret = entry.token;
      if (typeof secret !== 'string') throw new InputError(`${file}: the token of team "${team}" must be a string`);
      if (!BCRYPT.test(secret) && secret.length < MIN_TOKEN_LENGTH)
        throw new InputError(
          `${file}: the token of team "${team}" is shorter than ${MIN_TOKEN_LENGTH} characters; use a longer one or its bcrypt hash`,
        );
      let expiresMs: number | undefined;
      if (entry.expires !== undefined) {
        // YAML reads an unquoted date and time as a Date.
        expiresMs =
          entry.expires instanceof Date ? entry.expires.getTime() : typeof entry.expires === 'string' ? Date.parse(entry.expires) : NaN;
        if (Number.isNaN(expiresMs))
          throw new InputError(`${file}: team "${team}": expires must be a date and time such as 2025-07-08T00:00:00+07:00`);
      }
      m.set(team, expiresMs === undefined ? { secret } : { secret, expiresMs });
    }
    return new TokenBook(m, gate);
  }

  static async load(file: string): Promise<TokenBook> {
    const book = TokenBook.parse(await readFile(file, 'utf8'), file);
    return new TokenBook(book.secrets, undefined, file);
  }

  /** The teams with a token that works now. */
  teams(nowMs = Date.now()): string[] {
    return [...this.secrets].filter(([, s]) => s.expiresMs === undefined || nowMs < s.expiresMs).map(([t]) => t);
  }

  /**
   * The team the token belongs to (the named team when given), or undefined. Throws
   * TokenCheckBusy when a bcrypt entry would have to be checked and the gate says not now.
   */
  async verify(token: string, team?: string, source = ''): Promise<string | undefined> {
    if (!token) return undefined;
    const candidates = team ? [team] : this.teams();
    let busy = false;
    for (const t of candidates) {
      const v = await this.matches(t, token, source);
      if (v === 'ok') return t;
      if (v === 'busy') busy = true;
    }
    if (busy) throw new TokenCheckBusy('too many token checks at once: try again in a few seconds');
    return undefined;
  }

  private async matches(team: string, token: string, source: string): Promise<GateVerdict> {
    const entry = this.secrets.get(team);
    if (entry === undefined || (entry.expiresMs !== undefined && Date.now() >= entry.expiresMs)) return 'denied';
    const { secret } = entry;
    if (!BCRYPT.test(secret)) return timingSafeEqual(sha(token), sha(secret)) ? 'ok' : 'denied';
    // The hash is part of what the gate remembers: after a reload changes it, the old token is checked afresh.
    return this.gate.check(`${team}\u0000${token}\u0000${secret}`, token, secret, source);
  }
}
