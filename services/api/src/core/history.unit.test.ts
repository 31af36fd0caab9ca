// Written from services/api/README.md "History" (the run rule of price_at, removals at UTC midnight).
import { describe, expect, it } from 'vitest';
import { priceIntervals, type HistoryObservation } from './history.ts';

let n = 0;
function obs(at: string, prompt: string | null, extra: Partial<HistoryObservation> = {}): HistoryObservation {
  n++;
  return {
    event_id: `e${String(n).padStart(3, '0')}`,
    price_key: 'k1',
    provider: null,
    source_type: 'openrouter_api',
    source_url: 'https://openrouter.ai/api/v1/models',
    snapshot_date: at.slice(0, 10),
    observed_at: new Date(at),
    status: 'ok',
    unavailable_reason: null,
    currency: 'USD',
    dimensions: { prompt },
    base: prompt === null ? [] : [{ dimension: 'prompt', amount: prompt }],
    tiers: [],
    unregistered: [],
    content_hash: null,
    ...extra,
  };
}

describe('priceIntervals', () => {
  it('identical observations extend an interval; a different price starts the next', () => {
    const list = [
      obs('2026-08-01T06:00:00Z', '0.22750000'),
      obs('2026-08-02T06:00:00Z', '0.22750000'),
      obs('2026-08-19T06:00:00Z', '0.12000000'),
    ];
    const out = priceIntervals([...list].reverse(), []);
    expect(out.map((i) => [i.from, i.to, i.ended_by, i.dimensions.prompt, i.observations])).toEqual([
      ['2026-08-01T06:00:00.000Z', '2026-08-19T06:00:00.000Z', 'change', '0.22750000', 2],
      ['2026-08-19T06:00:00.000Z', null, null, '0.12000000', 1],
    ]);
    expect(out[0]!.last_observed_at).toBe('2026-08-02T06:00:00.000Z');
    expect(out[0]!.event_id).toBe(list[0]!.event_id);
    // Every registered dimension is present, null where not priced.
    expect(Object.keys(out[0]!.dimensions)).toContain('input_cache_write_1h');
    expect(out[0]!.dimensions.completion).toBeNull();
  });

  it('an interval carries the content hash of the observation that started it; the hash is not part of the price', () => {
    const h = (c: string) => c.repeat(64);
    const out = priceIntervals(
      [
        obs('2026-08-01T06:00:00Z', '0.22750000', { content_hash: h('a') }),
        // Other bytes, same price: the same interval, which keeps its opening hash.
        obs('2026-08-02T06:00:00Z', '0.22750000', { content_hash: h('b') }),
        obs('2026-08-19T06:00:00Z', '0.12000000', { content_hash: h('c') }),
        // An observation stored before NormalizedPrice v3: no hash, and none invented.
        obs('2026-08-20T06:00:00Z', '0.10000000', { content_hash: null }),
      ],
      [],
    );
    expect(out.map((i) => [i.from, i.content_hash, i.observations])).toEqual([
      ['2026-08-01T06:00:00.000Z', h('a'), 2],
      ['2026-08-19T06:00:00.000Z', h('c'), 1],
      ['2026-08-20T06:00:00.000Z', null, 1],
    ]);
  });

  it('a tier change alone starts an interval (base and tiers are part of the price)', () => {
    const tier = {
      label: 'prompt_tokens>=200000',
      prompt_tokens_gte: 200000,
      prompt_tokens_gt: null,
      utc_start: null,
      utc_end: null,
      variant: null,
      other: [],
      prices: [{ dimension: 'prompt', amount: '2.50000000' }],
    };
    const out = priceIntervals(
      [
        obs('2026-08-01T06:00:00Z', '1.25000000'),
        obs('2026-08-02T06:00:00Z', '1.25000000', { tiers: [tier] }),
      ],
      [],
    );
    expect(out).toHaveLength(2);
    expect(out[1]!.tiers).toEqual([tier]);
  });

  it('a removal ends the interval at the UTC midnight of its snapshot date; a return starts a new one', () => {
    const out = priceIntervals(
      [
        obs('2026-08-01T06:00:00Z', '1.00000000'),
        obs('2026-08-02T06:00:00Z', '1.00000000'),
        obs('2026-08-10T06:00:00Z', '1.00000000'),
      ],
      [
        { price_key: 'k1', snapshot_date: '2026-07-30' }, // before the first observation: ends nothing
        { price_key: 'k1', snapshot_date: '2026-08-05' },
        { price_key: 'other', snapshot_date: '2026-08-03' },
      ],
    );
    expect(out.map((i) => [i.from, i.to, i.ended_by])).toEqual([
      ['2026-08-01T06:00:00.000Z', '2026-08-05T00:00:00.000Z', 'removal'],
      ['2026-08-10T06:00:00.000Z', null, null],
    ]);
  });

  it('keys are separate series, ordered by key; same-instant observations by event id', () => {
    const out = priceIntervals(
      [
        obs('2026-08-01T06:00:00Z', '2.00000000', {
          price_key: 'k2',
          provider: 'deepinfra',
          source_type: 'openrouter_endpoints',
        }),
        obs('2026-08-01T06:00:00Z', '1.00000000'),
        obs('2026-08-01T06:00:00Z', '3.00000000'),
      ],
      [],
    );
    expect(out.map((i) => [i.price_key, i.provider, i.source, i.dimensions.prompt])).toEqual([
      ['k1', null, 'openrouter_api', '1.00000000'],
      ['k1', null, 'openrouter_api', '3.00000000'],
      ['k2', 'deepinfra', 'openrouter_endpoints', '2.00000000'],
    ]);
    expect(out[0]!.to).toBe('2026-08-01T06:00:00.000Z');
  });
});
