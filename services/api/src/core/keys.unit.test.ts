// README "Webhook subscriptions" → "Keys". Hashes checked against sha256sum's answers, worked out once:
//   printf %s 'key-of-team-a-0123456789' | sha256sum
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearerKey, keyHash, ownerOf } from './keys.ts';

const A = 'key-of-team-a-0123456789';
const B = 'key-of-team-b-0123456789';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('API keys', () => {
  it('a key is stored as its SHA-256 hex', () => {
    expect(keyHash(A)).toBe(sha(A));
    expect(keyHash(A)).toMatch(/^[0-9a-f]{64}$/);
    expect(keyHash(A)).not.toBe(keyHash(B));
  });

  it('Authorization: Bearer <key>, scheme case-insensitive; anything else is no key', () => {
    expect(bearerKey(`Bearer ${A}`)).toBe(A);
    expect(bearerKey(`bearer ${A}`)).toBe(A);
    expect(bearerKey(undefined)).toBeNull();
    expect(bearerKey(A)).toBeNull();
    expect(bearerKey(`Basic ${A}`)).toBeNull();
    expect(bearerKey(`Bearer  ${A}`)).toBeNull();
    expect(bearerKey('Bearer short')).toBeNull(); // fewer than 16 characters
    expect(bearerKey(`Bearer ${'x'.repeat(257)}`)).toBeNull();
    expect(bearerKey(`Bearer ${A}é`)).toBeNull(); // printable ASCII only
  });

  it('the owner is the configured hash the key matches; an unknown key has none', () => {
    const configured = [sha(B), sha(A)];
    expect(ownerOf(A, configured)).toBe(sha(A));
    expect(ownerOf(B, configured)).toBe(sha(B));
    expect(ownerOf('key-of-nobody-0123456789', configured)).toBeNull();
    expect(ownerOf(A, [])).toBeNull();
    // The hash itself is not a key: presenting the stored hash does not authenticate.
    expect(ownerOf(sha(A), configured)).toBeNull();
  });
});
