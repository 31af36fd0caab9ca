import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NormalizedPrice, PriceChanged } from '@llmpt/schemas';
import { normalizeAndDecide } from './changes.ts';
import { compareChanges, isSameSet, rebuildChanges } from './rebuild.ts';
import type { LastPrice } from './state.ts';
import { DAY, T0, rawPrice } from './testing/fixtures.ts';

/** The live normalizer over raw observations: its NormalizedPrice log, PriceChanged log and state. */
function live(raws: Parameters<typeof normalizeAndDecide>[1][]) {
  const state = new Map<string, LastPrice>();
  const normalized: NormalizedPrice[] = [];
  const changed: PriceChanged[] = [];
  for (const raw of raws) {
    const r = normalizeAndDecide(state, raw);
    normalized.push(r.normalized);
    if (r.changed) changed.push(r.changed);
    if (r.next) state.set(r.normalized.price_key, r.next);
  }
  return { normalized, changed, state };
}

const models = ['a/one', 'b/two', 'c/three'];
const values = ['0.000001', '0.000002', '0.0000025', '0', '-1'];
/** Observations of a few keys over a few days, several per day, prices moving back and forth. */
const observation = fc.record({
  model: fc.constantFrom(...models),
  provider: fc.constantFrom(null, 'deepinfra'),
  day: fc.integer({ min: 0, max: 3 }),
  minute: fc.integer({ min: 0, max: 600 }),
  prompt: fc.constantFrom(...values),
  completion: fc.constantFrom(...values),
  unavailable: fc.boolean(),
});
type Observation = typeof observation extends fc.Arbitrary<infer T> ? T : never;

function raws(obs: readonly Observation[]) {
  return obs
    .map((o) =>
      rawPrice({
        model_id: o.model,
        provider: o.provider,
        source_type: o.provider ? 'openrouter_endpoints' : 'openrouter_api',
        fetched_at: T0 + o.day * DAY + o.minute * 60_000,
        ...(o.unavailable
          ? { status: 'unavailable', unavailable_reason: 'timeout' }
          : { prices: { prompt: o.prompt, completion: o.completion } }),
      }),
    )
    .sort((x, y) => x.fetched_at - y.fetched_at);
}

describe('rebuilding PriceChanged from NormalizedPrice', () => {
  it('yields the events the live normalizer emitted, same ids, same bytes, same state', () => {
    fc.assert(
      fc.property(fc.array(observation, { maxLength: 60 }), (obs) => {
        const run = live(raws(obs));
        const rebuilt = rebuildChanges(run.normalized);
        expect(rebuilt.changes).toEqual(run.changed);
        expect(rebuilt.state).toEqual(run.state);
        expect(isSameSet(compareChanges(rebuilt.changes, run.changed))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('a price that moved, came back, and an outage in between: new, changed, changed', () => {
    const run = live([
      rawPrice({ fetched_at: T0, prices: { prompt: '0.000001' } }),
      rawPrice({ fetched_at: T0 + DAY, status: 'unavailable', unavailable_reason: 'HTTP 503' }),
      rawPrice({ fetched_at: T0 + 2 * DAY, prices: { prompt: '0.000002' } }),
      rawPrice({ fetched_at: T0 + 3 * DAY, prices: { prompt: '0.000001' } }),
    ]);
    const rebuilt = rebuildChanges(run.normalized);
    expect(rebuilt.changes.map((c) => [c.kind, c.changes[0]?.previous, c.changes[0]?.current])).toEqual([
      ['new', null, '1.00000000'],
      ['changed', '1.00000000', '2.00000000'],
      ['changed', '2.00000000', '1.00000000'],
    ]);
    expect(rebuilt.changes.map((c) => c.event_id)).toEqual(run.changed.map((c) => c.event_id));
  });

  it('names what a damaged topic lacks, holds twice or holds differently', () => {
    const run = live([
      rawPrice({ model_id: 'a/one', prices: { prompt: '0.000001' } }),
      rawPrice({ model_id: 'b/two', prices: { prompt: '0.000001' } }),
      rawPrice({ model_id: 'c/three', prices: { prompt: '0.000001' } }),
    ]);
    const [a, b, c] = run.changed as [PriceChanged, PriceChanged, PriceChanged];
    const tampered = { ...c, alert: !c.alert };
    const stranger = { ...a, event_id: 'not-from-this-log' };
    const cmp = compareChanges(run.changed, [a, a, tampered, stranger]);
    expect(cmp).toEqual({
      rebuilt: 3,
      existing: 4,
      same: 1,
      missing: [b.event_id],
      extra: ['not-from-this-log'],
      differing: [c.event_id],
      duplicates: [a.event_id],
    });
    expect(isSameSet(cmp)).toBe(false);
  });
});
