// The LiteLLM export checked against the real LiteLLM map (../shared/data/formats: LiteLLM has no
// JSON Schema; its own check is a dict in its tests): every key we emit is a key of that map with the
// same JSON type (a `*_above_<T>_tokens` key by its family, since LiteLLM reads T from the key name),
// and the `openrouter/*` entries equal OpenRouter's own prices of a recorded /models day.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isRecord } from '@llmpt/core';
import { sharedData } from '@llmpt/core/paths';
import type { PriceTier } from '@llmpt/schemas';
import { entriesOf, recordedSnapshotCaptures } from '@llmpt/testkit/oracle';
import { snapshotOf } from '../testing/recorded.ts';
import { stableJson } from './json.ts';
import { toLiteLLM } from './litellm.ts';
import type { PriceEntry, PricePeriod } from './snapshot.ts';

const REAL = JSON.parse(
  readFileSync(sharedData('formats', 'litellm-model_prices_agtlog-vendored_2026-07-25.json'), 'utf8'),
) as Record<string, Record<string, unknown>>;

const jsonType = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

/** Every key of the real map and the JSON types its values take; nested object keys too. */
function realKeys(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (k: string, v: unknown) => out.set(k, (out.get(k) ?? new Set()).add(jsonType(v)));
  for (const [name, entry] of Object.entries(REAL)) {
    if (name === 'sample_spec' || !isRecord(entry)) continue;
    for (const [k, v] of Object.entries(entry)) {
      add(k, v);
      if (isRecord(v)) for (const [kk, vv] of Object.entries(v)) add(`${k}.${kk}`, vv);
    }
  }
  return out;
}

const ABOVE = /_above_(\d+k?)_tokens$/;

const captures = recordedSnapshotCaptures();
const lastDay = captures[captures.length - 1]!;
const out = toLiteLLM(snapshotOf([lastDay]));

describe('LiteLLM model_prices_and_context_window.json from a recorded OpenRouter day', () => {
  it('every key we emit is a key of the real LiteLLM map with the same JSON type', () => {
    const real = realKeys();
    const families = [...real.keys()].filter((k) => ABOVE.test(k)).map((k) => k.replace(ABOVE, ''));
    const problems: string[] = [];
    let tierKeys = 0;
    for (const [name, entry] of Object.entries(out.map))
      for (const [k, v] of Object.entries(entry)) {
        const keys = isRecord(v) ? Object.entries(v).map(([kk, vv]) => [`${k}.${kk}`, vv] as const) : [];
        for (const [key, val] of [[k, v] as const, ...keys]) {
          if (ABOVE.test(key)) {
            tierKeys++;
            if (!families.includes(key.replace(ABOVE, '')) || typeof val !== 'number')
              problems.push(`${name}: ${key} is no tier key family of LiteLLM's`);
            continue;
          }
          const types = real.get(key);
          if (!types) problems.push(`${name}: ${key} is not a LiteLLM key`);
          else if (!types.has(jsonType(val)))
            problems.push(`${name}: ${key} is ${jsonType(val)}, LiteLLM's ${[...types].join('/')}`);
        }
      }
    expect(problems).toEqual([]);
    expect(Object.keys(out.map).length).toBeGreaterThan(300);
    expect(tierKeys).toBeGreaterThan(20);
  });

  it("the openrouter/* entries equal OpenRouter's own prices of that day, tiers included", () => {
    const keys: [string, string][] = [
      ['prompt', 'input_cost_per_token'],
      ['completion', 'output_cost_per_token'],
      ['internal_reasoning', 'output_cost_per_reasoning_token'],
      ['input_cache_read', 'cache_read_input_token_cost'],
      ['input_cache_write', 'cache_creation_input_token_cost'],
      ['input_cache_write_1h', 'cache_creation_input_token_cost_above_1hr'],
    ];
    let compared = 0;
    let exact = 0;
    const problems: string[] = [];
    const check = (where: string, ours: unknown, published: unknown) => {
      if (typeof published !== 'string' || published === '-1' || Number.isNaN(Number(published))) return;
      compared++;
      const theirs = Number(published);
      if (ours === theirs) exact++;
      // Scale 8 per 1M is 1e-14 per token: a longer published decimal is a float artifact.
      else if (typeof ours !== 'number' || Math.abs(ours - theirs) > 0.5e-14)
        problems.push(`${where}: ours ${String(ours)}, OpenRouter ${published}`);
    };
    for (const m of entriesOf(lastDay.body)) {
      if (!isRecord(m) || !isRecord(m.pricing) || typeof m.id !== 'string') continue;
      const entry = out.map[`openrouter/${m.id}`];
      if (!entry) continue;
      for (const [ours, key] of keys) check(`${m.id} ${ours}`, entry[key], m.pricing[ours]);
      const overrides = Array.isArray(m.pricing.overrides) ? m.pricing.overrides : [];
      for (const o of overrides)
        if (isRecord(o) && typeof o.min_prompt_tokens === 'number' && Object.keys(o).length > 1)
          for (const [ours, key] of keys.filter(([d]) => d !== 'internal_reasoning'))
            check(
              `${m.id} ${ours} >= ${o.min_prompt_tokens}`,
              entry[`${key}_above_${o.min_prompt_tokens - 1}_tokens`],
              o[ours],
            );
    }
    expect(problems).toEqual([]);
    expect(compared).toBeGreaterThan(700);
    expect(exact / compared).toBeGreaterThan(0.95);
  });

  it('is deterministic and reports what it cannot carry', () => {
    const again = toLiteLLM(snapshotOf([lastDay]));
    expect(stableJson(again.map)).toBe(stableJson(out.map));
    expect(out.caveats.some((c) => c.reason.includes('time-of-day'))).toBe(true);
  });
});

