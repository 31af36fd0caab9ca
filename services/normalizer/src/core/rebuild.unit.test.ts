import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CatalogSnapshot, NormalizedPrice, PriceChanged, RawPriceObserved } from '@llmpt/schemas';
import { applyCatalogSnapshot, normalizeAndDecide } from './changes.ts';
import { compareChanges, isSameSet, rebuildChanges } from './rebuild.ts';
import type { PriceState } from './state.ts';
import { DAY, T0, component, rawPrice } from '../testing/fixtures.ts';

/**
 * The live normalizer over raw observations and catalog snapshots, as they arrive: its NormalizedPrice
 * log, PriceChanged log and state.
 */
function live(inputs: readonly (RawPriceObserved | CatalogSnapshot)[]) {
  const state = new Map<string, PriceState>();
  const normalized: NormalizedPrice[] = [];
  const changed: PriceChanged[] = [];
  const snapshots: CatalogSnapshot[] = [];
  for (const input of inputs) {
    if ('model_ids' in input) {
      snapshots.push(input);
      const r = applyCatalogSnapshot(state, input);
      changed.push(...r.changes);
      for (const [k, v] of r.next) state.set(k, v);
      continue;
    }
    const r = normalizeAndDecide(state, input);
    normalized.push(r.normalized);
    if (r.changed) changed.push(r.changed);
    if (r.next) state.set(r.normalized.price_key, r.next);
  }
  return { normalized, changed, state, snapshots };
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
  // A long-context tier that comes and goes, so tiers blink and are removed too.
  long: fc.constantFrom(null, '0.000004', '0.000005'),
  unavailable: fc.boolean(),
});
type Observation = typeof observation extends fc.Arbitrary<infer T> ? T : never;
/** A complete discovery run: the models it listed (some left out: removals), one may expire. */
const catalog = fc.record({
  day: fc.integer({ min: 0, max: 3 }),
  listed: fc.subarray(models),
  expiring: fc.constantFrom(null, '2026-06-01', '2026-07-01'),
});
type Catalog = typeof catalog extends fc.Arbitrary<infer T> ? T : never;

function snapshotOf(c: Catalog, i: number): CatalogSnapshot {
  const snapshot_date = new Date(T0 + c.day * DAY).toISOString().slice(0, 10);
  return {
    event_id: `snapshot-${c.day}-${i % 2}`, // some snapshots seen twice
    run_id: `run-${snapshot_date}`,
    caused_by: null,
    occurred_at: T0 + c.day * DAY,
    source_url: 'https://openrouter.ai/api/v1/models',
    backfill: false,
    fetched_at: T0 + c.day * DAY,
    snapshot_date,
    model_ids: c.listed,
    expirations: c.expiring && c.listed[0] ? [{ model_id: c.listed[0], expiration_date: c.expiring }] : [],
  };
}

/** What a pipeline run delivers, in time order (a run's snapshot before its observations). */
function inputs(obs: readonly Observation[], catalogs: readonly Catalog[] = []) {
  const snapshots = catalogs.map(snapshotOf);
  return [...snapshots, ...raws(obs)].sort((x, y) => x.fetched_at - y.fetched_at);
}

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
          : {
              prices: { prompt: o.prompt, completion: o.completion },
              components: o.long
                ? [component('prompt', o.long, 'per_token', { tier: 'prompt_tokens>=200000' })]
                : [],
            }),
      }),
    )
    .sort((x, y) => x.fetched_at - y.fetched_at);
}

describe('rebuilding PriceChanged from NormalizedPrice', () => {
  it('yields the events the live normalizer emitted, same ids, same bytes, same state', () => {
    fc.assert(
      fc.property(
        fc.array(observation, { maxLength: 60 }),
        fc.array(catalog, { maxLength: 4 }),
        (obs, cats) => {
          const run = live(inputs(obs, cats));
          const rebuilt = rebuildChanges(run.normalized, {}, run.snapshots);
          expect(rebuilt.changes).toEqual(run.changed);
          expect(rebuilt.state).toEqual(run.state);
          expect(isSameSet(compareChanges(rebuilt.changes, run.changed))).toBe(true);
        },
      ),
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

  it('merges the snapshot log into the observations by time: removal, then return', () => {
    const listed = (day: number, ids: string[]): CatalogSnapshot =>
      snapshotOf({ day, listed: ids, expiring: null }, day);
    const run = live([
      rawPrice({ model_id: 'a/one', fetched_at: T0, prices: { prompt: '0.000001' } }),
      listed(1, []),
      listed(2, []),
      listed(3, ['a/one']),
      rawPrice({ model_id: 'a/one', fetched_at: T0 + 3 * DAY + 1, prices: { prompt: '0.000002' } }),
    ]);
    // The two logs are read one after the other; the rebuild interleaves them by time.
    const rebuilt = rebuildChanges(run.normalized, {}, run.snapshots);
    expect(rebuilt.changes.map((c) => c.kind)).toEqual(['new', 'removed', 'returned']);
    expect(rebuilt.changes).toEqual(run.changed);
    expect(rebuilt.state).toEqual(run.state);
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
