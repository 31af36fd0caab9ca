import { readdirSync } from 'node:fs';
import { sharedData } from '@llmpt/core/paths';
import type { PriceChanged } from '@llmpt/schemas';
import { describe, expect, it } from 'vitest';
import { normalizeAndDecide } from './changes.ts';
import { normalize } from './normalize.ts';
import type { PriceState } from './state.ts';
import {
  DAY,
  T0,
  component,
  loadModels,
  observedIn,
  openRouterComponents,
  rawPrice,
} from '../testing/fixtures.ts';

// Real OpenRouter /models snapshots from ../shared/data (docs/data-sources.md): values checked by hand.
const skissue = (day: string) => `openrouter_models_skissue_2026-${day}_data-array.json`;
const at = (day: string) => Date.parse(`2026-${day}T06:00:00Z`);
const AUG_19 = 'openrouter_models_output-modalities-all_unified-llm-pricing_2026-08-19.json';

describe('recorded snapshot 2026-03-03', () => {
  const seen = (id: string) => normalize(observedIn(skissue('03-03'), id, at('03-03')));

  it('claude-sonnet-4: "0.000003" per token is $3 per 1M', () => {
    expect(seen('anthropic/claude-sonnet-4')).toMatchObject({
      status: 'ok',
      prompt: '3.00000000',
      completion: '15.00000000',
      input_cache_read: '0.30000000',
      input_cache_write: '3.75000000',
      web_search: '0.01000000',
      notes: [],
    });
  });

  it('o1-pro: huge but real, $150 / $600 per 1M', () => {
    expect(seen('openai/o1-pro')).toMatchObject({ prompt: '150.00000000', completion: '600.00000000' });
  });

  it('openrouter/auto: "-1" is unavailable, never a price', () => {
    expect(seen('openrouter/auto')).toMatchObject({
      status: 'unavailable',
      unavailable_reason: 'variable price (-1)',
      prompt: null,
      completion: null,
    });
  });

  it('float artifacts land on their price at scale 8', () => {
    expect(seen('google/gemini-2.5-flash').input_cache_write).toBe('0.08333333'); // "0.00000008333333333333334"
    expect(seen('minimax/minimax-m2.1').input_cache_read).toBe('0.03000000'); // "0.0000000299999997"
    expect(seen('deepseek/deepseek-v3.1-terminus').input_cache_read).toBe('0.13000000'); // "0.0000001300000002"
    expect(seen('qwen/qwen-2.5-coder-32b-instruct')).toMatchObject({
      prompt: '0.20000000',
      completion: '0.20000000',
    });
  });

  it('gemini-2.5-pro: `audio` is input audio, `image` per token is the image-token dimension', () => {
    const np = seen('google/gemini-2.5-pro');
    expect(np).toMatchObject({
      prompt: '1.25000000',
      internal_reasoning: '10.00000000',
      image: null,
      image_token: '1.25000000',
      input_audio: '1.25000000',
      unregistered: [],
    });
  });
});

