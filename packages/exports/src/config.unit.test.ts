// The CLI's arguments: a day is the catalog at that day's end (UTC), a time is itself, no --at is now.
import { describe, expect, it } from 'vitest';
import { exportEnvSchema, parseArgs } from './config.ts';

describe('export CLI arguments', () => {
  it('reads a day as its last UTC millisecond and a time as given', () => {
    expect(parseArgs(['--format', 'genai-prices', '--at', '2026-08-19']).at?.toISOString()).toBe(
      '2026-08-19T23:59:59.999Z',
    );
    expect(
      parseArgs(['--format', 'genai-prices', '--at', '2026-08-19T12:00:00+02:00', '--out', 'x.json']),
    ).toEqual({ format: 'genai-prices', at: new Date('2026-08-19T10:00:00Z'), out: 'x.json' });
    expect(parseArgs(['--format', 'genai-prices']).at).toBeUndefined();
  });

  it('refuses an unknown format, an impossible day, an unknown flag and a missing value', () => {
    expect(() => parseArgs(['--format', 'xml'])).toThrow(/format/);
    expect(() => parseArgs(['--format', 'genai-prices', '--at', '2026-02-30'])).toThrow(/calendar day/);
    expect(() => parseArgs(['--format', 'genai-prices', '--colour', 'red'])).toThrow();
    expect(() => parseArgs(['--format'])).toThrow(/usage/);
  });

  it('wants a postgres DATABASE_URL', () => {
    expect(() => exportEnvSchema.parse({})).toThrow();
    expect(() => exportEnvSchema.parse({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
  });
});
