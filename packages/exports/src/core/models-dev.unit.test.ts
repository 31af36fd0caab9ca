// The models.dev export read by @tokenlens/helpers (which resolves a model from a models.dev api.json
// and prices usage from its `cost`): every routed model of a recorded OpenRouter day gives our per-1M
// prices back. Every key we write (provider, model, cost, tiers, limit) is a key of the real models.dev
// api.json (../shared/data/formats) with the same JSON type.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getTokenCosts } from '@tokenlens/helpers';
import { isRecord } from '@llmpt/core';
import { sharedData } from '@llmpt/core/paths';
import { recordedSnapshotCaptures } from '@llmpt/testkit/oracle';
import type { PriceTier } from '@llmpt/schemas';
import { snapshotOf } from '../testing/recorded.ts';
import { current, type PriceEntry, type PricePeriod } from './snapshot.ts';
import { toModelsDev } from './models-dev.ts';

const REAL = JSON.parse(
  readFileSync(sharedData('formats', 'models-dev-api_symfony-models-dev_2026-06-13.json'), 'utf8'),
) as unknown;

const jsonType = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

/** Paths of a value with provider ids, model ids and array indexes generalized: `*.models.*.cost.tiers[].tier.size`. */
function paths(v: unknown, at: string, out: Map<string, Set<string>>, depth = 0): void {
  out.set(at, (out.get(at) ?? new Set()).add(jsonType(v)));
  if (Array.isArray(v)) for (const x of v) paths(x, `${at}[]`, out, depth + 1);
  else if (isRecord(v))
    for (const [k, x] of Object.entries(v)) {
      const key = depth === 0 || at.endsWith('.models') ? '*' : k;
      paths(x, `${at}.${key}`, out, depth + 1);
    }
}

const captures = recordedSnapshotCaptures();
const snapshot = snapshotOf([captures[captures.length - 1]!]);
const out = toModelsDev(snapshot);

describe('models.dev api.json from a recorded OpenRouter day', () => {
  it('every key we write is a key of the real models.dev api.json with the same JSON type', () => {
    const real = new Map<string, Set<string>>();
    paths(REAL, '$', real);
    const ours = new Map<string, Set<string>>();
    paths(out.api, '$', ours);
    const problems = [...ours].flatMap(([p, types]) => {
      const theirs = real.get(p);
      if (!theirs) return [`${p} is not in models.dev's api.json`];
      return [...types]
        .filter((t) => !theirs.has(t))
        .map((t) => `${p} is ${t}, models.dev's ${[...theirs].join('/')}`);
    });
    expect(problems).toEqual([]);
    expect(ours.has('$.*.models.*.cost.tiers[].tier.size')).toBe(true);
  });

  it('@tokenlens/helpers reads it and gives our per-1M prices for every routed model', () => {
    const providers = { openrouter: out.api.openrouter! };
    // One million of each: each USD component is the price per 1M tokens.
    const usage = {
      input: 1e6,
      output: 1e6,
      total: 2e6,
      cacheReads: 1e6,
      cacheWrites: 1e6,
      reasoningTokens: 1e6,
    };
    const price = (p: PricePeriod, d: string) => {
      const b = p.base.find((x) => x.dimension === d);
      return b === undefined ? undefined : Number(b.amount);
    };
    let compared = 0;
    const problems: string[] = [];
    for (const e of snapshot.entries) {
      if (e.source_type !== 'openrouter_api' || e.model_id !== e.model_id.toLowerCase()) continue;
      const p = current(e);
      if (p.tiers.some((t) => t.variant !== null || t.other.length > 0)) continue;
      const got = getTokenCosts(`openrouter:${e.model_id}`, usage, providers);
      const want = {
        inputUSD: price(p, 'prompt'),
        outputUSD: price(p, 'completion'),
        reasoningUSD: price(p, 'internal_reasoning'),
        cacheReadUSD: price(p, 'input_cache_read'),
        cacheWriteUSD: price(p, 'input_cache_write'),
      };
      for (const [k, v] of Object.entries(want)) {
        const g = (got as Record<string, number | undefined>)[k];
        if (v === undefined ? g !== undefined : g === undefined || Math.abs(g - v) > Math.abs(v) * 1e-12)
          problems.push(`${e.model_id} ${k}: tokenlens ${String(g)}, ours ${String(v)}`);
      }
      compared++;
    }
    expect(problems).toEqual([]);
    expect(compared).toBeGreaterThan(300);
  });
});

describe('models.dev mapping rules (README)', () => {
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
  const e: PriceEntry = {
    price_key: 'google/gemini-2.5-pro||openrouter_api',
    model_id: 'google/gemini-2.5-pro',
    provider: null,
    source_type: 'openrouter_api',
    name: 'Gemini 2.5 Pro',
    context_length: 1_048_576,
    periods: [
      {
        effective_from: '2026-08-01T06:00:00.000Z',
        observed_at: '2026-08-01T06:00:00.000Z',
        source_url: 'https://openrouter.ai/api/v1/models',
        base: [
          { dimension: 'prompt', amount: '1.25000000' },
          { dimension: 'completion', amount: '10.00000000' },
          { dimension: 'input_cache_write_1h', amount: '2.50000000' },
        ],
        tiers: [
          tier({
            prompt_tokens_gte: 200_000,
            prices: [
              { dimension: 'prompt', amount: '2.50000000' },
              { dimension: 'completion', amount: '15.00000000' },
            ],
          }),
        ],
      },
    ],
  };

  it('a >= 200000 tier is size 199999 (context over it), with every cost key; the first tier is also context_over_200k', () => {
    const r = toModelsDev({ at: '2026-08-02T00:00:00.000Z', entries: [e] });
    expect(r.api.openrouter!.models['google/gemini-2.5-pro']).toEqual({
      id: 'google/gemini-2.5-pro',
      name: 'Gemini 2.5 Pro',
      cost: {
        input: 1.25,
        output: 10,
        tiers: [{ input: 2.5, output: 15, tier: { size: 199_999, type: 'context' } }],
        context_over_200k: { input: 2.5, output: 15 },
      },
      limit: { context: 1_048_576 },
    });
    expect(r.caveats).toEqual([
      { price_key: e.price_key, reason: 'no models.dev cost key for input_cache_write_1h' },
    ]);
  });
});
