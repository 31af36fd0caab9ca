// From services/api/README.md: an ISO 8601 instant with a time zone, or a date meaning its UTC midnight.
import { describe, expect, it } from 'vitest';
import { instantOf, parseAt } from './at.ts';

describe('parseAt', () => {
  it('reads instants with a zone and dates', () => {
    expect(parseAt('2026-08-19T00:00:00Z')?.toISOString()).toBe('2026-08-19T00:00:00.000Z');
    expect(parseAt('2026-08-19T02:30:00+02:00')?.toISOString()).toBe('2026-08-19T00:30:00.000Z');
    expect(parseAt('2026-08-19T06:00Z')?.toISOString()).toBe('2026-08-19T06:00:00.000Z');
    expect(parseAt('2026-08-19T06:00:00.123Z')?.toISOString()).toBe('2026-08-19T06:00:00.123Z');
    expect(parseAt('2026-08-19')?.toISOString()).toBe('2026-08-19T00:00:00.000Z');
  });
  it('refuses anything else', () => {
    for (const bad of [
      '',
      'yesterday',
      '2026-08-19T00:00:00', // no zone: ambiguous
      '2026-02-30',
      '2026-02-30T00:00:00Z',
      '2026-13-01',
      '1755561600',
      '2026-08-19 00:00:00Z',
      '2026-08-19T25:00:00Z',
    ])
      expect(parseAt(bad), bad).toBeNull();
  });
  it('no `at` is now', () => {
    const now = new Date('2026-12-06T00:00:00Z');
    expect(instantOf(undefined, now)).toBe(now);
    expect(instantOf('nope', now)).toBeNull();
  });
});
