// docs/price-model.md §4.1 as a property: whatever order the inputs arrive in, with duplicates, what is
// in force (published minus retracted, by the reader's rule of §4.4) is the in-order run's PriceChanged
// set, by id and content, and every key ends in the in-order run's state.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventId, type CatalogSnapshot, type NormalizedPrice, type PriceChanged } from '@llmpt/schemas';
import { normalizeAndDecide } from './changes.ts';
import { rebuildChanges } from './rebuild.ts';
import type { PriceState } from './state.ts';
import { decodeHistory, encodeHistory } from './key-history.ts';
import {
  changeDigest,
  comparePositions,
  foldUntil,
  placeEvent,
  positionOf,
  versionOf,
  type KeyHistory,
  type PriceChangeRetracted,
  type PublishedChange,
  type ValidTimeEvent,
  type ValidTimeOptions,
} from './valid-time.ts';
import { DAY, T0, component, rawPrice } from '../testing/fixtures.ts';

const models = ['a/one', 'b/two', 'c/three'];
const values = ['0.000001', '0.000002', '0.0000025', '0', '-1'];
const MINUTE = 60_000;

const observation = fc.record({
  model: fc.constantFrom(...models),
  provider: fc.constantFrom(null, 'deepinfra'),
  day: fc.integer({ min: 0, max: 5 }),
  minute: fc.integer({ min: 0, max: 3 }),
  prompt: fc.constantFrom(...values),
  completion: fc.constantFrom(...values),
  long: fc.constantFrom(null, '0.000004'),
  unavailable: fc.boolean(),
});
type Observation = typeof observation extends fc.Arbitrary<infer T> ? T : never;

/** A complete discovery run: the models it listed, one may carry an expiration date. */
const catalog = fc.record({
  day: fc.integer({ min: 0, max: 5 }),
  minute: fc.integer({ min: 0, max: 3 }),
  listed: fc.subarray(models),
  expiring: fc.constantFrom(null, '2026-06-01', '2026-07-01'),
});
type Catalog = typeof catalog extends fc.Arbitrary<infer T> ? T : never;

function snapshotOf(c: Catalog): CatalogSnapshot {
  const at = T0 + c.day * DAY + c.minute * MINUTE;
  const snapshot_date = new Date(at).toISOString().slice(0, 10);
  return {
    // As discovery derives it: the day and the ids, not the time (a re-run of the day has the same id).
    event_id: eventId('CatalogSnapshot', snapshot_date, ...c.listed),
    run_id: `run-${snapshot_date}`,
    caused_by: null,
    occurred_at: at,
    source_url: 'https://openrouter.ai/api/v1/models',
    backfill: false,
    fetched_at: at,
    snapshot_date,
    model_ids: c.listed,
    expirations: c.expiring && c.listed[0] ? [{ model_id: c.listed[0], expiration_date: c.expiring }] : [],
  };
}

