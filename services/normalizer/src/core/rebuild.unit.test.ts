// The rebuild from the event store (docs/price-model.md §4, docs/valid-time-wiring.md §4). The oracles
// are the document's: the in-order run over the SET of inputs (any log order, duplicates dropped), the
// reader's rule of §4.4 for what is in force, the valid-time placement of valid-time.ts fed the same
// inputs in another order, and the examples of §4.2/§4.3 worked by hand.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeEvent,
  encodeEvent,
  eventId,
  type CatalogSnapshot,
  type NormalizedPrice,
  type PriceChanged,
  type PriceChangeRetracted,
} from '@llmpt/schemas';
import { applyCatalogSnapshot, normalizeAndDecide } from './changes.ts';
import { decodeHistory, encodeHistory } from './key-history.ts';
import { normalize } from './normalize.ts';
import {
  compareChanges,
  isSameInForce,
  isSameSet,
  knownSnapshotRecords,
  planRepair,
  rebuildChanges,
  rebuildHistories,
  retractionId,
  versionsInForce,
  type TopicChanges,
} from './rebuild.ts';
import type { PriceState } from './state.ts';
import {
  changeDigest,
  placeEvent,
  positionOf,
  versionOf,
  type KeyHistory,
  type PublishedChange,
  type ValidTimeEvent,
} from './valid-time.ts';
import { DAY, T0, component, rawPrice } from '../testing/fixtures.ts';

const MINUTE = 60_000;
const models = ['a/one', 'b/two', 'c/three'];
const values = ['0.000001', '0.000002', '0.0000025', '0', '-1'];

/**
 * The live (pre-valid-time) normalizer over raw observations and catalog snapshots, as they arrive: its
 * NormalizedPrice log, PriceChanged log and state.
 */
