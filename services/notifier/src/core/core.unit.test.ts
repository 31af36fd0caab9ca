// The notifier's rules as services/notifier/README.md §1-4 state them; expected values are worked out
// by hand from that page, and signatures are checked with the standardwebhooks library as a receiver.
import type { PriceChanged } from '@llmpt/schemas';
import { samples } from '@llmpt/schemas/samples';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { matches, type SubscriptionFilter } from './filters.ts';
import { decide, type AttemptOutcome } from './outcome.ts';
import { webhookPayload } from './payload.ts';
import { pendingDeliveries } from './plan.ts';
import { retryDelayMs, type RetrySchedule } from './schedule.ts';
import { signedHeaders } from './sign.ts';

// anthropic/claude-sonnet-4 on google-vertex, alert: true; learned live (the sample is backfilled).
const vertex: PriceChanged = { ...samples.PriceChanged, backfilled: false };
const routed: PriceChanged = {
  ...vertex,
  event_id: 'routed-1',
  price_key: 'openai/gpt-4o||openrouter_api',
  model_id: 'openai/gpt-4o',
  provider: null,
  source_type: 'openrouter_api',
  alert: false,
};
const any: SubscriptionFilter = {
  modelIds: [],
  providers: [],
  alertsOnly: false,
  includeBackfilled: false,
  disabledAt: null,
};
// The same change learned from an archive or decided late (docs/price-model.md §4.5).
const backfilled: PriceChanged = { ...vertex, event_id: 'backfilled-1', backfilled: true };

describe('§1 matching', () => {
  it('empty filters pass every event', () => {
    expect(matches(any, vertex)).toBe(true);
    expect(matches(any, routed)).toBe(true);
  });

  it('model ids: exact, case-sensitive membership', () => {
    expect(matches({ ...any, modelIds: ['anthropic/claude-sonnet-4'] }, vertex)).toBe(true);
    expect(matches({ ...any, modelIds: ['anthropic/claude-sonnet-4'] }, routed)).toBe(false);
    expect(matches({ ...any, modelIds: ['Anthropic/Claude-Sonnet-4'] }, vertex)).toBe(false);
    expect(matches({ ...any, modelIds: ['anthropic/claude-sonnet'] }, vertex)).toBe(false);
  });

  it('providers: membership; the routed price is named openrouter', () => {
    expect(matches({ ...any, providers: ['google-vertex'] }, vertex)).toBe(true);
    expect(matches({ ...any, providers: ['google-vertex'] }, routed)).toBe(false);
    expect(matches({ ...any, providers: ['openrouter'] }, routed)).toBe(true);
    expect(matches({ ...any, providers: ['openrouter'] }, vertex)).toBe(false);
  });

  it('alerts only passes only alert: true', () => {
    expect(matches({ ...any, alertsOnly: true }, vertex)).toBe(true);
    expect(matches({ ...any, alertsOnly: true }, routed)).toBe(false);
  });

  it('all three filters must pass, and a disabled subscription matches nothing', () => {
    const all = {
      modelIds: ['anthropic/claude-sonnet-4'],
      providers: ['google-vertex'],
      alertsOnly: true,
      includeBackfilled: false,
    };
    expect(matches({ ...all, disabledAt: null }, vertex)).toBe(true);
    expect(matches({ ...all, providers: ['openai'], disabledAt: null }, vertex)).toBe(false);
    expect(matches({ ...any, disabledAt: 1 }, vertex)).toBe(false);
  });

  it('rule 4: a backfilled change passes only a subscription with include_backfilled', () => {
    expect(vertex.backfilled).toBe(false);
    expect(matches(any, backfilled)).toBe(false);
    expect(matches({ ...any, includeBackfilled: true }, backfilled)).toBe(true);
    // The flag adds backfilled changes; a live change passes either way.
    expect(matches({ ...any, includeBackfilled: true }, vertex)).toBe(true);
    // It is one filter of four: the others still apply to a backfilled change.
    expect(matches({ ...any, includeBackfilled: true, providers: ['openrouter'] }, backfilled)).toBe(false);
    expect(matches({ ...any, includeBackfilled: true, alertsOnly: true }, backfilled)).toBe(true);
  });
});

