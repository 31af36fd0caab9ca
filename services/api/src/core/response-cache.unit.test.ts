// From services/api/README.md "Caching", rules 1 and 3.
import { describe, expect, it } from 'vitest';
import { createResponseCache, isCacheablePath } from './response-cache.ts';

const answer = (body: string, storedAt: number) => ({
  body,
  headers: { 'content-type': 'text/plain' },
  storedAt,
});

describe('which routes are kept (rule 1)', () => {
  it.each([
    '/v1/models',
    '/v1/catalog',
    '/v1/models/openai/gpt-4o/endpoints',
    '/v1/models/openai/gpt-4o/history',
    '/v1/changes',
    '/v1/changes.atom',
    '/v1/exports/litellm.json',
    '/v1/exports/csv/2026-08-19.csv',
    '/v1/cost',
    '/openapi.json',
  ])('%s is kept', (p) => expect(isCacheablePath(p)).toBe(true));

  it.each([
    '/v1/subscriptions',
    '/v1/subscriptions/abc',
    '/livez',
    '/readyz',
    '/v1/modelsx',
    '/v1/catalogs',
    '/v1',
    '/',
    '/explorer/',
  ])('%s is not', (p) => expect(isCacheablePath(p)).toBe(false));
});

describe('how long and how much (rule 3)', () => {
  it('an answer is fresh for the TTL, stale for as long again, then forgotten', () => {
    const c = createResponseCache({ ttlMs: 1000, maxBytes: 1 << 20 });
    c.set('/a', answer('x', 5000));
    expect(c.get('/a', 5000)).toMatchObject({ fresh: true, answer: { body: 'x' } });
    expect(c.get('/a', 5999)).toMatchObject({ fresh: true, answer: { body: 'x' } });
    expect(c.get('/a', 6000)).toMatchObject({ fresh: false, answer: { body: 'x' } });
    expect(c.get('/a', 6999)).toMatchObject({ fresh: false, answer: { body: 'x' } });
    expect(c.get('/a', 7000)).toBeUndefined();
    expect(c.size).toBe(0);
    expect(c.bytes).toBe(0);
  });

  it('a clock that went back does not make an answer live forever', () => {
    const c = createResponseCache({ ttlMs: 1000, maxBytes: 1 << 20 });
    c.set('/a', answer('x', 5000));
    expect(c.get('/a', 4000)).toBeUndefined();
  });

  it('a TTL of 0 keeps nothing and says it is off', () => {
    const c = createResponseCache({ ttlMs: 0, maxBytes: 1 << 20 });
    expect(c.enabled).toBe(false);
    c.set('/a', answer('x', 0));
    expect(c.get('/a', 0)).toBeUndefined();
  });

  it('stays under its byte bound by dropping the least recently used answer first', () => {
    // Each entry: 100 body bytes + 64 per header = 164; the bound holds 4 of them.
    const c = createResponseCache({ ttlMs: 60_000, maxBytes: 4 * 164 });
    const body = (ch: string) => ch.repeat(100);
    for (const k of ['a', 'b', 'c', 'd']) c.set(`/${k}`, answer(body(k), 0));
    expect(c.get('/a', 1)?.answer.body).toBe(body('a')); // /a used: /b is now the least recently used
    c.set('/e', answer(body('e'), 1));
    expect(c.get('/b', 2)).toBeUndefined();
    expect(['/a', '/c', '/d', '/e'].map((k) => c.get(k, 2) !== undefined)).toEqual([true, true, true, true]);
    expect(c.bytes).toBe(4 * 164);
  });

  it('does not keep an answer larger than a quarter of the bound', () => {
    const c = createResponseCache({ ttlMs: 60_000, maxBytes: 1000 });
    c.set('/big', answer('x'.repeat(300), 0));
    expect(c.get('/big', 1)).toBeUndefined();
    c.set('/small', answer('x'.repeat(100), 0));
    expect(c.get('/small', 1)?.answer.body).toBe('x'.repeat(100));
  });

  it('storing a key again replaces it and counts its bytes once', () => {
    const c = createResponseCache({ ttlMs: 60_000, maxBytes: 1 << 20 });
    c.set('/a', answer('x'.repeat(10), 0));
    c.set('/a', answer('y'.repeat(20), 1));
    expect(c.size).toBe(1);
    expect(c.bytes).toBe(20 + 64);
    expect(c.get('/a', 2)?.answer.body).toBe('y'.repeat(20));
  });
});
