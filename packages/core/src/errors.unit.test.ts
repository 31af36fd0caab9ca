import { describe, expect, it } from 'vitest';
import {
  classifyFailure,
  ConfigError,
  errorCode,
  errorMessage,
  FAILURES,
  isRetriable,
  isRetriableStatus,
  PipelineError,
  PoisonInputError,
  TransientError,
} from './errors.ts';

/** An error as a driver makes it: an Error with extra fields, not a PipelineError. */
const driverError = (fields: Record<string, unknown>): Error => Object.assign(new Error('driver'), fields);

describe('PipelineError, the one root', () => {
  it('carries its code, retriable flag, HTTP status, SQLSTATE and cause', () => {
    const cause = new Error('socket hang up');
    const err = new PipelineError('SINK_DB_UNAVAILABLE', 'database away', {
      retriable: true,
      status: 503,
      sqlState: '57P01',
      cause,
    });
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      name: 'PipelineError',
      code: 'SINK_DB_UNAVAILABLE',
      message: 'database away',
      retriable: true,
      status: 503,
      sqlState: '57P01',
    });
    expect(err.cause).toBe(cause);
  });

  it('is final, with no status, SQLSTATE nor cause, unless told', () => {
    const err = new PipelineError('HTTP_4XX', 'answered 404');
    expect([err.retriable, err.status, err.sqlState, 'cause' in err]).toEqual([
      false,
      undefined,
      undefined,
      false,
    ]);
  });

  it('subclasses keep their own name and the root fields', () => {
    class DomainError extends PipelineError {}
    const cases: [PipelineError, string, string, boolean][] = [
      [new ConfigError('FOO is not set'), 'ConfigError', 'CONFIG_INVALID', false],
      [new PoisonInputError('EVENT_BAD_BODY', 'bad bytes'), 'PoisonInputError', 'EVENT_BAD_BODY', false],
      [new TransientError('NETWORK', 'refused'), 'TransientError', 'NETWORK', true],
      [new DomainError('DOMAIN', 'x'), 'DomainError', 'DOMAIN', false],
    ];
    for (const [err, name, code, retriable] of cases) {
      expect(err).toBeInstanceOf(PipelineError);
      expect({ name: err.name, code: err.code, retriable: err.retriable }).toEqual({ name, code, retriable });
    }
    const cause = new Error('root cause');
    expect(new PoisonInputError('X', 'y', cause).cause).toBe(cause);
    expect(new TransientError('X', 'y', cause).cause).toBe(cause);
  });
});

