// From services/api/README.md "Environment".
import { describe, expect, it } from 'vitest';
import { loadApiConfig } from './config.ts';

describe('api config', () => {
  const env = { DATABASE_URL: 'postgres://api@db:5432/llmpt' };
  it('defaults suit production', () => {
    const c = loadApiConfig(env);
    expect(c).toMatchObject({
      PORT: 8080,
      HOST: '0.0.0.0',
      RATE_LIMIT_MAX: 300,
      RATE_LIMIT_WINDOW_MS: 60_000,
      DB_POOL_SIZE: 10,
      LOG_LEVEL: 'info',
    });
    expect(c.CORS_ORIGINS).toEqual(['*']);
  });
  it('reads origins as a list; refuses a bad one, a missing or non-postgres DATABASE_URL, a bad limit', () => {
    expect(
      loadApiConfig({ ...env, CORS_ORIGINS: 'https://a.example, http://b.example:8080' }).CORS_ORIGINS,
    ).toEqual(['https://a.example', 'http://b.example:8080']);
    expect(() => loadApiConfig({ ...env, CORS_ORIGINS: 'a.example' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadApiConfig({ ...env, CORS_ORIGINS: 'https://a.example/path' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadApiConfig({})).toThrow(/DATABASE_URL/);
    expect(() => loadApiConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadApiConfig({ ...env, RATE_LIMIT_MAX: '0' })).toThrow(/RATE_LIMIT_MAX/);
  });

  it('subscriptions: API_KEYS are SHA-256 hashes, the loopback flag is refused in production', () => {
    const h = 'a'.repeat(64);
    expect(loadApiConfig(env).API_KEYS).toEqual([]);
    expect(loadApiConfig(env).WEBHOOK_ADMIN_DATABASE_URL).toBeUndefined();
    expect(loadApiConfig({ ...env, API_KEYS: ` ${h.toUpperCase()} ,${'b'.repeat(64)}` }).API_KEYS).toEqual([
      h,
      'b'.repeat(64),
    ]);
    // A key pasted instead of its hash is refused: the config must never hold keys.
    expect(() => loadApiConfig({ ...env, API_KEYS: 'my-secret-key-1234567890' })).toThrow(/API_KEYS/);
    expect(() => loadApiConfig({ ...env, WEBHOOK_ADMIN_DATABASE_URL: 'mysql://x' })).toThrow(
      /WEBHOOK_ADMIN_DATABASE_URL/,
    );
    expect(loadApiConfig({ ...env, WEBHOOK_ALLOW_LOOPBACK: 'true' }).WEBHOOK_ALLOW_LOOPBACK).toBe(true);
    expect(() => loadApiConfig({ ...env, WEBHOOK_ALLOW_LOOPBACK: 'true', NODE_ENV: 'production' })).toThrow(
      /WEBHOOK_ALLOW_LOOPBACK/,
    );
  });

  it('PUBLIC_BASE_URL: optional; an http(s) URL with an optional path, the trailing slash dropped', () => {
    expect(loadApiConfig(env).PUBLIC_BASE_URL).toBeUndefined();
    expect(loadApiConfig({ ...env, PUBLIC_BASE_URL: '' }).PUBLIC_BASE_URL).toBeUndefined();
    expect(loadApiConfig({ ...env, PUBLIC_BASE_URL: 'https://prices.example' }).PUBLIC_BASE_URL).toBe(
      'https://prices.example',
    );
    expect(
      loadApiConfig({ ...env, PUBLIC_BASE_URL: 'https://example.com/llm-prices/' }).PUBLIC_BASE_URL,
    ).toBe('https://example.com/llm-prices');
    expect(loadApiConfig({ ...env, PUBLIC_BASE_URL: 'http://api.local:8080' }).PUBLIC_BASE_URL).toBe(
      'http://api.local:8080',
    );
    for (const bad of [
      'prices.example',
      '/v1',
      'ftp://prices.example',
      'https://prices.example/?x=1',
      'https://prices.example/#top',
      'https://user:pw@prices.example',
      'not a url',
    ])
      expect(() => loadApiConfig({ ...env, PUBLIC_BASE_URL: bad }), bad).toThrow(/PUBLIC_BASE_URL/);
  });

  it('WEB_DIST: unset or empty is off; a path is made absolute', () => {
    expect(loadApiConfig(env).WEB_DIST).toBeUndefined();
    expect(loadApiConfig({ ...env, WEB_DIST: ' ' }).WEB_DIST).toBeUndefined();
    expect(loadApiConfig({ ...env, WEB_DIST: '/srv/explorer' }).WEB_DIST).toBe('/srv/explorer');
    expect(loadApiConfig({ ...env, WEB_DIST: 'web/dist' }).WEB_DIST).toBe(`${process.cwd()}/web/dist`);
  });
});
