import { describe, expect, it } from 'vitest';
import type { DecodedEvent } from './codec.ts';
import type { DimensionChange, NormalizedPrice, PriceChanged } from './generated.ts';
import { assertSoundEvent, eventProblems } from './invariants.ts';
import { normalizedPrice, priceChanged } from '../test/builders.ts';

const T0 = Date.UTC(2026, 7, 1, 6, 0, 0);

// openai/gpt-4o's routed price on T0, from the shared builders with every field these tests rely on set.
const routed = {
  run_id: 'run-1',
  occurred_at: T0,
  price_key: 'openai/gpt-4o||openrouter_api',
  model_id: 'openai/gpt-4o',
  provider: null,
  source_type: 'openrouter_api',
  snapshot_date: '2026-08-01',
} as const;

const price = (o: Partial<NormalizedPrice> = {}): DecodedEvent =>
  normalizedPrice({
    ...routed,
    event_id: 'np-1',
    caused_by: null,
    source_url: 'https://openrouter.ai/api/v1/models',
    observed_at: T0,
    prompt: '2.50000000',
    completion: '10.00000000',
    input_cache_read: '0.00000000',
    input_cache_write: null,
    image: '9999999999.99999999',
    ...o,
  });

type ChangeInput = Omit<DimensionChange, 'tier' | 'change'> & Partial<DimensionChange>;

const change = (input: readonly ChangeInput[], o: Partial<PriceChanged> = {}): DecodedEvent =>
  priceChanged({
    ...routed,
    event_id: 'pc-1',
    caused_by: 'np-1',
    changes: input.map((c) => ({ tier: null, change: null, ...c })),
    previous_observed_at: T0 - 86_400_000,
    current_observed_at: T0,
    ...o,
  });

describe('event invariants beyond the Avro types', () => {
  it('accepts money at scale 8 within numeric(18,8), free, unavailable', () => {
    expect(eventProblems(price())).toEqual([]);
    expect(
      eventProblems(
        change([
          {
            dimension: 'prompt',
            previous: '5.00000000',
            current: '2.50000000',
            relative_change: '-0.50000000',
          },
          { dimension: 'image', previous: null, current: '0.00480000', relative_change: null },
        ]),
      ),
    ).toEqual([]);
  });

  it('names each money field that is not a decimal string of scale 8 (never rounded by the database)', () => {
    expect(
      eventProblems(
        price({
          prompt: 'abc',
          completion: '10.5',
          request: '-1.00000000',
          image: '10000000000.00000000',
          web_search: '1e-7',
        }),
      ),
    ).toEqual([
      'prompt: "abc" is not a decimal string of scale 8 (e.g. "3.00000000")',
      'completion: "10.5" is not a decimal string of scale 8 (e.g. "3.00000000")',
      'request: "-1.00000000" is not a decimal string of scale 8 (e.g. "3.00000000")',
      'image: "10000000000.00000000" is not a decimal string of scale 8 (e.g. "3.00000000")',
      'web_search: "1e-7" is not a decimal string of scale 8 (e.g. "3.00000000")',
    ]);
    expect(
      eventProblems(
        change([{ dimension: 'prompt', previous: '5', current: '2.50000000', relative_change: '-0.5' }]),
      ),
    ).toEqual([
      'changes.0.previous: "5" is not a decimal string of scale 8 (e.g. "3.00000000")',
      'changes.0.relative_change: "-0.5" is not a decimal string of scale 8 (e.g. "3.00000000")',
    ]);
  });

  it('checks the structure: base and tier amounts at scale 8, registered dimensions, tier labels', () => {
    const tier = {
      label: 'prompt_tokens>=272000',
      prompt_tokens_gte: 272000,
      prompt_tokens_gt: null,
      utc_start: null,
      utc_end: null,
      variant: null,
      other: [],
      prices: [{ dimension: 'prompt', amount: '10.00000000' }],
    };
    expect(
      eventProblems(price({ base: [{ dimension: 'prompt', amount: '5.00000000' }], tiers: [tier] })),
    ).toEqual([]);
    expect(
      eventProblems(
        price({
          base: [{ dimension: 'audio', amount: '5' }],
          tiers: [{ ...tier, label: 'prompt_tokens>lots' }],
        }),
      ),
    ).toEqual([
      'base.0.dimension: "audio" is not a registered dimension',
      'base.0.amount: "5" is not a decimal string of scale 8 (e.g. "3.00000000")',
      'tiers.0.label: tier "prompt_tokens>lots": lots is not a token count',
    ]);
  });

  it('checks dates and ids', () => {
    expect(eventProblems(price({ snapshot_date: '2026-8-1', event_id: '', model_id: '' }))).toEqual([
      'event_id: empty',
      'snapshot_date: "2026-8-1" is not a YYYY-MM-DD date',
      'model_id: empty',
    ]);
  });

  it('throws INVALID_EVENT with the reasons, WRONG_TYPE for another type than the topic carries', () => {
    expect(() => assertSoundEvent(price({ prompt: 'abc' }), 'NormalizedPrice')).toThrow(
      expect.objectContaining({
        code: 'INVALID_EVENT',
        retriable: false,
        message: expect.stringContaining('invalid NormalizedPrice np-1: prompt: "abc"') as string,
      }) as Error,
    );
    expect(() => assertSoundEvent(price(), 'ModelDiscovered')).toThrow(
      expect.objectContaining({
        code: 'WRONG_TYPE',
        message: 'expected a ModelDiscovered event on this topic, got a NormalizedPrice',
      }) as Error,
    );
    expect(() => assertSoundEvent(price())).not.toThrow();
  });
});