describe('§2 payload and headers', () => {
  it('is {type, timestamp, data} with every event field in schema order and money as strings', () => {
    const body = webhookPayload(vertex);
    const parsed = JSON.parse(body) as { type: string; timestamp: string; data: Record<string, unknown> };
    expect(parsed.type).toBe('price.changed');
    expect(parsed.timestamp).toBe(new Date(vertex.occurred_at).toISOString());
    expect(Object.keys(parsed)).toEqual(['type', 'timestamp', 'data']);
    expect(Object.keys(parsed.data)).toEqual([
      'event_id',
      'run_id',
      'caused_by',
      'occurred_at',
      'price_key',
      'model_id',
      'provider',
      'source_type',
      'kind',
      'changes',
      'previous_observed_at',
      'current_observed_at',
      'snapshot_date',
      'alert',
      'alert_threshold',
      'expiration_date',
      'backfilled',
    ]);
    expect(parsed.data).toEqual(JSON.parse(JSON.stringify(vertex)));
    // Money is text in the bytes, never a JSON number.
    expect(body).toContain('"previous":"6.00000000","current":"9.00000000","relative_change":"0.50000000"');
    expect(body).toContain('"previous":null,"current":"6.00000000","relative_change":null');
    expect(body).toContain('"alert_threshold":"0.30"');
  });

  it('the same event gives the same bytes', () => {
    expect(webhookPayload({ ...vertex })).toBe(webhookPayload(vertex));
  });

  it('headers: webhook-id is the event id, timestamp in seconds, a signature standardwebhooks verifies', () => {
    const secret = `whsec_${Buffer.from('a test key of 32 bytes, exactly!').toString('base64')}`;
    const body = webhookPayload(vertex);
    const now = Date.now();
    const h = signedHeaders(secret, vertex.event_id, body, now);
    expect(h['webhook-id']).toBe(vertex.event_id);
    expect(h['webhook-timestamp']).toBe(String(Math.floor(now / 1000)));
    expect(h['content-type']).toBe('application/json');
    expect(h['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, h)).toEqual(JSON.parse(body));
    const other = `whsec_${Buffer.from('another key, not the one signing').toString('base64')}`;
    expect(() => new Webhook(other).verify(body, h)).toThrow();
    expect(() => new Webhook(secret).verify(body.replace('9.00000000', '1.00000000'), h)).toThrow();
  });
});

const schedule: RetrySchedule = { initialDelayMs: 1000, maxDelayMs: 10_000, maxAttempts: 4 };

describe('§4 retry schedule', () => {
  it('full jitter: random × min(max, initial × 2^(n−1)), rounded', () => {
    // Caps: 1000, 2000, 4000, 8000, then 10000 (the max) for every later attempt.
    expect([1, 2, 3, 4, 5, 9].map((n) => retryDelayMs(n, schedule, 0.5))).toEqual([
      500, 1000, 2000, 4000, 5000, 5000,
    ]);
    expect(retryDelayMs(3, schedule, 0)).toBe(0);
    expect(retryDelayMs(3, schedule, 0.99999)).toBe(4000);
    expect(retryDelayMs(1, schedule, 0.1234)).toBe(123);
  });
});

describe('§3 outcomes', () => {
  const now = 1_000_000;
  const answered = (status: number): AttemptOutcome => ({ kind: 'answered', status });

  it('any 2xx is delivered', () => {
    for (const s of [200, 201, 202, 204, 299])
      expect(decide(answered(s), 1, schedule, now, 0.5)).toEqual({ status: 'delivered', lastStatus: s });
  });

  it('410 is gone, at any attempt', () => {
    expect(decide(answered(410), 1, schedule, now, 0.5)).toEqual({
      status: 'gone',
      lastStatus: 410,
      reason: 'HTTP 410',
    });
  });

  it('refused by the guard is dead at once', () => {
    expect(
      decide({ kind: 'refused', reason: 'address 10.0.0.1 is internal' }, 1, schedule, now, 0.5),
    ).toEqual({
      status: 'dead',
      lastStatus: null,
      reason: 'refused: address 10.0.0.1 is internal',
    });
  });

  it('3xx, other 4xx, 5xx, timeout, network: pending after the §4 delay while attempt < N', () => {
    const cases: [AttemptOutcome, number | null, string][] = [
      [answered(302), 302, 'HTTP 302'],
      [answered(400), 400, 'HTTP 400'],
      [answered(404), 404, 'HTTP 404'],
      [answered(429), 429, 'HTTP 429'],
      [answered(500), 500, 'HTTP 500'],
      [answered(503), 503, 'HTTP 503'],
      [{ kind: 'timeout', timeoutMs: 2000 }, null, 'timeout after 2000 ms'],
      [{ kind: 'network', reason: 'ECONNREFUSED' }, null, 'network error: ECONNREFUSED'],
    ];
    for (const [outcome, lastStatus, reason] of cases) {
      // After attempt 2 the cap is 2000 ms; random 0.5 gives 1000 ms.
      expect(decide(outcome, 2, schedule, now, 0.5)).toEqual({
        status: 'pending',
        lastStatus,
        reason,
        nextAttemptAt: now + 1000,
      });
      expect(decide(outcome, 4, schedule, now, 0.5)).toEqual({ status: 'dead', lastStatus, reason });
    }
  });

  it('attempt N − 1 still retries; attempt N is the last', () => {
    expect(decide(answered(500), 3, schedule, now, 0.5).status).toBe('pending');
    expect(decide(answered(500), 4, schedule, now, 0.5).status).toBe('dead');
    expect(decide(answered(200), 4, schedule, now, 0.5).status).toBe('delivered');
  });
});

describe('§5 step 1: the pending deliveries of a batch', () => {
  it('one row per matching (subscription, event), the event payload shared', () => {
    const subs = [
      { ...any, id: 'all' },
      { ...any, id: 'vertex', providers: ['google-vertex'] },
      { ...any, id: 'off', disabledAt: 5 },
    ];
    expect(pendingDeliveries([vertex, routed], subs)).toEqual([
      { subscriptionId: 'all', eventId: vertex.event_id, payload: webhookPayload(vertex) },
      { subscriptionId: 'vertex', eventId: vertex.event_id, payload: webhookPayload(vertex) },
      { subscriptionId: 'all', eventId: 'routed-1', payload: webhookPayload(routed) },
    ]);
    expect(pendingDeliveries([routed], [{ ...any, id: 'alerts', alertsOnly: true }])).toEqual([]);
  });

  it('a backfilled change is skipped for a default subscription, queued for one with include_backfilled', () => {
    const subs = [
      { ...any, id: 'live' },
      { ...any, id: 'history', includeBackfilled: true },
    ];
    expect(pendingDeliveries([backfilled, vertex], subs)).toEqual([
      { subscriptionId: 'history', eventId: 'backfilled-1', payload: webhookPayload(backfilled) },
      { subscriptionId: 'live', eventId: vertex.event_id, payload: webhookPayload(vertex) },
      { subscriptionId: 'history', eventId: vertex.event_id, payload: webhookPayload(vertex) },
    ]);
    // The payload says how the change was learned.
    expect(JSON.parse(webhookPayload(backfilled))).toMatchObject({ data: { backfilled: true } });
  });
});