describe('recorded snapshot 2026-08-19: tiers and speech', () => {
  it('gemini-2.5-pro publishes its >200k-token tier, the highest', () => {
    const np = normalize(observedIn(AUG_19, 'google/gemini-2.5-pro', at('08-19')));
    expect(np).toMatchObject({
      prompt: '2.50000000', // override "0.0000025" beats base "0.00000125"
      completion: '15.00000000',
      input_cache_read: '0.25000000',
      input_cache_write: '0.37500000', // base only
      internal_reasoning: '10.00000000', // base only
      web_search: '0.01400000',
    });
    // The base and the tier as published: OpenRouter's min_prompt_tokens is inclusive.
    expect(np.base).toContainEqual({ dimension: 'prompt', amount: '1.25000000' });
    expect(np.tiers).toEqual([
      expect.objectContaining({
        label: 'prompt_tokens>=200000',
        prompt_tokens_gte: 200000,
        prices: [
          { dimension: 'prompt', amount: '2.50000000' },
          { dimension: 'completion', amount: '15.00000000' },
          { dimension: 'input_cache_read', amount: '0.25000000' },
          { dimension: 'input_audio', amount: '2.50000000' },
          { dimension: 'input_audio_cache', amount: '0.25000000' },
        ],
      }),
    ]);
  });

  it('deepseek-v4-pro time windows (one wraps midnight): the peak window wins', () => {
    const np = normalize(observedIn(AUG_19, 'deepseek/deepseek-v4-pro', at('08-19')));
    expect(np).toMatchObject({
      prompt: '1.32000000',
      completion: '3.96000000',
      input_cache_read: '0.04400000',
    });
    expect(np.base).toEqual([
      { dimension: 'prompt', amount: '0.66000000' },
      { dimension: 'completion', amount: '1.98000000' },
      { dimension: 'input_cache_read', amount: '0.02200000' },
    ]);
    // 10:00-01:00 wraps midnight: start 600 minutes, end 60.
    expect(np.tiers.map((t) => [t.label, t.utc_start, t.utc_end, t.prices[0]?.amount])).toEqual([
      ['utc 10:00-01:00', 600, 60, '0.66000000'],
      ['utc 01:00-04:00', 60, 240, '1.32000000'],
      ['utc 04:00-06:00', 240, 360, '0.66000000'],
      ['utc 06:00-10:00', 360, 600, '1.32000000'],
    ]);
  });

  it('whisper-1 per-minute price in `prompt` stays per minute when the scraper tags it', () => {
    const entry = loadModels(AUG_19).find((m) => m.id === 'openai/whisper-1');
    expect(entry?.pricing).toMatchObject({ prompt: '0.006', completion: '0' });
    const np = normalize(
      rawPrice({
        model_id: 'openai/whisper-1',
        components: [component('prompt', '0.006', 'per_minute'), component('completion', '0')],
      }),
    );
    expect(np).toMatchObject({ prompt: '0.00600000', completion: '0.00000000' });
  });
});