describe('isRetriable, the rule in errors.ts', () => {
  it('1. a PipelineError says it itself, whatever its code', () => {
    expect(isRetriable(new TransientError('ANY', 'x'))).toBe(true);
    expect(isRetriable(new PoisonInputError('ECONNREFUSED', 'x'))).toBe(false);
    expect(isRetriable(new PipelineError('08006', 'x', { retriable: false }))).toBe(false);
    expect(isRetriable(new ConfigError('x'))).toBe(false);
  });

  it('2. a boolean `retriable` (kafkajs) is taken at its word', () => {
    expect(isRetriable(driverError({ name: 'KafkaJSConnectionError', retriable: true }))).toBe(true);
    expect(isRetriable({ retriable: true })).toBe(true);
    expect(isRetriable(driverError({ retriable: false, code: 'ECONNREFUSED' }))).toBe(false);
  });

  it('3. node errno codes of a network or a peer that is down', () => {
    for (const code of [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EPIPE',
      'EAI_AGAIN',
      'ENOTFOUND',
      'EHOSTUNREACH',
    ])
      expect(isRetriable(driverError({ code })), code).toBe(true);
    expect(isRetriable(driverError({ code: 'ENOENT' }))).toBe(false);
  });

  it('3. Postgres SQLSTATEs, exact and by class, pg-like errors', () => {
    const retriable = [
      '40P01',
      '40001',
      '55P03',
      '57014',
      '57P01',
      '57P02',
      '57P03',
      '08006',
      '08001',
      '08003',
    ];
    for (const code of [...retriable, '53300', '53200', '28P01', '28000', '42501', '42P01'])
      expect(isRetriable({ code }), code).toBe(true);
    for (const code of ['23505', '23502', '22003', 'P0001', '40002', '57000', 'XX000'])
      expect(isRetriable({ code }), code).toBe(false);
  });

  it('3. PostgREST codes', () => {
    for (const code of ['PGRST000', 'PGRST003', 'PGRST301', 'PGRST302', 'PGRST202', 'PGRST205'])
      expect(isRetriable({ code }), code).toBe(true);
    expect(isRetriable({ code: 'PGRST116' })).toBe(false);
  });

  it('4. an HTTP status counts only without a SQLSTATE', () => {
    for (const status of [0, 408, 429, 500, 502, 503])
      expect(isRetriable({ status }), String(status)).toBe(true);
    for (const status of [400, 401, 404, 409]) expect(isRetriable({ status }), String(status)).toBe(false);
    expect(isRetriable({ code: 'PGRST116', status: 503 })).toBe(true);
    expect(isRetriable({ code: 'P0001', status: 500 })).toBe(false);
    expect(isRetriable({ code: '23505', status: 503 })).toBe(false);
  });

  it('5. anything else is not retriable: a programmer error, an unknown error, a non-error', () => {
    expect(isRetriable(new TypeError('undefined is not a function'))).toBe(false);
    expect(isRetriable(new Error('something broke'))).toBe(false);
    expect(isRetriable(driverError({ code: 'SOMETHING_ELSE' }))).toBe(false);
    for (const value of [undefined, null, 'ECONNREFUSED', 503, {}]) expect(isRetriable(value)).toBe(false);
  });
});

describe('the table', () => {
  it('classifies a code into its kind; exact codes win over their SQLSTATE class', () => {
    expect(classifyFailure('42501')).toEqual({ kind: 'permission', retriable: true });
    expect(classifyFailure('42P01')).toEqual({ kind: 'schema', retriable: true });
    expect(classifyFailure('40P01')).toEqual({ kind: 'conflict', retriable: true });
    expect(classifyFailure('53300')).toEqual({ kind: 'unavailable', retriable: true });
    expect(classifyFailure('23505')).toEqual({ kind: 'constraint', retriable: false });
    expect(classifyFailure('22P02')).toEqual({ kind: 'invalid_data', retriable: false });
    expect(classifyFailure(undefined, 503)).toEqual({ kind: 'unavailable', retriable: true });
    expect(classifyFailure('P0001', 503)).toBeUndefined();
    expect(classifyFailure(undefined)).toBeUndefined();
  });

  it('lists every code once; classes are two characters, exact SQLSTATEs five', () => {
    const codes = FAILURES.flatMap((r) => r.codes);
    expect(new Set(codes).size).toBe(codes.length);
    for (const row of FAILURES) {
      for (const code of row.codes) {
        if (row.sqlClass) expect(code, code).toMatch(/^[0-9A-Z]{2}$/);
        else if (row.from === 'postgres') expect(code, code).toMatch(/^[0-9A-Z]{5}$/);
      }
    }
  });

  it('an HTTP status is retriable when there was no answer or the server is away or busy', () => {
    expect([0, 408, 429, 500, 599].every(isRetriableStatus)).toBe(true);
    expect([200, 301, 400, 403, 404, 422].some(isRetriableStatus)).toBe(false);
  });
});

describe('errorCode and errorMessage', () => {
  it('name what failed for logs and dead letters', () => {
    expect(errorCode(new PoisonInputError('EVENT_BAD_BODY', 'x'))).toBe('EVENT_BAD_BODY');
    expect(errorCode(driverError({ code: '23505' }))).toBe('23505');
    expect(errorCode(new TypeError('bug'))).toBe('TypeError');
    expect(errorCode('a string')).toBe('UNKNOWN');
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('plain text')).toBe('plain text');
    expect(errorMessage(42)).toBe('42');
  });
});
