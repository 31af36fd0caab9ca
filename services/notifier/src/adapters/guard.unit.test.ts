// README §6: internal targets are refused; the test/dev flag lets exactly 127.0.0.1 through, and the
// config refuses that flag in production. IP literals only: no DNS is asked.
import { describe, expect, it } from 'vitest';
import { loadNotifierConfig } from '../config.ts';
import { subscriptionRefusal, webhookGuard } from './guard.ts';

describe('subscriptionRefusal', () => {
  it('refuses loopback, private and link-local targets without the flag', async () => {
    expect(await subscriptionRefusal('http://127.0.0.1:8080/hook', false)).toBe(
      'address 127.0.0.1 is internal',
    );
    expect(await subscriptionRefusal('https://10.1.2.3/hook', false)).toBe('address 10.1.2.3 is internal');
    expect(await subscriptionRefusal('http://169.254.169.254/latest/meta-data', false)).toBe(
      'address 169.254.169.254 is internal',
    );
    expect(await subscriptionRefusal('http://192.168.1.1/', false)).toBe('address 192.168.1.1 is internal');
    expect(await subscriptionRefusal('http://[::1]/', false)).toBe('address ::1 is internal');
    expect(await subscriptionRefusal('http://localhost/', false)).toBe('host localhost is local');
  });

  it('with the flag, 127.0.0.1 passes and nothing else internal does', async () => {
    expect(await subscriptionRefusal('http://127.0.0.1:8080/hook', true)).toBeNull();
    expect(await subscriptionRefusal('http://127.0.0.2/hook', true)).toBe('address 127.0.0.2 is internal');
    expect(await subscriptionRefusal('https://10.1.2.3/hook', true)).toBe('address 10.1.2.3 is internal');
    expect(await subscriptionRefusal('http://169.254.169.254/', true)).toBe(
      'address 169.254.169.254 is internal',
    );
    expect(await subscriptionRefusal('http://localhost/', true)).toBe('host localhost is local');
  });

  it('refuses other schemes, credentials in the URL and non-URLs', async () => {
    expect(await subscriptionRefusal('ftp://8.8.8.8/x', false)).toBe('scheme ftp: is not allowed');
    expect(await subscriptionRefusal('https://user:pw@8.8.8.8/x', false)).toBe(
      'a webhook URL must not carry credentials',
    );
    expect(await subscriptionRefusal('not a url', false)).toBe('not a URL');
    expect(await subscriptionRefusal('https://8.8.8.8/hook', false)).toBeNull();
  });

  it('the connection-time check follows the same rule', () => {
    expect(webhookGuard(false)).toEqual({});
    const g = webhookGuard(true);
    expect(g.isInternal?.('127.0.0.1')).toBe(false);
    expect(g.isInternal?.('127.0.0.2')).toBe(true);
    expect(g.isInternal?.('10.0.0.1')).toBe(true);
    expect(g.isInternal?.('8.8.8.8')).toBe(false);
  });
});

describe('config', () => {
  const base = { KAFKA_BROKERS: 'localhost:9092', DATABASE_URL: 'postgres://u@h/db' };

  it('defaults suit production: no loopback, 8 attempts, 10 s timeout', () => {
    const c = loadNotifierConfig(base);
    expect(c).toMatchObject({
      WEBHOOK_ALLOW_LOOPBACK: false,
      WEBHOOK_MAX_ATTEMPTS: 8,
      WEBHOOK_TIMEOUT_MS: 10_000,
      GROUP_ID: 'pricing-notifier',
    });
  });

  it('the loopback flag is refused with NODE_ENV=production, accepted otherwise', () => {
    expect(() =>
      loadNotifierConfig({ ...base, NODE_ENV: 'production', WEBHOOK_ALLOW_LOOPBACK: 'true' }),
    ).toThrow(/WEBHOOK_ALLOW_LOOPBACK: must not be set when NODE_ENV=production/);
    expect(loadNotifierConfig({ ...base, NODE_ENV: 'test', WEBHOOK_ALLOW_LOOPBACK: 'true' })).toMatchObject({
      WEBHOOK_ALLOW_LOOPBACK: true,
    });
  });

  it('a lease not longer than the timeout is refused; DATABASE_URL is required', () => {
    expect(() =>
      loadNotifierConfig({ ...base, WEBHOOK_LEASE_MS: '5000', WEBHOOK_TIMEOUT_MS: '5000' }),
    ).toThrow(/WEBHOOK_LEASE_MS/);
    expect(() => loadNotifierConfig({ KAFKA_BROKERS: 'localhost:9092' })).toThrow(/DATABASE_URL/);
  });
});
