// Any price the source publishes, base and tiers, survives the whole way unchanged: OpenRouter's
// `/models` entry → discovery → scraper → normalizer → Avro bytes → sink → Postgres → price_at → the
// cost of a call. The expected values come from the generated strings and docs/price-model.md §2 (per
// token × 10^6 = USD per 1M; a tier applies when all its conditions hold, later tiers win per key,
// a key a tier does not name inherits the base), computed here with decimal.js, not by the code.
import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent } from '@llmpt/schemas';
import { discoverModels, emptyBlocklist } from '@llmpt/discovery';
import { routedPriceObservation } from '@llmpt/scraper';
import { normalizeAndDecide } from '@llmpt/normalizer';
import { createPostgresStore, project, type DecodedEvent, type PriceStore } from '@llmpt/sink';
import { callPriceOf, costOfCall, priceAtPg } from '@llmpt/consumer';
import { freshDatabase, type FreshDatabase } from '@llmpt/testkit';

const D = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -100, toExpPos: 100 });
const MILLION = new D(1_000_000);

/** OpenRouter key → the dimension docs/price-model.md §1 says it feeds (token keys only). */
const TOKEN_KEYS = {
  prompt: 'prompt',
  completion: 'completion',
  internal_reasoning: 'internal_reasoning',
  input_cache_read: 'input_cache_read',
  input_cache_write: 'input_cache_write',
  input_cache_write_1h: 'input_cache_write_1h',
  audio: 'input_audio',
  input_audio_cache: 'input_audio_cache',
  audio_output: 'audio_output',
  image_output: 'image_output',
} as const;
type TokenKey = keyof typeof TOKEN_KEYS;
const OPTIONAL_KEYS = Object.keys(TOKEN_KEYS).filter(
  (k) => k !== 'prompt' && k !== 'completion',
) as TokenKey[];

/** A price per 1M tokens at scale 8, as the per-token string OpenRouter would publish for it. */
const perToken = fc
  .bigInt({ min: 0n, max: 10n ** 11n })
  .map((n) => new D(n.toString()).div(1e8).div(MILLION).toFixed());
const perUnit = fc.bigInt({ min: 0n, max: 10n ** 9n }).map((n) => new D(n.toString()).div(1e8).toFixed());

const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
  .map(([h, m]) => h * 100 + m);

interface Override {
  readonly conditions: { min_prompt_tokens?: number; utc_start?: number; utc_end?: number };
  readonly prices: Partial<Record<TokenKey, string>>;
}

const conditions = fc.oneof(
  fc.record({ min_prompt_tokens: fc.integer({ min: 1, max: 2_000_000 }) }),
  fc.record({ utc_start: hhmm, utc_end: hhmm }).filter((w) => w.utc_start !== w.utc_end),
  fc.record({ min_prompt_tokens: fc.integer({ min: 1, max: 2_000_000 }), utc_start: hhmm, utc_end: hhmm }),
);
const tierPrices = fc
  .subarray(Object.keys(TOKEN_KEYS) as TokenKey[], { minLength: 1 })
  .chain((keys) =>
    fc.record(Object.fromEntries(keys.map((k) => [k, perToken])) as Record<TokenKey, typeof perToken>),
  );

const published = fc.record({
  base: fc
    .subarray(OPTIONAL_KEYS)
    .chain((keys) =>
      fc.record(
        Object.fromEntries(['prompt', 'completion', ...keys].map((k) => [k, perToken])) as Record<
          TokenKey,
          typeof perToken
        >,
      ),
    ),
  request: fc.option(perUnit, { nil: undefined }),
  overrides: fc.uniqueArray(fc.record({ conditions, prices: tierPrices }), {
    maxLength: 3,
    selector: (o) => JSON.stringify(o.conditions),
  }),
  call: fc.record({
    promptTokens: fc.integer({ min: 0, max: 2_500_000 }),
    cachedShare: fc.integer({ min: 0, max: 100 }),
    completionTokens: fc.integer({ min: 0, max: 100_000 }),
    minuteOfDay: fc.integer({ min: 0, max: 1439 }),
    // Half the calls sit on a tier's threshold (−1, exactly, +1): where an off-by-one would hide.
    onThreshold: fc.option(fc.integer({ min: -1, max: 1 }), { nil: undefined }),
  }),
});
type Published = {
  base: Partial<Record<TokenKey, string>>;
  request: string | undefined;
  overrides: Override[];
  call: {
    promptTokens: number;
    cachedShare: number;
    completionTokens: number;
    minuteOfDay: number;
    onThreshold: number | undefined;
  };
};

/** The call's prompt size: the generated one, or a tier threshold moved by −1, 0 or +1. */
function promptTokensOf(p: Published): number {
  const threshold = p.overrides.find((o) => o.conditions.min_prompt_tokens !== undefined)?.conditions
    .min_prompt_tokens;
  if (threshold === undefined || p.call.onThreshold === undefined) return p.call.promptTokens;
  return Math.max(0, threshold + p.call.onThreshold);
}

const per1M = (token: string): string => new D(token).times(MILLION).toFixed(8);
const minutes = (v: number): number => Math.floor(v / 100) * 60 + (v % 100);

/** §2: does the override apply to a call of `prompt` tokens at `minute` after UTC midnight? */
function applies(o: Override, prompt: number, minute: number): boolean {
  const c = o.conditions;
  if (c.min_prompt_tokens !== undefined && !(prompt >= c.min_prompt_tokens)) return false;
  if (c.utc_start !== undefined && c.utc_end !== undefined) {
    const [s, e] = [minutes(c.utc_start), minutes(c.utc_end)];
    const inside = s < e ? minute >= s && minute < e : minute >= s || minute < e;
    if (!inside) return false;
  }
  return true;
}

