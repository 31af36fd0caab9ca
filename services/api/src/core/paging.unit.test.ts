// From services/api/README.md "Changes": limit 1-500 (default 100), an opaque cursor of (at, event_id)
// and the order it was issued for.
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, parseLimit } from './paging.ts';

describe('paging', () => {
  it('limit: default 100, whole numbers 1..500 only', () => {
    expect(parseLimit(undefined)).toBe(100);
    expect(parseLimit('1')).toBe(1);
    expect(parseLimit('500')).toBe(500);
    for (const bad of ['0', '501', '-1', '1.5', 'ten', '', '1e2', '99999'])
      expect(parseLimit(bad), bad).toBeNull();
  });
  it('a cursor round-trips; anything else is refused', () => {
    const p = { at: new Date('2026-08-19T06:00:01.000Z'), eventId: 'PriceChanged:abc' };
    const c = encodeCursor(p);
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c)).toEqual({ position: p, order: 'oldest' });
    expect(decodeCursor(encodeCursor(p, 'newest'))).toEqual({ position: p, order: 'newest' });
    expect(encodeCursor(p, 'newest')).not.toBe(c);
    // A cursor issued before `order` existed is an oldest-first one.
    expect(
      decodeCursor(Buffer.from(JSON.stringify([p.at.toISOString(), p.eventId])).toString('base64url')),
    ).toEqual({
      position: p,
      order: 'oldest',
    });
    for (const bad of [
      '',
      'not base64!',
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from('["2026-13-01T00:00:00.000Z","x"]').toString('base64url'),
      Buffer.from('["2026-08-19T06:00:01Z","x"]').toString('base64url'), // not the form we issue
      Buffer.from('["2026-08-19T06:00:01.000Z",""]').toString('base64url'),
      Buffer.from('["2026-08-19T06:00:01.000Z","x","oldest"]').toString('base64url'),
      Buffer.from('["2026-08-19T06:00:01.000Z","x","newest",1]').toString('base64url'),
      'x'.repeat(401),
    ])
      expect(decodeCursor(bad), bad).toBeNull();
  });
});
