// A site's push token (agents/push/): derived from the province's push secret, so a board checks
// a pushing agent with one HMAC instead of a table of thousands of tokens or a bcrypt hash per
// request (13,000 agents reconnecting at once must not cost a bcrypt each). The secret stays in
// the data centers and on the machine that makes the kits; a kit carries its own site's token
// only, which pushes for that site and no other.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The token of `site` under the province's `secret` (hex). */
export function pushToken(secret: string | Buffer, site: string): string {
  return createHmac('sha256', secret).update(`sansang-push\0${site}`).digest('hex');
}

/** Whether `token` is the site's token, in constant time. */
export function pushTokenValid(secret: string | Buffer, site: string, token: string): boolean {
  const want = Buffer.from(pushToken(secret, site));
  const got = Buffer.from(token);
  return got.length === want.length && timingSafeEqual(got, want);
}

/** A secret file's text as the secret: surrounding white space (a final new line) is not part of it. */
export function readSecretText(text: string): string {
  const s = text.trim();
  if (s.length < 16) throw new Error('the push secret must be at least 16 characters');
  return s;
}
