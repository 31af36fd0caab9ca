import { Writable } from 'node:stream';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { env, loadConfig } from './config.ts';
import { ConfigError, isRetriable, PoisonInputError, TransientError } from './errors.ts';
import { startHealthServer } from './health.ts';
import { fetchBytes } from '../http/http.ts';
import { createLogger, redactUrl, scrubSecrets } from './logger.ts';
import { backoffDelay, defaultRetry, retry } from './retry.ts';

describe('loadConfig', () => {
  const schema = z.object({
    KAFKA_BROKERS: env.brokers,
    HEALTH_PORT: env.nonNegativeInt(8080),
    DEBUG: env.bool(false),
  });

  it('parses, applies defaults and freezes', () => {
    const c = loadConfig(schema, { KAFKA_BROKERS: 'a:1, b:2' });
    expect(c).toEqual({ KAFKA_BROKERS: ['a:1', 'b:2'], HEALTH_PORT: 8080, DEBUG: false });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('names every bad variable and what it got, without printing secrets', () => {
    let err: unknown;
    try {
      loadConfig(schema, { HEALTH_PORT: 'eighty', DEBUG: 'maybe' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).toMatch(/KAFKA_BROKERS: .*\(not set\)/);
    expect(message).toMatch(/HEALTH_PORT: .*\("eighty"\)/);
    expect(message).toMatch(/DEBUG: .*\("maybe"\)/);
  });
});

describe('logger', () => {
  it('never writes secrets, wherever they sit in a logged object', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = createLogger({ service: 'test', destination: sink });
    log.info(
      {
        serviceRoleKey: 'eyJ-service-role',
        config: { password: 'pw1', databaseUrl: 'postgres://u:pw2@h/db', apiKey: 'sk-or-1' },
        req: { headers: { authorization: 'Bearer sk-or-2', apikey: 'anon-key' } },
      },
      'hello',
    );
    const out = lines.join('');
    for (const secret of ['eyJ-service-role', 'pw1', 'pw2', 'sk-or-1', 'sk-or-2', 'anon-key'])
      expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });

  it('scrubs secrets that sit inside strings: messages, stacks, causes', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJlLW9mLXRoZS1rZXk';
    const log = createLogger({ service: 'test', destination: sink });
    const cause = new Error('connect to postgres://writer:pw%2F9@db:5432/llmpt refused');
    log.error(
      { err: new Error(`request with Bearer sk-or-v1-0123456789abcdef0123 and apikey ${jwt}`, { cause }) },
      'failed at http://:bare-pw@host/x',
    );
    // Config objects keep the environment's names.
    log.info({ config: { DATABASE_URL: 'postgres://u:pw3@h/db', OPENROUTER_API_KEY: 'k-123' } }, 'config');
    const out = lines.join('');
    for (const secret of [
      'pw%2F9',
      'sk-or-v1-0123456789abcdef0123',
      jwt,
      'c2lnbmF0dXJlLW9mLXRoZS1rZXk',
      'bare-pw',
      'pw3',
      'k-123',
    ])
      expect(out).not.toContain(secret);
    expect(out).toContain('postgres://writer:***@db:5432/llmpt');
    expect(out).toContain('Bearer [redacted]');
    expect(out).toContain('[redacted-jwt]');
    expect(scrubSecrets('sk-or-v1-abcdefabcdefabcdefabcdef')).toBe('[redacted-key]');
    // What is not a secret stays readable.
    const plain = 'GET http://127.0.0.1:39092/api/v1/models answered 500 (user@example.com)';
    expect(scrubSecrets(plain)).toBe(plain);
  });

  it('fetch errors never quote the password of the URL they failed on', async () => {
    const err: unknown = await fetchBytes('http://tracker:hunter2-pw@127.0.0.1:1/api/v1/models', {
      attempts: 1,
    }).catch((e: unknown) => e);
    if (!(err instanceof Error)) throw new Error('fetchBytes should have failed');
    expect(err.message).toMatch(/^GET http:\/\/tracker:\*\*\*@127\.0\.0\.1:1\/api\/v1\/models failed: /);
    expect(err.message).not.toContain('hunter2-pw');
  });

  it('a base URL with credentials is refused at start, without echoing it', () => {
    const schema = z.object({ OPENROUTER_BASE_URL: env.baseUrl() });
    expect(() => loadConfig(schema, { OPENROUTER_BASE_URL: 'https://u:hunter2@openrouter.ai' })).toThrow(
      'OPENROUTER_BASE_URL: must not carry credentials (user:password@): put the key in its own variable (set)',
    );
    expect(loadConfig(schema, { OPENROUTER_BASE_URL: 'https://openrouter.ai' }).OPENROUTER_BASE_URL).toBe(
      'https://openrouter.ai',
    );
  });

  it('redactUrl hides the password of a connection string', () => {
    expect(redactUrl('postgres://postgres:s3cret@127.0.0.1:54322/llmpt')).toBe(
      'postgres://postgres:***@127.0.0.1:54322/llmpt',
    );
  });
});

describe('errors and retry', () => {
  it('classifies retriable errors', () => {
    expect(isRetriable(new TransientError('NET', 'down'))).toBe(true);
    expect(isRetriable(new PoisonInputError('BAD', 'bad'))).toBe(false);
    expect(isRetriable(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isRetriable(new TypeError('bug'))).toBe(false);
  });

  it('backs off exponentially with full jitter, capped', () => {
    const opts = { ...defaultRetry, random: () => 1 };
    expect([1, 2, 3, 4].map((a) => backoffDelay(a, opts))).toEqual([200, 400, 800, 1600]);
    expect(backoffDelay(20, opts)).toBe(defaultRetry.maxDelayMs);
    expect(backoffDelay(3, { ...opts, random: () => 0 })).toBe(0);
  });

  it('retries transient failures, never programmer errors', async () => {
    let calls = 0;
    const value = await retry(
      async () => {
        if (++calls < 3) throw new TransientError('NET', 'flaky');
        return 'ok';
      },
      { initialDelayMs: 1 },
    );
    expect([value, calls]).toEqual(['ok', 3]);
    let bugCalls = 0;
    await expect(
      retry(async () => {
        bugCalls++;
        throw new TypeError('undefined is not a function');
      }),
    ).rejects.toThrow(TypeError);
    expect(bugCalls).toBe(1);
  });
});

describe('health server', () => {
  it('answers liveness and readiness for probes', async () => {
    let ready = false;
    const h = await startHealthServer(
      0,
      { live: () => true, ready: () => ready, details: () => ({ processed: 3 }) },
      '127.0.0.1',
    );
    try {
      const get = async (p: string) => {
        const r = await fetch(`http://127.0.0.1:${h.port}${p}`);
        return [r.status, await r.json()] as const;
      };
      expect(await get('/livez')).toEqual([200, { live: true }]);
      expect(await get('/readyz')).toEqual([503, { ready: false }]);
      ready = true;
      expect(await get('/healthz')).toEqual([200, { live: true, ready: true, processed: 3 }]);
    } finally {
      await h.close();
    }
  });
});
