// API keys (README "Webhook subscriptions", "Keys"). Pure: hashing and comparing only.
import { createHash, timingSafeEqual } from 'node:crypto';

/** 16 to 256 printable ASCII characters, no space. */
const KEY = /^[\x21-\x7e]{16,256}$/;
/** RFC 6750 §2.1: the scheme name is case-insensitive, one space, then the token. */
const BEARER = /^bearer ([^ ]+)$/i;

/** The SHA-256 hex of a key: what API_KEYS holds and what a subscription records as its owner. */
export function keyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The key an Authorization header carries, or null (absent, another scheme, not a key's shape). */
export function bearerKey(header: string | undefined): string | null {
  if (header === undefined) return null;
  const m = BEARER.exec(header);
  return m && KEY.test(m[1]!) ? m[1]! : null;
}

/**
 * The configured hash the key matches, or null. Every configured hash is compared, with
 * timingSafeEqual and no early exit, so the time taken says nothing about which one matched.
 */
export function ownerOf(key: string, configured: readonly string[]): string | null {
  const mine = Buffer.from(keyHash(key), 'hex');
  let found: string | null = null;
  for (const h of configured) {
    const theirs = Buffer.from(h, 'hex');
    // The config guarantees 64 hex digits; a wrong length could not match and must not throw.
    const same = theirs.length === mine.length && timingSafeEqual(mine, theirs);
    if (same) found = h;
  }
  return found;
}
