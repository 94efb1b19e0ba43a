// Team tokens for sign-offs and maintenance windows (`--tokens FILE`). The file is YAML (or
// JSON) mapping a team id to its token, written either in clear (at least 16 characters) or as
// a bcrypt hash of it (`$2b$…`, e.g. from `htpasswd -bnBC 10 "" TOKEN | tr -d ':\n'`):
//
//   ttdl: "$2b$10$Y6cJ0r…"            # bcrypt hash of the data center's token
//   vinh: "k6Qe2yP0c1-vinh-team-token"  # clear text, kept in a file only root can read
//
// A request carries `Authorization: Bearer TOKEN` and names its team (`team` in the body).
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import bcrypt from 'bcryptjs';
import { parse } from 'yaml';
import { InputError } from '../../inventory/index.ts';

const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;
const TEAM = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
export const MIN_TOKEN_LENGTH = 16;

const sha = (s: string): Buffer => createHash('sha256').update(s).digest();

export class TokenBook {
  /** Hashes of tokens already checked against a bcrypt entry, so each sign-off is not 100 ms of bcrypt. */
  private readonly verified = new Map<string, Buffer>();

  constructor(private readonly secrets: ReadonlyMap<string, string>) {}

  static empty(): TokenBook {
    return new TokenBook(new Map());
  }

  /** Parses the file's text; throws InputError naming the file and the bad entry. */
  static parse(text: string, file = '<tokens>'): TokenBook {
    let data: unknown;
    try {
      data = parse(text);
    } catch (e) {
      throw new InputError(`${file}: not YAML or JSON: ${(e as Error).message.split('\n')[0]}`);
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new InputError(`${file}: expected a map of team id to token, e.g. "ttdl: <token or bcrypt hash>"`);
    const m = new Map<string, string>();
    for (const [team, secret] of Object.entries(data as Record<string, unknown>)) {
      if (!TEAM.test(team)) throw new InputError(`${file}: "${team}" is not a team id (lower-case letters, digits, hyphens)`);
      if (typeof secret !== 'string') throw new InputError(`${file}: the token of team "${team}" must be a string`);
      if (!BCRYPT.test(secret) && secret.length < MIN_TOKEN_LENGTH) throw new InputError(`${file}: the token of team "${team}" is shorter than ${MIN_TOKEN_LENGTH} characters; use a longer one or its bcrypt hash`);
      m.set(team, secret);
    }
    return new TokenBook(m);
  }

  static async load(file: string): Promise<TokenBook> {
    return TokenBook.parse(await readFile(file, 'utf8'), file);
  }

  teams(): string[] {
    return [...this.secrets.keys()];
  }

  /** The team the token belongs to (the named team when given), or undefined. */
  async verify(token: string, team?: string): Promise<string | undefined> {
    if (!token) return undefined;
    const candidates = team ? [team] : this.teams();
    for (const t of candidates) if (await this.matches(t, token)) return t;
    return undefined;
  }

  private async matches(team: string, token: string): Promise<boolean> {
    const secret = this.secrets.get(team);
    if (secret === undefined) return false;
    const h = sha(token);
    if (!BCRYPT.test(secret)) return timingSafeEqual(h, sha(secret));
    const known = this.verified.get(team);
    if (known && timingSafeEqual(known, h)) return true;
    const ok = await bcrypt.compare(token, secret);
    if (ok) this.verified.set(team, h);
    return ok;
  }
}