/** The rate a key is billed at for the call: the last applicable override naming it, else the base. */
function rateOf(p: Published, key: TokenKey, prompt: number, minute: number): Decimal | null {
  let rate = p.base[key];
  for (const o of p.overrides)
    if (applies(o, prompt, minute) && o.prices[key] !== undefined) rate = o.prices[key];
  return rate === undefined ? null : new D(rate).times(MILLION);
}

const T0 = Date.UTC(2026, 8, 1, 0, 0, 0);

describe('a published price survives raw → normalized → Avro → Postgres → price_at → cost of a call', () => {
  let db: FreshDatabase;
  let client: pg.Client;
  let store: PriceStore;
  let n = 0;

  beforeAll(async () => {
    db = await freshDatabase('price_model_property');
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    store = createPostgresStore({ databaseUrl: db.url });
  });
  afterAll(async () => {
    await store?.close();
    await client?.end();
    await db?.drop();
  });

  it('base, tiers and the cost of a call are what the source published', async () => {
    await fc.assert(
      fc.asyncProperty(published, async (generated) => {
        const p = generated as Published;
        const modelId = `property/model-${n++}`;
        const fetchedAt = T0 + n * 60_000;
        const entry = {
          id: modelId,
          name: modelId,
          pricing: {
            ...p.base,
            ...(p.request === undefined ? {} : { request: p.request }),
            ...(p.overrides.length === 0
              ? {}
              : { overrides: p.overrides.map((o) => ({ ...o.conditions, ...o.prices })) }),
          },
        };
        const { events } = discoverModels([entry], {
          runId: 'property',
          fetchedAt,
          sourceUrl: 'https://openrouter.ai/api/v1/models',
          blocklist: emptyBlocklist,
        });
        const raw = routedPriceObservation(events[0]!, { runId: 'property', fetchedAt });
        const { normalized } = normalizeAndDecide(new Map(), raw);
        const decoded = decodeEvent(encodeEvent('NormalizedPrice', normalized)) as DecodedEvent;
        await store.writeBatch(project([decoded]));

        const rows = await priceAtPg(client, { modelId, at: fetchedAt + 1 });
        expect(rows).toHaveLength(1);
        const row = rows[0]!;

        // Base and tiers, per dimension, as published (USD per 1M at scale 8, money as strings).
        const base = Object.entries(p.base).map(([k, v]) => [TOKEN_KEYS[k as TokenKey], per1M(v)]);
        if (p.request !== undefined) base.push(['request', new D(p.request).toFixed(8)]);
        expect(Object.fromEntries(row.base.map((x) => [x.dimension, x.amount]))).toEqual(
          Object.fromEntries(base),
        );
        expect(row.tiers).toHaveLength(p.overrides.length);
        p.overrides.forEach((o, i) => {
          const t = row.tiers[i]!;
          expect(t.prompt_tokens_gte).toBe(o.conditions.min_prompt_tokens ?? null);
          expect(t.prompt_tokens_gt).toBeNull();
          expect([t.utc_start, t.utc_end]).toEqual(
            o.conditions.utc_start === undefined
              ? [null, null]
              : [minutes(o.conditions.utc_start), minutes(o.conditions.utc_end!)],
          );
          expect(Object.fromEntries(t.prices.map((x) => [x.dimension, x.amount]))).toEqual(
            Object.fromEntries(
              Object.entries(o.prices).map(([k, v]) => [TOKEN_KEYS[k as TokenKey], per1M(v)]),
            ),
          );
        });
        // The seed columns: the highest value over base and tiers.
        for (const [key, dim] of Object.entries(TOKEN_KEYS)) {
          const values = [p.base, ...p.overrides.map((o) => o.prices)]
            .map((prices) => prices[key as TokenKey])
            .filter((v): v is string => v !== undefined)
            .map((v) => new D(v).times(MILLION));
          const highest = values.length === 0 ? null : D.max(...values).toFixed(8);
          expect(row[dim], dim).toBe(highest);
        }

        // The cost of one call: prompt tokens (cached ones read at the cache rate) and completion.
        const { completionTokens, minuteOfDay } = p.call;
        const promptTokens = promptTokensOf(p);
        const cached =
          p.base.input_cache_read === undefined ? 0 : Math.floor((promptTokens * p.call.cachedShare) / 100);
        const at = T0 + 86_400_000 * 3 + minuteOfDay * 60_000;
        const cost = costOfCall(
          {
            format: 'openai',
            usage: {
              prompt_tokens: promptTokens,
              completion_tokens: completionTokens,
              prompt_tokens_details: { cached_tokens: cached },
            },
          },
          callPriceOf(row),
          { at },
        );
        const prompt = rateOf(p, 'prompt', promptTokens, minuteOfDay)!;
        const completion = rateOf(p, 'completion', promptTokens, minuteOfDay)!;
        const cacheRead = rateOf(p, 'input_cache_read', promptTokens, minuteOfDay) ?? prompt;
        const expected = prompt
          .times(promptTokens - cached)
          .plus(cacheRead.times(cached))
          .plus(completion.times(completionTokens))
          .div(MILLION)
          .plus(p.request === undefined ? 0 : new D(p.request));
        expect(new D(cost.total).eq(expected), `${cost.total} vs ${expected.toFixed()}`).toBe(true);
      }),
      { numRuns: 80 },
    );
  });
});
