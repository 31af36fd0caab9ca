// The genai-prices export checked by genai-prices itself: its JSON Schema (the v2 data schema from
// ../shared/data/formats, run by ajv) and its npm package loading the file through its custom-data
// path (updatePrices → setProviderData) and pricing usages at the same total as our costOfCall, the
// prompt-token tiers (at, below and above each threshold), the time-of-day windows and the effective
// start dates included. The prices come from recorded OpenRouter days run through the real stages.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { calcPrice, updatePrices, waitForUpdate, type Provider } from '@pydantic/genai-prices';
import { sharedData } from '@llmpt/core/paths';
import { costOfCall, type CallPrice, type UsageInput } from '@llmpt/consumer';
import { recordedSnapshotCaptures } from '@llmpt/testkit/oracle';
import type { PriceTier } from '@llmpt/schemas';
import { stableJson } from './json.ts';
import { current, type PriceEntry, type PricePeriod, type PriceSnapshot } from './snapshot.ts';
import { genaiProviderOf, toGenaiPrices, type GenaiExport } from './genai-prices.ts';
import { snapshotOf } from '../testing/recorded.ts';

const SCHEMA = sharedData('formats', 'genai-prices-v2-data.schema_genai-prices_2026-07-30.json');

function validator() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);
}

/** Load a data.json text into the genai-prices package the way a user points it at custom data. */
async function loadIntoGenaiPrices(text: string): Promise<void> {
  updatePrices(({ setProviderData }) => setProviderData(JSON.parse(text) as Provider[]));
  await waitForUpdate();
}

/** Our cost price of a period: its base and its tiers (what callPriceOf gives for a price_at row). */
function callPrice(p: PricePeriod): CallPrice {
  return {
    ...Object.fromEntries(p.base.map((b) => [b.dimension, b.amount])),
    tiers: p.tiers.map(({ prices, ...conditions }) => ({
      ...conditions,
      prices: Object.fromEntries(prices.map((x) => [x.dimension, x.amount])),
    })),
  };
}

interface Call {
  readonly input: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
  readonly output: number;
  readonly reasoning: number;
  readonly webSearches: number;
  readonly audioIn?: number;
  readonly audioOut?: number;
  readonly at: Date;
}

const ours = (c: Call): UsageInput => ({
  format: 'openrouter',
  usage: {
    prompt_tokens: c.input,
    completion_tokens: c.output,
    prompt_tokens_details: {
      cached_tokens: c.cacheRead,
      cache_write_tokens: c.cacheWrite,
      audio_tokens: c.audioIn ?? 0,
    },
    completion_tokens_details: { reasoning_tokens: c.reasoning, audio_tokens: c.audioOut ?? 0 },
  },
});

const theirs = (c: Call) => ({
  input_tokens: c.input,
  cache_read_tokens: c.cacheRead,
  cache_write_tokens: c.cacheWrite,
  output_tokens: c.output,
  output_reasoning_tokens: c.reasoning,
  web_searches: c.webSearches,
  input_audio_tokens: c.audioIn ?? 0,
  // OpenAI-shaped usage reports audio input as uncached: none of it is read from or written to a cache.
  cache_audio_read_tokens: 0,
  cache_audio_write_tokens: 0,
  output_audio_tokens: c.audioOut ?? 0,
});

/** Prompt sizes around every token threshold of a period (at, one below, one above) and small ones. */
function promptSizes(tiers: readonly PriceTier[]): number[] {
  const t = tiers.flatMap((x) => [x.prompt_tokens_gte, x.prompt_tokens_gt].filter((n) => n !== null));
  return [...new Set([1_000, 20_000, ...t.flatMap((n) => [n - 1, n, n + 1])])].sort((a, b) => a - b);
}

/** Minutes of the day around every window boundary (and noon), as times on `day`. */
function callTimes(tiers: readonly PriceTier[], day: string): Date[] {
  const edges = tiers.flatMap((x) => (x.utc_start === null ? [] : [x.utc_start, x.utc_end ?? x.utc_start]));
  const minutes = [...new Set([720, ...edges.flatMap((m) => [m, (m + 1439) % 1440])])];
  return minutes.map((m) => new Date(Date.parse(`${day}T00:00:00Z`) + m * 60_000));
}

