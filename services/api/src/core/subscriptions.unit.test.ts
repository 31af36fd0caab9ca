// README "Webhook subscriptions": the answer's shape, the replay's `from`, the secret's form.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { replayFrom, secretOf, subscriptionView, type SubscriptionRecord } from './subscriptions.ts';

const row: SubscriptionRecord = {
  id: '5b0f6a52-34a4-4d9b-9d2c-3f1d2c7c9a11',
  url: 'https://hooks.example/prices',
  model_ids: ['openai/gpt-5.5'],
  providers: [],
  alerts_only: true,
  include_backfilled: false,
  created_at: new Date('2026-08-19T10:00:00Z'),
  disabled_at: null,
  replay_request_id: null,
  replay_from: null,
  replay_requested_at: null,
  replay_done_at: null,
};
const now = new Date('2026-08-20T00:00:00Z');

describe('subscriptions', () => {
  it('a subscription without a replay: ISO instants, replay null, no secret field at all', () => {
    expect(subscriptionView(row)).toEqual({
      id: row.id,
      url: 'https://hooks.example/prices',
      model_ids: ['openai/gpt-5.5'],
      providers: [],
      alerts_only: true,
      include_backfilled: false,
      created_at: '2026-08-19T10:00:00.000Z',
      disabled_at: null,
      replay: null,
    });
    expect(Object.keys(subscriptionView(row))).not.toContain('secret');
  });

  it('include_backfilled is shown as stored', () => {
    expect(subscriptionView({ ...row, include_backfilled: true }).include_backfilled).toBe(true);
  });

  it('a disabled subscription with a pending, then a done replay', () => {
    const pending = {
      ...row,
      disabled_at: new Date('2026-08-19T12:00:00Z'),
      replay_request_id: '0d7f5b3e-8a55-4f0c-a1de-5b1f3c2e4d6a',
      replay_from: new Date('2026-08-01T00:00:00Z'),
      replay_requested_at: new Date('2026-08-19T11:00:00Z'),
    };
    expect(subscriptionView(pending)).toMatchObject({
      disabled_at: '2026-08-19T12:00:00.000Z',
      replay: {
        request_id: '0d7f5b3e-8a55-4f0c-a1de-5b1f3c2e4d6a',
        from: '2026-08-01T00:00:00.000Z',
        requested_at: '2026-08-19T11:00:00.000Z',
        done_at: null,
      },
    });
    const done = { ...pending, replay_done_at: new Date('2026-08-19T11:00:05Z') };
    expect(subscriptionView(done).replay?.done_at).toBe('2026-08-19T11:00:05.000Z');
  });

  it('from: an instant with a zone or a date (UTC midnight), not after now', () => {
    expect(replayFrom('2026-08-01', now)).toEqual({ ok: true, from: new Date('2026-08-01T00:00:00Z') });
    expect(replayFrom('2026-08-01T02:00:00+02:00', now)).toEqual({
      ok: true,
      from: new Date('2026-08-01T00:00:00Z'),
    });
    expect(replayFrom('2026-08-20T00:00:00Z', now).ok).toBe(true); // now itself
    expect(replayFrom('2026-08-20T00:00:01Z', now)).toMatchObject({ ok: false, reason: /future/ });
    expect(replayFrom('2026-08-01T00:00:00', now)).toMatchObject({ ok: false, reason: /not an ISO 8601/ });
    expect(replayFrom('2026-02-30', now)).toMatchObject({ ok: false });
    expect(replayFrom('yesterday', now)).toMatchObject({ ok: false });
  });

  it('the secret is a Standard Webhooks secret the reference library accepts', () => {
    const secret = secretOf(new Uint8Array(32).fill(7));
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    const wh = new Webhook(secret);
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) };
    const body = '{"a":1}';
    const signature = wh.sign('msg_1', new Date(Number(headers['webhook-timestamp']) * 1000), body);
    expect(wh.verify(body, { ...headers, 'webhook-signature': signature })).toEqual({ a: 1 });
  });
});