/** The NormalizedPrice log the live normalizer writes for these observations, fetched in time order. */
function normalizedLog(obs: readonly Observation[]): NormalizedPrice[] {
  const raws = obs
    .map((o) =>
      rawPrice({
        model_id: o.model,
        provider: o.provider,
        source_type: o.provider ? 'openrouter_endpoints' : 'openrouter_api',
        fetched_at: T0 + o.day * DAY + o.minute * MINUTE + 1,
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
  const state = new Map<string, PriceState>();
  return raws.map((raw) => {
    const r = normalizeAndDecide(state, raw);
    if (r.next) state.set(r.normalized.price_key, r.next);
    return r.normalized;
  });
}

type Delivered = ValidTimeEvent & { readonly backfill: boolean };

const position = (e: ValidTimeEvent) => positionOf({ ...e, backfill: false });

/** Each position once (the first), sorted: the set of inputs §4.1 speaks of. */
function inputSet<T extends ValidTimeEvent>(events: readonly T[]): T[] {
  const sorted = [...events].sort((a, b) => comparePositions(position(a), position(b)));
  return sorted.filter((e, i) => i === 0 || comparePositions(position(sorted[i - 1]!), position(e)) !== 0);
}

/** A small seeded PRNG (mulberry32), so a failing permutation shrinks with its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The events in a random order, some delivered two or three times, some flagged as a backfill's. */
function delivery(events: readonly ValidTimeEvent[], seed: number): Delivered[] {
  const random = prng(seed);
  const out: Delivered[] = [];
  for (const e of events) {
    const copies = random() < 0.2 ? 2 + Math.floor(random() * 2) : 1;
    for (let i = 0; i < copies; i++) out.push({ ...e, backfill: random() < 0.5 });
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface Run {
  readonly histories: Map<string, KeyHistory>;
  readonly snapshots: { snapshot: CatalogSnapshot; backfill: boolean }[];
  readonly published: PublishedChange[];
  readonly records: PriceChangeRetracted[];
  readonly beforeHorizon: string[];
}

function arrive(events: readonly Delivered[], from?: Run, opts: ValidTimeOptions = {}): Run {
  const run: Run = from ?? {
    histories: new Map(),
    snapshots: [],
    published: [],
    records: [],
    beforeHorizon: [],
  };
  for (const e of events) {
    const r = placeEvent(run, e, e.backfill, opts);
    for (const [k, h] of r.histories) run.histories.set(k, h);
    if (r.snapshot) run.snapshots.push(r.snapshot);
    run.published.push(...r.publish);
    run.records.push(...r.retractions);
    run.beforeHorizon.push(...r.beforeHorizon);
  }
  return run;
}

/** §4.4: a version is in force unless the record with its highest revision retracts it. */
function inForce(published: readonly PublishedChange[], records: readonly PriceChangeRetracted[]) {
  const last = new Map<string, PriceChangeRetracted>();
  for (const r of records) {
    const v = versionOf(r.retracted_event_id, r.retracted_digest);
    if ((last.get(v)?.revision ?? -1) < r.revision) last.set(v, r);
  }
  const out = new Map<string, PriceChanged>();
  for (const p of published) {
    const v = versionOf(p.change.event_id, p.digest);
    if (!last.get(v)?.retracted) out.set(v, p.change);
  }
  return out;
}

const byVersion = (changes: readonly PriceChanged[]) =>
  new Map(changes.map((c) => [versionOf(c.event_id, changeDigest(c)), c]));

const sortedEntries = <T>(m: ReadonlyMap<string, T>) =>
  [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** The in-order run over the set of inputs (rebuildChanges: decide and applyCatalogSnapshot, by time). */
function inOrder(events: readonly ValidTimeEvent[], opts: ValidTimeOptions = {}) {
  const set = inputSet(events);
  const observations = set.flatMap((e) => ('observation' in e ? [e.observation] : []));
  const snapshots = set.flatMap((e) => ('snapshot' in e ? [e.snapshot] : []));
  return rebuildChanges(observations, opts, snapshots);
}

function eventsOf(obs: readonly Observation[], cats: readonly Catalog[]): ValidTimeEvent[] {
  return [
    ...normalizedLog(obs).map((observation) => ({ observation })),
    // One response per fetch time: two snapshots at the same instant with the same id are one response.
    ...cats
      .filter((c, i) => cats.findIndex((d) => d.day === c.day && d.minute === c.minute) === i)
      .map((c) => ({ snapshot: snapshotOf(c) })),
  ];
}

describe('valid time: arrival order does not matter (docs/price-model.md §4.1)', () => {
  it('any permutation with duplicates ends with the in-order set in force and the in-order state', () => {
    fc.assert(
      fc.property(
        fc.array(observation, { maxLength: 40 }),
        fc.array(catalog, { maxLength: 6 }),
        fc.integer(),
        // The policy travels with the rules: a removal after 1, 2 or 3 absences, another threshold.
        fc.record({
          removalAfterRuns: fc.constantFrom(1, 2, 3),
          alertThreshold: fc.constantFrom('0.30', '0.1'),
          // Marks every 1 to 4 inputs, so the short histories here use and invalidate them.
          markEvery: fc.integer({ min: 1, max: 4 }),
        }),
        (obs, cats, seed, opts) => {
          const events = eventsOf(obs, cats);
          const truth = inOrder(events, opts);
          const run = arrive(delivery(events, seed), undefined, opts);
          const now = inForce(run.published, run.records);
          expect(sortedEntries(now)).toEqual(sortedEntries(byVersion(truth.changes)));
          for (const [key, s] of truth.state) expect(run.histories.get(key)?.state).toEqual(s);
          for (const [key, h] of run.histories) if (h.state) expect(truth.state.has(key)).toBe(true);
          // Published and retracted records are facts: each record id once.
          expect(new Set(run.records.map((r) => r.event_id)).size).toBe(run.records.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('delivered in time order, nothing is retracted and the events are the in-order ones', () => {
    fc.assert(
      fc.property(
        fc.array(observation, { maxLength: 40 }),
        fc.array(catalog, { maxLength: 6 }),
        (obs, cats) => {
          const events = eventsOf(obs, cats);
          const run = arrive(inputSet(events).map((e) => ({ ...e, backfill: false })));
          expect(run.records).toEqual([]);
          expect(run.published.every((p) => !p.backfilled)).toBe(true);
          const truth = inOrder(events).changes;
          expect(run.published).toHaveLength(truth.length);
          expect(sortedEntries(byVersion(run.published.map((p) => p.change)))).toEqual(
            sortedEntries(byVersion(truth)),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('folded at any time and read back from its changelog record, a key goes on as if nothing was folded', () => {
    fc.assert(
      fc.property(
        fc.array(observation, { maxLength: 40 }),
        fc.array(catalog, { maxLength: 6 }),
        fc.integer({ min: 0, max: 6 * 4 }),
        fc.integer(),
        (obs, cats, cut, seed) => {
          const events = inputSet(eventsOf(obs, cats));
          const horizon = T0 + Math.floor(cut / 4) * DAY + (cut % 4) * MINUTE + (cut % 2);
          const early = events.filter((e) => position(e)[0] <= horizon);
          const late = events.filter((e) => position(e)[0] > horizon);
          const first = arrive(delivery(early, seed), undefined, { markEvery: 2 });
          for (const [key, h] of first.histories)
            first.histories.set(key, decodeHistory(encodeHistory(foldUntil(h, [horizon, 1, '\uffff']))));
          const again = early.filter((e) => 'observation' in e).map((e) => ({ ...e, backfill: true }));
          const run = arrive([...delivery(late, seed + 1), ...again], first, { markEvery: 3 });
          expect(run.beforeHorizon).toHaveLength(again.length);
          expect(sortedEntries(inForce(run.published, run.records))).toEqual(
            sortedEntries(byVersion(inOrder(events).changes)),
          );
          for (const [key, s] of inOrder(events).state) expect(run.histories.get(key)?.state).toEqual(s);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reverse order and twice (the issue test in small): same set in force, corrections published', () => {
    fc.assert(
      fc.property(
        fc.array(observation, { minLength: 5, maxLength: 40 }),
        fc.array(catalog, { maxLength: 6 }),
        (obs, cats) => {
          const events = inputSet(eventsOf(obs, cats));
          const reversed = [...events].reverse().map((e) => ({ ...e, backfill: true }));
          const run = arrive([...reversed, ...reversed], undefined, { markEvery: 2 });
          expect(sortedEntries(inForce(run.published, run.records))).toEqual(
            sortedEntries(byVersion(inOrder(events).changes)),
          );
          expect(run.published.every((p) => p.backfilled)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