function callsFor(p: PricePeriod, day: string): Call[] {
  // A search is counted only where it is priced (our cost refuses a used unit it has no price for).
  const searches = p.base.some((b) => b.dimension === 'web_search') ? 2 : 0;
  // Audio tokens where the model prices audio (input or output), so the audio keys are exercised.
  const audio = p.base.some((b) => ['input_audio', 'audio_output'].includes(b.dimension));
  return promptSizes(p.tiers).flatMap((input) =>
    callTimes(p.tiers, day).map((at) => ({
      input,
      cacheRead: Math.floor(input / 4),
      cacheWrite: Math.floor(input / 10),
      output: 1_500,
      reasoning: 500,
      webSearches: searches,
      ...(audio ? { audioIn: Math.floor(input / 20), audioOut: 100 } : {}),
      at,
    })),
  );
}

/** |a − b| within float noise of the total (genai-prices computes in doubles, we in decimals). */
function expectSameTotal(theirs: number, ours: string, what: string): void {
  const o = Number(ours);
  expect(Math.abs(theirs - o), `${what}: genai-prices ${theirs}, costOfCall ${ours}`).toBeLessThanOrEqual(
    Math.max(1e-15, Math.abs(o) * 1e-12),
  );
}

let snapshot: PriceSnapshot;
let out: GenaiExport;
let text: string;

beforeAll(async () => {
  snapshot = snapshotOf(recordedSnapshotCaptures());
  out = toGenaiPrices(snapshot);
  text = stableJson(out.providers);
  await loadIntoGenaiPrices(text);
});

const entry = (id: string): PriceEntry => {
  const e = snapshot.entries.find((x) => x.model_id === id && x.source_type === 'openrouter_api');
  if (!e) throw new Error(`no routed price of ${id} in the recorded days`);
  return e;
};

