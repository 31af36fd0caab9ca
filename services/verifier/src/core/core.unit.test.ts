// The verifier's pure rules, each checked against the README's statement of it (services/verifier/
// README.md: "What a run probes", "What it spends", "Outcomes").
import { describe, expect, it } from 'vitest';
import { loadVerifierConfig } from '../config.ts';
import { mayProbe, probeBound, sampleTargets, spendOf, type Candidate } from './plan.ts';
import { formatSummary } from './summary.ts';
import { observe, probeRequest, rawDecimal, sameProvider, type VerificationTarget } from './verify.ts';

const NOW = new Date('2026-12-07T00:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000).toISOString();
const pair = (model_id: string, over: Partial<Candidate> = {}): Candidate => ({
  model_id,
  provider: 'p',
  provider_name: null,
  first_seen_at: daysAgo(100),
  price_changed_at: null,
  last_verified_at: daysAgo(50),
  ...over,
});
const target: VerificationTarget = { model_id: 'm/x', provider: 'google-vertex', provider_name: 'Google' };

describe('what a run probes', () => {
  it('new pairs first (newest first), then changed prices (newest first), then the longest unverified', () => {
    const candidates = [
      pair('old-verified-recently', { last_verified_at: daysAgo(1) }),
      pair('old-verified-long-ago', { last_verified_at: daysAgo(90) }),
      pair('old-never-verified', { last_verified_at: null }),
      pair('changed-2d', { price_changed_at: daysAgo(2) }),
      pair('changed-1d', { price_changed_at: daysAgo(1) }),
      // changed, but verified since: not a changed pair any more
      pair('changed-then-verified', { price_changed_at: daysAgo(3), last_verified_at: daysAgo(2) }),
      // changed too long ago to count as recent
      pair('changed-30d', { price_changed_at: daysAgo(30), last_verified_at: daysAgo(60) }),
      pair('new-3d', { first_seen_at: daysAgo(3), last_verified_at: null }),
      pair('new-1d', { first_seen_at: daysAgo(1), last_verified_at: null }),
      // first seen recently but already verified: not new
      pair('new-but-verified', { first_seen_at: daysAgo(1), last_verified_at: daysAgo(0.5) }),
    ];
    const order = sampleTargets(candidates, { k: 20, now: NOW, recentDays: 7 }).map((c) => c.model_id);
    expect(order).toEqual([
      'new-1d',
      'new-3d',
      'changed-1d',
      'changed-2d',
      'old-never-verified',
      'old-verified-long-ago',
      'changed-30d',
      'changed-then-verified',
      'old-verified-recently',
      'new-but-verified',
    ]);
    expect(sampleTargets(candidates, { k: 3, now: NOW, recentDays: 7 }).map((c) => c.model_id)).toEqual([
      'new-1d',
      'new-3d',
      'changed-1d',
    ]);
  });
});

describe('the request', () => {
  it('is pinned to the provider without fallback, with usage accounting and one output token', () => {
    expect(probeRequest(target)).toEqual({
      model: 'm/x',
      messages: [{ role: 'user', content: 'Reply with OK.' }],
      max_tokens: 1,
      stream: false,
      provider: { order: ['google-vertex'], allow_fallbacks: false },
      usage: { include: true },
    });
  });
});

describe('what it spends', () => {
  it("a probe's bound: 64 tokens at the highest input rate, one at the highest output rate, the request fee", () => {
    // Input max(3, 3.75 cache write, tier 6) = 6; output max(15, tier 22.5) = 22.5; request 0.001.
    // 64 × 6 / 1e6 = 0.000384; 1 × 22.5 / 1e6 = 0.0000225; + 0.001 → 0.0014065.
    const bound = probeBound(
      {
        prompt: '3',
        completion: '15',
        input_cache_write: '3.75',
        request: '0.001',
        tiers: [
          {
            label: 'prompt_tokens>200000',
            prompt_tokens_gte: null,
            prompt_tokens_gt: 200000,
            utc_start: null,
            utc_end: null,
            variant: null,
            other: [],
            prices: { prompt: '6', completion: '22.5' },
          },
        ],
      },
      64,
    );
    expect(bound).toBe('0.0014065');
    expect(probeBound(null, 64)).toBeNull();
  });

  it('sends while spent + bound stays within the cap (equal is within), never without a bound', () => {
    expect(mayProbe({ spent: '0.04', cap: '0.05' }, '0.01')).toEqual({ ok: true });
    expect(mayProbe({ spent: '0.04', cap: '0.05' }, '0.0100001')).toMatchObject({ ok: false });
    expect(mayProbe({ spent: '0', cap: '0.05' }, null)).toMatchObject({ ok: false });
  });

  it('counts the reported cost (plus the upstream cost under BYOK), the bound when unknown, 0 for an error', () => {
    const o = observe(target, { kind: 'answer', status: 500, body: '{"error":{"code":500}}', latencyMs: 5 });
    expect(spendOf(o, '0.001')).toBe('0');
    expect(spendOf(observe(target, { kind: 'timeout', latencyMs: 9 }), '0.001')).toBe('0.001');
    const noUsage = observe(target, { kind: 'answer', status: 200, body: '{"choices":[]}', latencyMs: 5 });
    expect(noUsage.outcome).toBe('failed');
    expect(spendOf(noUsage, '0.001')).toBe('0.001');
  });
});

describe('outcomes', () => {
  const answer = (status: number, body: string) =>
    observe(target, { kind: 'answer', status, body, latencyMs: 1 });
  it('reads each ending as the README table says', () => {
    expect(answer(403, '{"error":{"code":403,"message":"flagged"}}')).toMatchObject({
      outcome: 'refused',
      error_code: '403',
    });
    expect(answer(408, '{"error":{"code":408,"message":"timed out"}}')).toMatchObject({ outcome: 'timeout' });
    expect(answer(502, '{"error":{"code":502,"message":"provider down"}}')).toMatchObject({
      outcome: 'failed',
      error_code: '502',
      error_message: 'provider down',
    });
    expect(answer(200, '<html>')).toMatchObject({
      outcome: 'failed',
      error_message: 'the answer is not a JSON object',
    });
    expect(
      answer(
        200,
        '{"provider":"Google","choices":[{"finish_reason":"content_filter"}],"usage":{"prompt_tokens":5,"completion_tokens":0,"cost":0}}',
      ),
    ).toMatchObject({ outcome: 'refused', error_code: 'content_filter' });
    expect(observe(target, { kind: 'network_error', message: 'ECONNREFUSED', latencyMs: 1 })).toMatchObject({
      outcome: 'failed',
      error_code: 'network',
    });
  });

  it('knows the provider by its slugified name or by the name the catalog holds', () => {
    expect(
      sameProvider({ ...target, provider: 'amazon-bedrock', provider_name: null }, 'Amazon Bedrock'),
    ).toBe(true);
    // "Google" is google-vertex's display name: only the catalog's name tells.
    expect(sameProvider(target, 'Google')).toBe(true);
    expect(sameProvider({ ...target, provider_name: null }, 'Google')).toBe(false);
    expect(sameProvider(target, 'Google AI Studio')).toBe(false);
  });
});

describe('money as the answer wrote it', () => {
  it("takes the key's decimal text from the raw body, exponent forms made plain, other keys skipped", () => {
    const body = '{"choices":[{"message":{"content":"{\\"cost\\": 5}"}}],"usage":{"cost":4.8e-05}}';
    expect(rawDecimal(body, 'cost', 4.8e-5)).toBe('0.000048');
    expect(rawDecimal('{"cost":0.0004970133333333333}', 'cost', 0.0004970133333333333)).toBe(
      '0.0004970133333333333',
    );
    expect(rawDecimal('{}', 'cost', null)).toBeNull();
  });
});

describe('config', () => {
  it('is off without a key, needs the database with one, and names a bad variable', () => {
    const base = { KAFKA_BROKERS: '127.0.0.1:9092' };
    expect(loadVerifierConfig(base).OPENROUTER_API_KEY).toBeUndefined();
    expect(() => loadVerifierConfig({ ...base, OPENROUTER_API_KEY: 'sk-or-x' })).toThrow(/DATABASE_URL/);
    expect(() => loadVerifierConfig({ ...base, VERIFIER_SPEND_CAP_USD: '$5' })).toThrow(
      /VERIFIER_SPEND_CAP_USD/,
    );
  });
});

describe('summary', () => {
  it('says what was probed, flagged and spent', () => {
    expect(
      formatSummary({
        disabled: false,
        sampled: 3,
        probed: 2,
        outcomes: { charged: 1, timeout: 1 },
        discrepancies: 1,
        spent: '0.0002',
        skipped: [{ model_id: 'a', provider: 'b', reason: 'spend cap: ...' }],
        stoppedBy: 'spend cap: ...',
      }),
    ).toBe(
      'verifier: 2 of 3 sampled pairs probed (charged 1, timeout 1), 1 discrepancy, spent $0.0002; stopped: spend cap: ...; 1 skipped',
    );
  });
});
