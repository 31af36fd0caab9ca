// From services/api/README.md "Cost of a call": the request fields, the format table, the order of
// the answer. The pricing is the consumer's and is tested there.
import { describe, expect, it } from 'vitest';
import type { PriceInForce } from '@llmpt/consumer/pricing';
import {
  cheapestFirst,
  compareDecimal,
  costRequestOfBody,
  costRequestOfQuery,
  formatsOf,
  MAX_GET_USAGE,
  providersOf,
  usageInputOf,
  type CostItem,
} from './cost.ts';

describe('the usage’s format, detected from its keys (README table)', () => {
  it.each([
    [{ prompt_tokens: 1, completion_tokens: 2 }, ['openai']],
    [{ completion_tokens: 2 }, ['openai']],
    [{ prompt_tokens: 1, completion_tokens: 2, cost: 0.1 }, ['openrouter']],
    [{ prompt_tokens: 1, is_byok: false }, ['openrouter']],
    [{ prompt_tokens: 1, cost_details: {} }, ['openrouter']],
    [{ prompt_tokens: 1, prompt_tokens_details: { cache_write_tokens: 0 } }, ['openrouter']],
    [{ prompt_tokens: 1, prompt_tokens_details: { cached_tokens: 0 } }, ['openai']],
    [{ input_tokens: 1, output_tokens: 2 }, ['anthropic']],
    [{ output_tokens: 2 }, ['anthropic']],
    [{ promptTokenCount: 3 }, ['gemini']],
    [{ usageMetadata: { promptTokenCount: 3 } }, ['gemini']],
    [{ billed_units: { input_tokens: 1 } }, ['cohere']],
    [{ meta: { billed_units: { input_tokens: 1 } } }, ['cohere']],
    [{ prompt_tokens: 1, input_tokens: 1 }, ['openai', 'anthropic']],
    [{ tokens: 5 }, []],
    [{ meta: { api_version: 2 } }, []],
  ])('%j → %j', (usage, formats) => {
    expect(formatsOf(usage)).toEqual(formats);
  });

  it('a usage fitting several formats is USAGE_AMBIGUOUS naming them; none is USAGE_FORMAT_UNKNOWN naming all', () => {
    const both = usageInputOf({ prompt_tokens: 1, input_tokens: 1 }, undefined);
    expect(both).toMatchObject({ ok: false, code: 'USAGE_AMBIGUOUS' });
    expect(!both.ok && both.message).toMatch(/openai, anthropic/);
    const none = usageInputOf({ tokens: 1 }, undefined);
    expect(none).toMatchObject({ ok: false, code: 'USAGE_FORMAT_UNKNOWN' });
    expect(!none.ok && none.message).toMatch(/openai, openrouter, anthropic, gemini, cohere/);
  });

  it('an explicit format wins over detection; the gemini and cohere wrappers are unwrapped', () => {
    const u = { prompt_tokens: 1, input_tokens: 1 };
    expect(usageInputOf(u, 'anthropic')).toEqual({ ok: true, value: { format: 'anthropic', usage: u } });
    expect(usageInputOf({ usageMetadata: { promptTokenCount: 3 } }, undefined)).toEqual({
      ok: true,
      value: { format: 'gemini', usageMetadata: { promptTokenCount: 3 } },
    });
    expect(usageInputOf({ promptTokenCount: 3 }, 'gemini')).toEqual({
      ok: true,
      value: { format: 'gemini', usageMetadata: { promptTokenCount: 3 } },
    });
    for (const usage of [
      { meta: { billed_units: { input_tokens: 1 } } },
      { billed_units: { input_tokens: 1 } },
    ])
      expect(usageInputOf(usage, undefined)).toEqual({
        ok: true,
        value: { format: 'cohere', meta: { billed_units: { input_tokens: 1 } } },
      });
    expect(usageInputOf({ usageMetadata: 4 }, 'gemini')).toMatchObject({ ok: false, code: 'USAGE_INVALID' });
    expect(usageInputOf({ input_tokens: 1 }, 'cohere')).toMatchObject({ ok: false, code: 'USAGE_INVALID' });
  });
});

describe('request fields', () => {
  it('provider=openrouter is the routed price (null); tier=base is the base alone (null)', () => {
    const r = costRequestOfBody({
      model: 'a/b',
      provider: 'openrouter',
      usage: {},
      tier: 'base',
      web_searches: 2,
      byok_requests_this_month: 7,
    });
    expect(r).toMatchObject({ provider: null, tier: null, webSearches: 2, byokRequestsThisMonth: 7 });
    expect(costRequestOfBody({ model: 'a/b', provider: 'anthropic', usage: {} })).toMatchObject({
      provider: 'anthropic',
      tier: undefined,
    });
    expect(costRequestOfBody({ model: 'a/b', usage: {} }).provider).toBeUndefined();
  });

  it('GET: usage is JSON text, counts are whole numbers; the same request as the POST body', () => {
    const usage = { prompt_tokens: 10, completion_tokens: 5 };
    const got = costRequestOfQuery({
      model: 'a/b',
      provider: 'openrouter',
      at: '2026-08-19',
      usage: JSON.stringify(usage),
      images: '2',
      web_searches: '0',
      byok_requests_this_month: '3',
    });
    expect(got).toEqual({
      ok: true,
      value: costRequestOfBody({
        model: 'a/b',
        provider: 'openrouter',
        at: '2026-08-19',
        usage,
        images: 2,
        web_searches: 0,
        byok_requests_this_month: 3,
      }),
    });
  });

  it.each([
    [{ usage: '{' }, /usage: not JSON/],
    [{ usage: '[1]' }, /usage: not a JSON object/],
    [{ usage: '3' }, /usage: not a JSON object/],
    [{ usage: '{}', images: '-1' }, /images: "-1" is not a whole number/],
    [{ usage: '{}', web_searches: '1.5' }, /web_searches: "1.5"/],
    [{ usage: '{}', byok_requests_this_month: 'x' }, /byok_requests_this_month/],
    [{ usage: `{"a":"${'x'.repeat(MAX_GET_USAGE)}"}` }, /longer than 1500 characters/],
  ])('GET %j → 400 %s', (q, message) => {
    const got = costRequestOfQuery({ model: 'a/b', ...q });
    expect(got).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
    expect(!got.ok && got.message).toMatch(message);
  });
});

describe('the answer', () => {
  it('decimal strings compare as numbers, not as text', () => {
    expect(compareDecimal('0.0045', '0.01')).toBeLessThan(0);
    expect(compareDecimal('10', '9.99')).toBeGreaterThan(0);
    expect(compareDecimal('0.10', '0.1')).toBe(0);
    expect(compareDecimal('2', '2.000001')).toBeLessThan(0);
    expect(compareDecimal('0', '0.00000000000001')).toBeLessThan(0);
  });

  it('costs are cheapest first by catalog_total, then by price_key', () => {
    const item = (price_key: string, catalog_total: string) => ({ price_key, catalog_total }) as CostItem;
    expect(
      cheapestFirst([item('c', '0.01'), item('b', '0.0045'), item('a', '0.01'), item('d', '0.009')]).map(
        (i) => i.price_key,
      ),
    ).toEqual(['b', 'd', 'a', 'c']);
  });

  it('one entry per provider of the price rows, the routed price (null) included once', () => {
    const row = (provider: string | null) => ({ provider }) as PriceInForce;
    expect(providersOf([row('google'), row(null), row('anthropic'), row('google')])).toEqual([
      null,
      'anthropic',
      'google',
    ]);
  });
});