describe('recorded series 2026-04-17 → 04-18 → 04-19', () => {
  /** Every model of each day through the stage, in order, as the normalizer would see them. */
  function run(days: readonly string[]) {
    let state = new Map<string, PriceState>();
    const byDay = days.map((day) => {
      const events: PriceChanged[] = [];
      for (const m of loadModels(skissue(day))) {
        const raw = rawPrice({
          model_id: m.id,
          fetched_at: at(day),
          components: openRouterComponents(m.pricing, 'per_token'),
        });
        const { normalized, changed, next } = normalizeAndDecide(state, raw);
        if (next && next !== state.get(normalized.price_key))
          state = new Map(state).set(normalized.price_key, next);
        if (changed) events.push(changed);
      }
      return events;
    });
    return byDay;
  }
  const [d17, d18, d19] = run(['04-17', '04-18', '04-19']) as [
    PriceChanged[],
    PriceChanged[],
    PriceChanged[],
  ];
  const kimi = (events: PriceChanged[]) => events.find((e) => e.model_id === 'moonshotai/kimi-k2.5');

  it('the first day is all new: 345 models, 2 routers at "-1" left out', () => {
    expect(d17).toHaveLength(343);
    expect(d17.every((e) => e.kind === 'new' && !e.alert)).toBe(true);
  });

  // What the data says: kimi-k2.5 is "0" everywhere on 04-18 only, with web_search and audio published
  // for that day alone. The tracker reports it as it was published: a cut to free and a restore, both
  // alerting; the one-day keys are new (no alert), and their absence the next day is a blink (nothing).
  it('kimi-k2.5 transient zero: changed to free with alert, then changed back with alert', () => {
    const entry = (
      dimension: string,
      previous: string | null,
      current: string | null,
      relative: string | null,
      change: string,
    ) => ({
      dimension,
      previous,
      current,
      relative_change: relative,
      tier: null,
      change,
    });
    expect(kimi(d18)).toMatchObject({
      kind: 'changed',
      alert: true,
      previous_observed_at: at('04-17'),
      current_observed_at: at('04-18'),
      changes: [
        entry('prompt', '0.38270000', '0.00000000', '-1.00000000', 'changed'),
        entry('completion', '1.72000000', '0.00000000', '-1.00000000', 'changed'),
        entry('input_cache_read', '0.19135000', '0.00000000', '-1.00000000', 'changed'),
        entry('web_search', null, '0.00000000', null, 'new'),
        entry('input_audio', null, '0.00000000', null, 'new'),
      ],
    });
    expect(kimi(d19)).toMatchObject({
      kind: 'changed',
      alert: true,
      changes: [
        entry('prompt', '0.00000000', '0.38270000', null, 'changed'),
        entry('completion', '0.00000000', '1.72000000', null, 'changed'),
        entry('input_cache_read', '0.00000000', '0.19135000', null, 'changed'),
      ],
    });
  });

  it('only real moves are reported: 5 changes on 04-18 (3 alerts), 3 on 04-19 (1 alert, 1 removal)', () => {
    expect(d18.map((e) => [e.model_id, e.alert])).toEqual([
      ['deepseek/deepseek-v3.2', false], // 0.26/0.38/0.13 → 0.259/0.42/0.135: at most +10.5 %
      ['google/gemma-4-26b-a4b-it', true], // input_cache_read 0.04 → 0.01 (-75 %)
      ['moonshotai/kimi-k2.5', true],
      // prompt 0.10 → 0.09, completion 0.50 → 0.45 (-10 %); input_cache_read not published: a blink, no entry
      ['nvidia/nemotron-3-super-120b-a12b', false],
      ['qwen/qwen3.5-9b', true], // prompt 0.05 → 0.10 (+100 %)
    ]);
    expect(
      d18.find((e) => e.model_id === 'nvidia/nemotron-3-super-120b-a12b')?.changes.map((c) => c.dimension),
    ).toEqual(['prompt', 'completion']);
    const moved = (dimension: string, previous: string, current: string, relative_change: string) => ({
      dimension,
      previous,
      current,
      relative_change,
      tier: null,
      change: 'changed',
    });
    expect(d18.find((e) => e.model_id === 'deepseek/deepseek-v3.2')?.changes).toEqual([
      moved('prompt', '0.26000000', '0.25900000', '-0.00384615'),
      moved('completion', '0.38000000', '0.42000000', '0.10526316'),
      moved('input_cache_read', '0.13000000', '0.13500000', '0.03846154'),
    ]);
    expect(d19.map((e) => [e.model_id, e.alert])).toEqual([
      ['meta-llama/llama-3.3-70b-instruct', false],
      ['moonshotai/kimi-k2.5', true],
      ['nvidia/nemotron-3-super-120b-a12b', false],
    ]);
    // Absent a second run: removed, from its last known value, without alert.
    expect(d19.find((e) => e.model_id === 'nvidia/nemotron-3-super-120b-a12b')?.changes).toEqual([
      {
        dimension: 'input_cache_read',
        previous: '0.10000000',
        current: null,
        relative_change: null,
        tier: null,
        change: 'removed',
      },
    ]);
  });
});