describe('LiteLLM mapping rules (README), one by one', () => {
  const tier = (over: Partial<PriceTier>): PriceTier => ({
    label: 'x',
    prompt_tokens_gte: null,
    prompt_tokens_gt: null,
    utc_start: null,
    utc_end: null,
    variant: null,
    other: [],
    prices: [],
    ...over,
  });
  const period = (over: Partial<PricePeriod>): PricePeriod => ({
    effective_from: '2026-08-01T06:00:00.000Z',
    observed_at: '2026-08-02T06:00:00.000Z',
    source_url: 'https://acme.example/pricing',
    base: [
      { dimension: 'prompt', amount: '1.25000000' },
      { dimension: 'completion', amount: '10.00000000' },
      { dimension: 'web_search', amount: '0.01000000' },
    ],
    tiers: [],
    ...over,
  });
  const e = (p: PricePeriod, over: Partial<PriceEntry> = {}): PriceEntry => ({
    price_key: 'acme/m|Acme|provider_site',
    model_id: 'acme/m',
    provider: 'Acme',
    source_type: 'provider_site',
    name: null,
    context_length: 1_000_000,
    periods: [p],
    ...over,
  });
  const at = '2026-08-20T00:00:00.000Z';

  it('a strict "> 200k" page tier is _above_200k_tokens; an inclusive ">= 200000" is _above_199999_tokens', () => {
    const strict = period({
      tiers: [
        tier({ prompt_tokens_gt: 200_000, prices: [{ dimension: 'completion', amount: '15.00000000' }] }),
      ],
    });
    const inclusive = period({
      tiers: [tier({ prompt_tokens_gte: 200_000, prices: [{ dimension: 'prompt', amount: '2.50000000' }] })],
    });
    const r = toLiteLLM({ at, entries: [e(strict), e(inclusive, { price_key: 'k2', provider: 'Beta' })] });
    expect(r.map['acme/acme/m']).toEqual({
      litellm_provider: 'acme',
      mode: 'chat',
      input_cost_per_token: 0.00000125,
      output_cost_per_token: 0.00001,
      // LiteLLM looks a tier up by its input key: written even where the input rate does not move.
      input_cost_per_token_above_200k_tokens: 0.00000125,
      output_cost_per_token_above_200k_tokens: 0.000015,
      search_context_cost_per_query: {
        search_context_size_high: 0.01,
        search_context_size_low: 0.01,
        search_context_size_medium: 0.01,
      },
      max_input_tokens: 1_000_000,
      source: 'https://acme.example/pricing',
    });
    expect(r.map['beta/acme/m']!.input_cost_per_token_above_199999_tokens).toBe(0.0000025);
  });

  it("OpenRouter endpoint prices have no LiteLLM key; a provider's page wins over the web fallback", () => {
    const r = toLiteLLM({
      at,
      entries: [
        e(period({}), { price_key: 'w', source_type: 'web_fallback' }),
        e(period({}), { price_key: 's' }),
        e(period({}), { price_key: 'o', source_type: 'openrouter_endpoints' }),
      ],
    });
    expect(Object.keys(r.map)).toEqual(['acme/acme/m']);
    expect(r.map['acme/acme/m']!.source).toBe('https://acme.example/pricing');
    expect(r.skipped.map((s) => s.price_key).sort()).toEqual(['o', 'w']);
  });
});