describe('genai-prices data.json from recorded OpenRouter days', () => {
  it("is valid against genai-prices' own v2 JSON Schema", () => {
    const validate = validator();
    const ok = validate(JSON.parse(text));
    expect(validate.errors ?? [], 'schema errors').toEqual([]);
    expect(ok).toBe(true);
    expect(out.providers.find((p) => p.id === 'openrouter')!.models.length).toBeGreaterThan(300);
  });

  it('skips nothing from these days (every routed price fits the format)', () => {
    expect(out.skipped).toEqual([]);
  });

  it('the file has the recorded tiers: a long-context cliff, two token tiers, time-of-day windows', () => {
    const models = new Map(out.providers.find((p) => p.id === 'openrouter')!.models.map((m) => [m.id, m]));
    const grok = models.get('x-ai/grok-4.6')!;
    // OpenRouter min_prompt_tokens 200000 is inclusive; genai-prices fires on tokens > start.
    expect(grok.prices).toMatchObject({
      input_mtok: { base: 2, tiers: [{ start: 199_999, price: 4 }] },
      output_mtok: { base: 6, tiers: [{ start: 199_999, price: 12 }] },
      web_searches_kcount: 5,
    });
    const deepseek = models.get('deepseek/deepseek-v4-pro-0813')!;
    expect(Array.isArray(deepseek.prices)).toBe(true);
    const windows = (deepseek.prices as readonly { constraint?: object }[]).filter(
      (c) => c.constraint && 'start_time' in c.constraint,
    );
    expect(windows.length).toBeGreaterThan(0);
    expect(deepseek.price_comments).toContain('https://openrouter.ai/api/v1/models');
  });

  it('@pydantic/genai-prices loads it and prices every model at the total of our costOfCall', () => {
    let calls = 0;
    let tiered = 0;
    let withAudio = 0;
    for (const e of snapshot.entries) {
      const p = current(e);
      const day = snapshot.at.slice(0, 10);
      const providerId = genaiProviderOf(e.source_type, e.provider).id;
      for (const c of callsFor(p, day)) {
        const mine = costOfCall(ours(c), callPrice(p), { at: c.at, webSearches: c.webSearches });
        const got = calcPrice(theirs(c), e.model_id, { providerId, timestamp: c.at });
        expect(got, `${e.price_key} not found by genai-prices`).not.toBeNull();
        expect(got!.model.id).toBe(e.model_id);
        expectSameTotal(got!.total_price, mine.catalogTotal, `${e.price_key} ${JSON.stringify(c)}`);
        calls++;
        if (mine.tiersApplied.length > 0) tiered++;
        if ((c.audioIn ?? 0) > 0) withAudio++;
      }
    }
    expect(calls).toBeGreaterThan(snapshot.entries.length);
    // Not a vacuous check: many calls crossed a token threshold or fell in a time window.
    expect(tiered).toBeGreaterThan(50);
    expect(withAudio).toBeGreaterThan(0);
  });

  it('time of day: the deepseek V4 windows price each stretch of the day as ours does', () => {
    const e = entry('deepseek/deepseek-v4-pro-0813');
    const p = current(e);
    const windows = p.tiers.filter((t) => t.utc_start !== null);
    expect(windows.length).toBeGreaterThan(1);
    const totals = new Set<string>();
    for (let minute = 0; minute < 1440; minute += 15) {
      const at = new Date(Date.parse('2026-08-20T00:00:00Z') + minute * 60_000);
      const c: Call = {
        input: 10_000,
        cacheRead: 2_000,
        cacheWrite: 0,
        output: 1_000,
        reasoning: 0,
        webSearches: 0,
        at,
      };
      const mine = costOfCall(ours(c), callPrice(p), { at });
      const got = calcPrice(theirs(c), e.model_id, { providerId: 'openrouter', timestamp: at });
      expectSameTotal(got!.total_price, mine.catalogTotal, `deepseek at ${at.toISOString()}`);
      totals.add(mine.catalogTotal);
    }
    expect(totals.size).toBeGreaterThan(1);
  });

  it('effective start dates: a price that changed between the recorded days answers by date', () => {
    const changed = snapshot.entries.filter(
      (e) => e.periods.length > 1 && new Set(e.periods.map((p) => p.effective_from.slice(0, 10))).size > 1,
    );
    expect(changed.length).toBeGreaterThan(0);
    for (const e of changed.slice(0, 40)) {
      for (const p of e.periods) {
        // Noon of the period's first day: its own price (earlier days are earlier periods).
        const at = new Date(`${p.effective_from.slice(0, 10)}T12:00:00Z`);
        const c: Call = {
          input: 5_000,
          cacheRead: 1_000,
          cacheWrite: 0,
          output: 800,
          reasoning: 0,
          webSearches: 0,
          at,
        };
        if (p.tiers.some((t) => t.utc_start !== null) && p !== current(e)) continue;
        const mine = costOfCall(ours(c), callPrice(p), { at });
        const got = calcPrice(theirs(c), e.model_id, { providerId: 'openrouter', timestamp: at });
        expectSameTotal(got!.total_price, mine.catalogTotal, `${e.price_key} at ${at.toISOString()}`);
      }
    }
  });

  it('is deterministic: the same bytes for the same snapshot, whatever the entry order', () => {
    const again = stableJson(
      toGenaiPrices({ ...snapshot, entries: [...snapshot.entries].reverse() }).providers,
    );
    expect(again).toBe(text);
    expect(text.endsWith('\n')).toBe(true);
  });
});