describe('every recorded /models snapshot', () => {
  it('normalizes all 7369 entries of 22 snapshots without error; only "-1" routers are unavailable; every key registered', () => {
    const files = readdirSync(sharedData('openrouter', 'models')).sort();
    let total = 0;
    const unavailable = new Map<string, number>();
    const unregistered = new Set<string>();
    const published = new Set<string>();
    for (const file of files) {
      // `image` is per image in the 2025 captures, per token in 2026 (docs/data-sources.md §4).
      const imageUnit = file.includes('_2025-') ? 'per_image' : 'per_token';
      for (const m of loadModels(file)) {
        total += 1;
        const np = normalize(
          rawPrice({ model_id: m.id, components: openRouterComponents(m.pricing, imageUnit) }),
        );
        for (const k of Object.keys(m.pricing)) published.add(k);
        for (const u of np.unregistered) unregistered.add(u.key);
        if (np.status === 'unavailable') {
          unavailable.set(
            np.unavailable_reason ?? '',
            (unavailable.get(np.unavailable_reason ?? '') ?? 0) + 1,
          );
        }
      }
    }
    expect(files).toHaveLength(22);
    expect(total).toBe(7369);
    expect([...unavailable]).toEqual([['variable price (-1)', 51]]);
    // Every pricing key OpenRouter published in these captures feeds a registered dimension.
    expect([...published].sort()).toEqual([
      'audio',
      'audio_output',
      'completion',
      'image',
      'image_output',
      'image_token',
      'input_audio_cache',
      'input_cache_read',
      'input_cache_write',
      'input_cache_write_1h',
      'internal_reasoning',
      'overrides',
      'prompt',
      'request',
      'web_search',
    ]);
    expect([...unregistered]).toEqual([]);
  });

  it('a key invented in a test flows through raw, beside the registered ones, into change detection', () => {
    const pricing = { prompt: '0.000001', completion: '0.000002', voice_clone: '0.5' };
    const raw = rawPrice({ model_id: 'x/new', components: openRouterComponents(pricing, 'per_token') });
    const { normalized, changed } = normalizeAndDecide(new Map(), raw);
    expect(normalized.unregistered).toEqual([
      { key: 'voice_clone', raw_value: '0.5', unit: 'per_token', currency: 'USD', tier: null },
    ]);
    expect(changed?.changes.map((c) => c.dimension)).toEqual(['prompt', 'completion']);
  });
});

describe('snapshots that disagree without a price change', () => {
  /** Changes from feeding two recorded files in order, the second fetched `gapMs` later. */
  function changesBetween(first: string, second: string, gapMs: number) {
    let state = new Map<string, PriceState>();
    const feed = (file: string, at: number) => {
      const events: PriceChanged[] = [];
      for (const m of loadModels(file)) {
        const raw = rawPrice({
          model_id: m.id,
          fetched_at: at,
          components: openRouterComponents(m.pricing, 'per_token'),
        });
        const { normalized, changed, next } = normalizeAndDecide(state, raw);
        if (next && next !== state.get(normalized.price_key))
          state = new Map(state).set(normalized.price_key, next);
        if (changed) events.push(changed);
      }
      return events;
    };
    feed(first, T0);
    return feed(second, T0 + gapMs);
  }

  it('two same-day captures, one with non-chat models too: only the extra models are new, nothing changed', () => {
    const chatOnly = 'openrouter_models_unified-llm-pricing_2026-08-19.json';
    const all = 'openrouter_models_output-modalities-all_unified-llm-pricing_2026-08-19.json';
    const events = changesBetween(chatOnly, all, 60_000);
    expect(events.filter((e) => e.kind !== 'new')).toEqual([]);
    const chatIds = new Set(loadModels(chatOnly).map((m) => m.id));
    expect(events.every((e) => !chatIds.has(e.model_id))).toBe(true);
    expect(events.length).toBeGreaterThan(100);
  });

  it('filtered snapshots (?supported_parameters=tools) report no removals, and real moves with their previous price', () => {
    // wikiarena fetched 2025-07-20 with the tools filter; the models it lists keep their prices in the
    // next filtered capture too, and the models it leaves out are not reported as removed.
    const events = changesBetween(
      'openrouter_models_tools-filter_wikiarena_2025-07-20.json',
      'openrouter_models_tools-filter_wikiarena_2025-07-29.json',
      9 * DAY,
    );
    expect(events.some((e) => e.kind === 'removed')).toBe(false);
    // Real moves between the two captures are reported as such, each with its previous price.
    const entries = events.filter((e) => e.kind === 'changed').flatMap((e) => e.changes);
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.filter((c) => c.change === 'changed').every((c) => c.previous !== null)).toBe(true);
    expect(entries.filter((c) => c.change === 'new').every((c) => c.previous === null)).toBe(true);
  });
});
