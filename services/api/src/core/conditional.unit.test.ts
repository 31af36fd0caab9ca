// From services/api/README.md "Behaviour common to every endpoint" (If-Modified-Since) and RFC 9110
// §5.6.7 (HTTP-date: its examples), §13.1.3 and §13.2.2.
import { describe, expect, it } from 'vitest';
import { notModifiedSince, parseHttpDate } from './conditional.ts';

const now = new Date('2026-08-20T00:00:00Z');

describe('HTTP-date (RFC 9110 §5.6.7)', () => {
  it('the three forms of the RFC’s own example are the same instant', () => {
    const at = new Date('1994-11-06T08:49:37Z');
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT', now)).toEqual(at);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', now)).toEqual(at);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994', now)).toEqual(at);
  });

  it('RFC 850 two-digit years: more than 50 years ahead is the century before', () => {
    expect(parseHttpDate('Wednesday, 19-Aug-26 06:00:00 GMT', now)).toEqual(new Date('2026-08-19T06:00:00Z'));
    expect(parseHttpDate('Wednesday, 19-Aug-76 06:00:00 GMT', now)).toEqual(new Date('2076-08-19T06:00:00Z'));
    expect(parseHttpDate('Monday, 19-Aug-85 06:00:00 GMT', now)).toEqual(new Date('1985-08-19T06:00:00Z'));
  });

  it.each([
    '2026-08-19T06:00:00Z',
    'Wed, 19 Aug 2026 06:00:00 UTC',
    'Wed, 19 Aug 2026 06:00:00 +0000',
    'wed, 19 aug 2026 06:00:00 GMT',
    'Wed, 19 Aug 2026 6:00:00 GMT',
    'Thu, 19 Aug 2026 06:00:00 GMT',
    'Mon, 30 Feb 2026 06:00:00 GMT',
    'Wed, 19 Aug 2026 24:00:00 GMT',
    'Wed, 19 Aug 2026 06:00:00 GMT, Thu, 20 Aug 2026 06:00:00 GMT',
    '',
    'yesterday',
  ])('%j is not an HTTP-date', (text) => {
    expect(parseHttpDate(text, now)).toBeNull();
  });
});

describe('If-Modified-Since', () => {
  const lastModified = 'Wed, 19 Aug 2026 06:00:02 GMT';
  const get = (ifModifiedSince?: string, ifNoneMatch?: string, method = 'GET') => ({
    method,
    ifModifiedSince,
    ifNoneMatch,
  });

  it('304 when Last-Modified is not after the date: equal or earlier', () => {
    expect(notModifiedSince(get(lastModified), 200, lastModified, now)).toBe(true);
    expect(notModifiedSince(get('Thu, 20 Aug 2026 00:00:00 GMT'), 200, lastModified, now)).toBe(true);
    expect(notModifiedSince(get('Wednesday, 19-Aug-26 06:00:02 GMT'), 200, lastModified, now)).toBe(true);
    expect(notModifiedSince(get('Wed Aug 19 06:00:02 2026'), 200, lastModified, now)).toBe(true);
  });

  it('200 when modified after the date', () => {
    expect(notModifiedSince(get('Wed, 19 Aug 2026 06:00:01 GMT'), 200, lastModified, now)).toBe(false);
    expect(notModifiedSince(get('Sat, 01 Aug 2026 06:00:00 GMT'), 200, lastModified, now)).toBe(false);
  });

  it('ignored when not a valid HTTP-date, when the answer has no Last-Modified, or is not a 200', () => {
    expect(notModifiedSince(get('2026-08-20T00:00:00Z'), 200, lastModified, now)).toBe(false);
    expect(notModifiedSince(get('Thu, 20 Aug 2026 00:00:00 GMT'), 200, undefined, now)).toBe(false);
    expect(notModifiedSince(get('Thu, 20 Aug 2026 00:00:00 GMT'), 404, lastModified, now)).toBe(false);
  });

  it('only GET and HEAD', () => {
    expect(notModifiedSince(get(lastModified, undefined, 'HEAD'), 200, lastModified, now)).toBe(true);
    expect(notModifiedSince(get(lastModified, undefined, 'POST'), 200, lastModified, now)).toBe(false);
  });

  it('If-None-Match, when present, decides alone (§13.2.2): If-Modified-Since is ignored', () => {
    // A tag that does not match: @fastify/etag answers 200, and a valid later date must not make it a 304.
    expect(notModifiedSince(get('Thu, 20 Aug 2026 00:00:00 GMT', '"other"'), 200, lastModified, now)).toBe(
      false,
    );
    expect(notModifiedSince(get('Thu, 20 Aug 2026 00:00:00 GMT', '*'), 200, lastModified, now)).toBe(false);
  });
});
