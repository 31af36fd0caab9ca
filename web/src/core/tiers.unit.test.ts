// Oracle: web/README.md "Tiers in words" (the expected sentences are written from the rule).
import { describe, expect, it } from 'vitest';
import { clockTime, tierConditions, tierText, tokenCount, type StoredTier } from './tiers.ts';

const tier = (t: Partial<StoredTier>): StoredTier => ({
  label: 'x',
  prompt_tokens_gte: null,
  prompt_tokens_gt: null,
  utc_start: null,
  utc_end: null,
  variant: null,
  other: [],
  prices: [],
  ...t,
});

describe('token counts', () => {
  it.each([
    [200000, '200K'],
    [272000, '272K'],
    [1000000, '1M'],
    [2000000, '2M'],
    [131072, '131,072'],
    [1500000, '1,500K'],
    [999, '999'],
    [0, '0'],
  ])('%d → %s', (n, text) => expect(tokenCount(n)).toBe(text));
});

describe('tiers in words', () => {
  it('a long-context tier, strict and inclusive', () => {
    expect(
      tierText(
        tier({
          prompt_tokens_gt: 200000,
          prices: [
            { dimension: 'completion', amount: '22.50000000' },
            { dimension: 'prompt', amount: '6.00000000' },
          ],
        }),
      ),
    ).toBe('prompt > 200K tokens: input $6.00, output $22.50');
    expect(tierConditions(tier({ prompt_tokens_gte: 272000 }))).toBe('prompt ≥ 272K tokens');
  });
  it('a time-of-day window, wrapping midnight, and all day', () => {
    expect(
      tierText(tier({ utc_start: 990, utc_end: 30, prices: [{ dimension: 'prompt', amount: '0.66' }] })),
    ).toBe('UTC 16:30–00:30: input $0.66');
    expect(tierConditions(tier({ utc_start: 600, utc_end: 60 }))).toBe('UTC 10:00–01:00');
    expect(tierConditions(tier({ utc_start: 0, utc_end: 0 }))).toBe('UTC all day');
    expect(clockTime(1440)).toBe('00:00');
  });
  it('a variant, other conditions, several joined by "and", and none', () => {
    expect(
      tierText(
        tier({
          variant: 'google-vertex/eu',
          prices: [
            { dimension: 'discount', amount: '0.00000000' },
            { dimension: 'prompt', amount: '1.25000000' },
          ],
        }),
      ),
    ).toBe('variant google-vertex/eu: input $1.25, discount 0%');
    expect(
      tierConditions(
        tier({ prompt_tokens_gte: 128000, utc_start: 60, utc_end: 240, other: ['utc_days=sat'] }),
      ),
    ).toBe('prompt ≥ 128K tokens and UTC 01:00–04:00 and utc_days=sat');
    expect(tierConditions(tier({}))).toBe('always');
    expect(tierText(tier({ variant: 'fp8' }))).toBe('variant fp8');
  });
  it('per-unit prices name their unit', () => {
    expect(
      tierText(tier({ prompt_tokens_gt: 200000, prices: [{ dimension: 'web_search', amount: '0.014' }] })),
    ).toBe('prompt > 200K tokens: web search $0.014 per search');
  });
});