describe('genai-prices mapping rules (README), one by one', () => {
  const period = (over: Partial<PricePeriod>): PricePeriod => ({
    effective_from: '2026-08-01T06:00:00.000Z',
    observed_at: '2026-08-02T06:00:00.000Z',
    source_url: 'https://example.com/pricing',
    base: [
      { dimension: 'prompt', amount: '1.00000000' },
      { dimension: 'completion', amount: '2.00000000' },
    ],
    tiers: [],
    ...over,
  });
  const e = (periods: PricePeriod[], over: Partial<PriceEntry> = {}): PriceEntry => ({
    price_key: 'acme/m|Acme|provider_site',
    model_id: 'acme/m',
    provider: 'Acme',
    source_type: 'provider_site',
    name: 'M',
    context_length: 1000,
    periods,
    ...over,
  });
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
  const snap = (entries: PriceEntry[]): PriceSnapshot => ({ at: '2026-08-20T00:00:00.000Z', entries });

  it('a strict page threshold (> N) starts at N; requests and searches are per 1,000', () => {
    const p = period({
      base: [
        { dimension: 'prompt', amount: '1.00000000' },
        { dimension: 'request', amount: '0.00100000' },
        { dimension: 'web_search', amount: '0.01000000' },
      ],
      tiers: [tier({ prompt_tokens_gt: 128_000, prices: [{ dimension: 'prompt', amount: '3.00000000' }] })],
    });
    const [prov] = toGenaiPrices(snap([e([p])])).providers;
    expect(prov!.id).toBe('acme');
    expect(prov!.api_pattern).toBe('(?!)');
    expect(prov!.models[0]!.prices).toEqual({
      input_mtok: { base: 1, tiers: [{ start: 128_000, price: 3 }] },
      requests_kcount: 1,
      web_searches_kcount: 10,
    });
  });

  it('a tier that changes the per-request fee cannot be said: the entry is skipped and reported', () => {
    const p = period({
      base: [
        { dimension: 'request', amount: '0.00100000' },
        { dimension: 'prompt', amount: '1.00000000' },
      ],
      tiers: [tier({ prompt_tokens_gte: 1000, prices: [{ dimension: 'request', amount: '0.00200000' }] })],
    });
    const r = toGenaiPrices(snap([e([p])]));
    expect(r.providers).toEqual([]);
    expect(r.skipped.map((x) => x.price_key)).toEqual(['acme/m|Acme|provider_site']);
    expect(r.skipped[0]!.reason).toContain('request');
  });

  it('a 1-hour cache write alone brings cache_write_mtok at the prompt rate (its ancestor)', () => {
    const p = period({
      base: [
        { dimension: 'prompt', amount: '3.00000000' },
        { dimension: 'input_cache_write_1h', amount: '6.00000000' },
      ],
    });
    expect(toGenaiPrices(snap([e([p])])).providers[0]!.models[0]!.prices).toEqual({
      input_mtok: 3,
      cache_write_1h_mtok: 6,
      cache_write_mtok: 3,
    });
  });

  it('a variant tier is billed at its higher rate and said in the comments; per-image prices are said', () => {
    const p = period({
      base: [
        { dimension: 'prompt', amount: '1.00000000' },
        { dimension: 'image', amount: '0.00400000' },
      ],
      tiers: [
        tier({
          label: 'variant=fp8',
          variant: 'fp8',
          prices: [{ dimension: 'prompt', amount: '1.50000000' }],
        }),
      ],
    });
    const m = toGenaiPrices(snap([e([p])])).providers[0]!.models[0]!;
    expect(m.prices).toEqual({ input_mtok: 1.5 });
    expect(m.price_comments).toContain('variant=fp8');
    expect(m.price_comments).toContain('per-image');
  });

  it('two periods on one day keep the later; later days are start dates; the first has none', () => {
    const p1 = period({ effective_from: '2026-07-01T06:00:00.000Z' });
    const p2 = period({
      effective_from: '2026-08-01T06:00:00.000Z',
      base: [{ dimension: 'prompt', amount: '5.00000000' }],
    });
    const p3 = period({
      effective_from: '2026-08-01T18:00:00.000Z',
      base: [{ dimension: 'prompt', amount: '7.00000000' }],
    });
    expect(toGenaiPrices(snap([e([p1, p2, p3])])).providers[0]!.models[0]!.prices).toEqual([
      { prices: { input_mtok: 1, output_mtok: 2 } },
      { constraint: { start_date: '2026-08-01' }, prices: { input_mtok: 7 } },
    ]);
  });

  it('a window covering midnight is one time_of_date entry wrapping the day', () => {
    const p = period({
      tiers: [tier({ utc_start: 990, utc_end: 30, prices: [{ dimension: 'prompt', amount: '0.50000000' }] })],
    });
    expect(toGenaiPrices(snap([e([p])])).providers[0]!.models[0]!.prices).toEqual([
      { prices: { input_mtok: 1, output_mtok: 2 } },
      {
        constraint: { start_time: '16:30:00Z', end_time: '00:30:00Z' },
        prices: { input_mtok: 0.5, output_mtok: 2 },
      },
    ]);
  });

  it('names providers per source; an id genai-prices cannot hold is skipped', () => {
    expect(genaiProviderOf('openrouter_endpoints', 'Google Vertex')).toEqual({
      id: 'openrouter/google-vertex',
      name: 'OpenRouter via Google Vertex',
    });
    expect(genaiProviderOf('web_fallback', 'DeepSeek').id).toBe('deepseek/web');
    const r = toGenaiPrices(snap([e([period({})], { model_id: 'a b' })]));
    expect(r.skipped).toHaveLength(1);
  });
});