function live(inputs: readonly (ReturnType<typeof rawPrice> | CatalogSnapshot)[]) {
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

/** Observations of a few keys over a few days, prices moving back and forth, a tier that comes and goes. */
const observation = fc.record({
  model: fc.constantFrom(...models),
  provider: fc.constantFrom(null, 'deepinfra'),
  day: fc.integer({ min: 0, max: 4 }),
  minute: fc.integer({ min: 0, max: 5 }),
  prompt: fc.constantFrom(...values),
  completion: fc.constantFrom(...values),
  long: fc.constantFrom(null, '0.000004', '0.000005'),
  unavailable: fc.boolean(),
  backfill: fc.boolean(),
});
type Observation = typeof observation extends fc.Arbitrary<infer T> ? T : never;
/** One key observed at most once per instant: two observations of a key at one time have no order. */
const observations = (maxLength: number) =>
  fc.uniqueArray(observation, { maxLength, selector: (o) => [o.model, o.provider, o.day, o.minute].join() });

/** A complete discovery run: the models it listed (some left out: removals), one may expire. */
const catalog = fc.record({
  day: fc.integer({ min: 0, max: 4 }),
  minute: fc.integer({ min: 0, max: 5 }),
  listed: fc.subarray(models),
  expiring: fc.constantFrom(null, '2026-06-01', '2026-07-01'),
  backfill: fc.boolean(),
});
type Catalog = typeof catalog extends fc.Arbitrary<infer T> ? T : never;

/** A snapshot as discovery makes it: its id from the day and the ids listed; fetched just before the minute. */
function snapshotOf(c: Catalog): CatalogSnapshot {
  const at = T0 + c.day * DAY + c.minute * MINUTE - 1;
  const snapshot_date = new Date(at).toISOString().slice(0, 10);
  return {
    event_id: eventId('CatalogSnapshot', snapshot_date, ...c.listed),
    run_id: `run-${snapshot_date}`,
    caused_by: null,
    occurred_at: at,
    source_url: 'https://openrouter.ai/api/v1/models',
    backfill: c.backfill,
    fetched_at: at,
    snapshot_date,
    model_ids: c.listed,
    expirations: c.expiring && c.listed[0] ? [{ model_id: c.listed[0], expiration_date: c.expiring }] : [],
  };
}

/** One response per fetch time. */
const snapshotsOf = (cats: readonly Catalog[]) =>
  cats
    .filter((c, i) => cats.findIndex((d) => d.day === c.day && d.minute === c.minute) === i)
    .map(snapshotOf);

function raws(obs: readonly Observation[]) {
  return obs.map((o) =>
    rawPrice({
      model_id: o.model,
      provider: o.provider,
      source_type: o.provider ? 'openrouter_endpoints' : 'openrouter_api',
      fetched_at: T0 + o.day * DAY + o.minute * MINUTE,
      backfill: o.backfill,
      ...(o.unavailable
        ? { status: 'unavailable', unavailable_reason: 'timeout' }
        : {
            prices: { prompt: o.prompt, completion: o.completion },
            components: o.long
              ? [component('prompt', o.long, 'per_token', { tier: 'prompt_tokens>=200000' })]
              : [],
          }),
    }),
  );
}

/** What a pipeline delivers in time order (a run's snapshot before its observations). */
function inTimeOrder(obs: readonly Observation[], cats: readonly Catalog[]) {
  return [...snapshotsOf(cats), ...raws(obs)].sort((x, y) => x.fetched_at - y.fetched_at);
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

/** The items in a random order, some two or three times. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = prng(seed);
  const out: T[] = [];
  for (const x of items) {
    const copies = random() < 0.2 ? 2 + Math.floor(random() * 2) : 1;
    for (let i = 0; i < copies; i++) out.push(x);
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The valid-time normalizer (placeEvent) over events in the given order: the two topics and its histories. */
function placed(events: readonly ValidTimeEvent[], markEvery = 2) {
  const histories = new Map<string, KeyHistory>();
  const snapshots: { snapshot: CatalogSnapshot; backfill: boolean }[] = [];
  const published: PublishedChange[] = [];
  const retractions: PriceChangeRetracted[] = [];
  for (const e of events) {
    const backfill = 'observation' in e ? e.observation.backfill : e.snapshot.backfill;
    const r = placeEvent({ histories, snapshots }, e, backfill, { markEvery });
    for (const [k, h] of r.histories) histories.set(k, h);
    if (r.snapshot) snapshots.push(r.snapshot);
    published.push(...r.publish);
    retractions.push(...r.retractions);
  }
  const topic: TopicChanges = {
    // As the normalizer publishes them: the marker on the event (outside the digest).
    published: published.map((p) => ({ ...p.change, backfilled: p.backfilled })),
    retractions,
  };
  return { histories, topic };
}

/** Stable: each key's events in their order, keys sorted. */
const perKey = (changes: readonly PriceChanged[]) =>
  [...changes].sort((x, y) => (x.price_key < y.price_key ? -1 : x.price_key > y.price_key ? 1 : 0));

const versions = (changes: readonly PriceChanged[]) =>
  changes.map((c) => versionOf(c.event_id, changeDigest(c))).sort();

describe('rebuildChanges: the in-order run over the set of inputs (§4.1)', () => {
  it('over a log written in time order, yields the events the live normalizer emitted, same ids, same state', () => {
    fc.assert(
      fc.property(observations(60), fc.array(catalog, { maxLength: 4 }), (obs, cats) => {
        const run = live(inTimeOrder(obs, cats));
        // Some snapshots read twice (the same response delivered again): one input.
        const rebuilt = rebuildChanges(run.normalized, {}, [...run.snapshots, ...run.snapshots.slice(0, 2)]);
        // The live stage publishes no marker; the rebuild marks the changes a backfill run caused (§4.5).
        // Keys are independent: per key, the same events in the same order (keys observed at one instant
        // are taken in event id order, not in the order the run happened to write them).
        expect(perKey(rebuilt.changes.map((c) => ({ ...c, backfilled: false })))).toEqual(
          perKey(run.changed),
        );
        expect(rebuilt.state).toEqual(run.state);
        expect(isSameSet(compareChanges(rebuilt.changes, run.changed))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('the log in reverse, shuffled, or with duplicates gives the same changes and state as in time order', () => {
    fc.assert(
      fc.property(observations(40), fc.array(catalog, { maxLength: 5 }), fc.integer(), (obs, cats, seed) => {
        const run = live(inTimeOrder(obs, cats));
        const sorted = rebuildChanges(run.normalized, {}, run.snapshots);
        for (const [np, snaps] of [
          [[...run.normalized].reverse(), [...run.snapshots].reverse()],
          [shuffled(run.normalized, seed), shuffled(run.snapshots, seed + 1)],
          [
            [...run.normalized, ...run.normalized],
            [...run.snapshots, ...run.snapshots],
          ],
        ] as const) {
          const again = rebuildChanges(np, {}, snaps);
          expect(again.changes).toEqual(sorted.changes);
          expect(again.state).toEqual(sorted.state);
          expect(again.newest).toEqual(sorted.newest);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('equals the versions the valid-time placement leaves in force, whatever order each is fed', () => {
    fc.assert(
      fc.property(
        observations(40),
        fc.array(catalog, { maxLength: 6 }),
        fc.integer(),
        fc.integer({ min: 1, max: 4 }),
        (obs, cats, seed, markEvery) => {
          const run = live(inTimeOrder(obs, cats));
          const events: ValidTimeEvent[] = [
            ...run.normalized.map((observation) => ({ observation })),
            ...run.snapshots.map((snapshot) => ({ snapshot })),
          ];
          const normalizer = placed(shuffled(events, seed), markEvery);
          // The rebuild reads the logs in yet another order, with duplicates.
          const logs = shuffled(events, seed + 1);
          const np = logs.flatMap((e) => ('observation' in e ? [e.observation] : []));
          const snaps = logs.flatMap((e) => ('snapshot' in e ? [e.snapshot] : []));
          const rebuilt = rebuildChanges(np, {}, snaps);

          expect([...versionsInForce(normalizer.topic).keys()].sort()).toEqual(versions(rebuilt.changes));
          const cmp = compareChanges(
            rebuilt.changes,
            normalizer.topic.published,
            normalizer.topic.retractions,
          );
          expect(isSameSet(cmp)).toBe(true);
          expect(planRepair(cmp, normalizer.topic, rebuilt.newest)).toEqual({ publish: [], retractions: [] });

          // --write-state: the histories the placement holds, read off the logs and the records.
          const histories = new Map(
            [...rebuildHistories(np, snaps, normalizer.topic.retractions)].map((h) => [h.price_key, h]),
          );
          expect([...histories.keys()].sort()).toEqual([...normalizer.histories.keys()].sort());
          for (const [key, h] of histories) {
            const held = normalizer.histories.get(key)!;
            expect(h.inputs.map(positionOf)).toEqual(held.inputs.map(positionOf));
            expect(h.state).toEqual(held.state);
            expect([h.revision, h.retracted]).toEqual([held.revision, held.retracted]);
            expect(h.state).toEqual(rebuilt.state.get(key));
            expect(decodeHistory(encodeHistory(h))).toEqual(h);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a change is backfilled when its cause came from a backfill run (§4.5)', () => {
    const a = normalize(rawPrice({ fetched_at: T0, prices: { prompt: '0.000001' }, backfill: true }));
    const b = normalize(rawPrice({ fetched_at: T0 + DAY, prices: { prompt: '0.000002' } }));
    const gone = (day: number): CatalogSnapshot => ({
      ...snapshotOf({ day, minute: 0, listed: [], expiring: null, backfill: true }),
    });
    const { changes } = rebuildChanges([b, a], {}, [gone(3), gone(2)]);
    expect(changes.map((c) => [c.kind, c.backfilled])).toEqual([
      ['new', true],
      ['changed', false],
      ['removed', true],
    ]);
  });
});

/** An observation of KEY on `day` at a prompt price per token. */
const KEY = 'a/one||openrouter_api';
const obsOf = (day: number, prompt: string) =>
  normalize(rawPrice({ model_id: 'a/one', fetched_at: T0 + day * DAY, prices: { prompt } }));

describe('compareChanges and planRepair: the versions in force against the rebuild (§4.3, §4.4)', () => {
  // §4.3's example: A and C at two prices, then X at A's price between them, arriving last. The live
  // stage of rule 8's old wording ignored X; the in-order run gives C's change another
  // previous_observed_at: the same id, another digest.
  const a = obsOf(0, '0.000001');
  const c = obsOf(2, '0.000002');
  const x = obsOf(1, '0.000001');
  const liveTopic = live([
    rawPrice({ model_id: 'a/one', fetched_at: T0, prices: { prompt: '0.000001' } }),
    rawPrice({ model_id: 'a/one', fetched_at: T0 + 2 * DAY, prices: { prompt: '0.000002' } }),
  ]).changed;

  it('a late observation that moves a change: one version missing, one extra, the same id differing', () => {
    const rebuilt = rebuildChanges([a, c, x]);
    const [, moved] = rebuilt.changes;
    expect(moved).toMatchObject({
      kind: 'changed',
      caused_by: c.event_id,
      previous_observed_at: x.observed_at,
    });
    const [, old] = liveTopic;
    expect(old).toMatchObject({
      kind: 'changed',
      caused_by: c.event_id,
      previous_observed_at: a.observed_at,
    });
    const cmp = compareChanges(rebuilt.changes, liveTopic);
    expect(cmp).toMatchObject({
      rebuilt: 2,
      existing: 2,
      retractions: 0,
      inForce: 2,
      same: 1,
      differing: [moved!.event_id],
      duplicates: [],
    });
    expect(cmp.missing.map((v) => v.change)).toEqual([moved]);
    expect(cmp.extra.map((v) => v.change)).toEqual([old]);
    expect(isSameInForce(cmp)).toBe(false);
  });

  it('--repair publishes the missing version backfilled and retracts the extra one at revision 1', () => {
    const rebuilt = rebuildChanges([a, c, x]);
    const topic = { published: liveTopic, retractions: [] };
    const plan = planRepair(compareChanges(rebuilt.changes, liveTopic), topic, rebuilt.newest);
    const [, moved] = rebuilt.changes;
    const [, old] = liveTopic;
    expect(plan.publish).toEqual([{ ...moved, backfilled: true }]);
    const digest = changeDigest(old!);
    expect(plan.retractions).toEqual([
      {
        event_id: eventId('PriceChangeRetracted', KEY, 1, old!.event_id, digest, true),
        price_key: KEY,
        retracted_event_id: old!.event_id,
        retracted_digest: digest,
        retracted: true,
        revision: 1,
        // The key's newest input in position order: C (day 2), not X (day 1), which arrived last.
        caused_by: c.event_id,
        occurred_at: c.occurred_at,
      },
    ]);
    const repaired = {
      published: [...liveTopic, ...plan.publish],
      retractions: plan.retractions,
    };
    const after = compareChanges(rebuilt.changes, repaired.published, repaired.retractions);
    expect(isSameSet(after)).toBe(true);
    expect(planRepair(after, repaired, rebuilt.newest)).toEqual({ publish: [], retractions: [] });
    // What --write-state then writes for the key: its inputs in position order, the retraction remembered.
    const [h] = rebuildHistories([a, c, x], [], repaired.retractions);
    expect(h!.inputs.map((i) => ('observation' in i ? i.observation.event_id : ''))).toEqual([
      a.event_id,
      x.event_id,
      c.event_id,
    ]);
    expect([h!.revision, h!.retracted]).toEqual([1, [versionOf(old!.event_id, digest)]]);
    expect(h!.state).toEqual(rebuilt.state.get(KEY));
  });

  it('a retracted version that is due again is published again and reinstated, revisions continuing', () => {
    // The valid-time normalizer retracted C's old version when X arrived; the topic then lost X's effect
    // (say the NormalizedPrice log no longer holds X: the rebuild says the old version is due).
    const normalizer = placed([{ observation: a }, { observation: c }, { observation: x }]);
    expect(normalizer.topic.retractions.map((r) => [r.revision, r.retracted])).toEqual([[1, true]]);
    const rebuilt = rebuildChanges([a, c]);
    const cmp = compareChanges(rebuilt.changes, normalizer.topic.published, normalizer.topic.retractions);
    const plan = planRepair(cmp, normalizer.topic, rebuilt.newest);
    const [, old] = liveTopic;
    const moved = normalizer.topic.published[2]!;
    // The topic's own copy, with the marker it was first published with.
    expect(plan.publish).toEqual([normalizer.topic.published[1]]);
    expect(
      plan.retractions.map((r) => [r.revision, r.retracted_event_id, r.retracted_digest, r.retracted]),
    ).toEqual([
      [2, moved.event_id, changeDigest(moved), true],
      [3, old!.event_id, changeDigest(old!), false],
    ]);
    const after = {
      published: [...normalizer.topic.published, ...plan.publish],
      retractions: [...normalizer.topic.retractions, ...plan.retractions],
    };
    const cmp2 = compareChanges(rebuilt.changes, after.published, after.retractions);
    // Published twice, retracted in between: not a duplicate.
    expect(isSameSet(cmp2)).toBe(true);
    const [h] = rebuildHistories([a, c], [], after.retractions);
    expect([h!.revision, h!.retracted]).toEqual([3, [versionOf(moved.event_id, changeDigest(moved))]]);
  });

  it('the record ids are those the placement derives (PriceChangeRetracted.avsc)', () => {
    const normalizer = placed([{ observation: a }, { observation: c }, { observation: x }]);
    for (const r of normalizer.topic.retractions)
      expect(
        retractionId(r.price_key, r.revision, r.retracted_event_id, r.retracted_digest, r.retracted),
      ).toBe(r.event_id);
  });

  it('names a version published twice without a retraction, and a stranger on the topic', () => {
    const rebuilt = rebuildChanges([a, c]).changes;
    const [first, second] = rebuilt as [PriceChanged, PriceChanged];
    const stranger = { ...first, event_id: 'not-from-this-log' };
    const cmp = compareChanges(rebuilt, [first, first, second, stranger]);
    expect(cmp).toMatchObject({ same: 2, missing: [], differing: [], duplicates: [first.event_id] });
    expect(cmp.extra.map((v) => v.change)).toEqual([stranger]);
    expect(isSameInForce(cmp)).toBe(false);
    // A duplicate alone leaves the set in force right, yet the topic is not what exactly-once writes.
    const dup = compareChanges(rebuilt, [first, first, second]);
    expect([isSameInForce(dup), isSameSet(dup)]).toEqual([true, false]);
  });

  it('the marker is not part of a version: a backfilled copy of a change is the same version', () => {
    const rebuilt = rebuildChanges([a, c]).changes;
    const cmp = compareChanges(
      rebuilt,
      rebuilt.map((e) => ({ ...e, backfilled: !e.backfilled })),
    );
    expect(isSameSet(cmp)).toBe(true);
  });
});

describe('knownSnapshotRecords: the snapshots --write-state marks known (docs/valid-time-wiring.md §2)', () => {
  it('one record per position, keyed snapshot#<event_id>@<fetched_at>, the snapshot as base64 Avro', () => {
    const s = snapshotOf({ day: 1, minute: 0, listed: ['a/one'], expiring: null, backfill: true });
    const later = {
      ...s,
      fetched_at: s.fetched_at + MINUTE,
      occurred_at: s.occurred_at + MINUTE,
      backfill: false,
    };
    const records = knownSnapshotRecords([s, later, s]);
    expect(records.map((r) => r.key)).toEqual([
      `snapshot#${s.event_id}@${s.fetched_at}`,
      `snapshot#${s.event_id}@${later.fetched_at}`,
    ]);
    const [first, second] = records.map(
      (r) => JSON.parse(r.value.toString('utf8')) as Record<string, unknown>,
    );
    expect(first).toEqual({
      v: 1,
      backfill: 1,
      snapshot: encodeEvent('CatalogSnapshot', s).toString('base64'),
    });
    expect(second).toMatchObject({ v: 1, backfill: 0 });
    expect(decodeEvent(Buffer.from(String(second!.snapshot), 'base64')).event).toEqual(later);
  });
});
