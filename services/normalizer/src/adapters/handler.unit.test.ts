import {
  encodeEvent,
  eventId,
  priceKey,
  type CatalogSnapshot,
  type EventTypes,
  type PriceChanged,
  type PriceChangeRetracted,
  type RawPriceObserved,
} from '@llmpt/schemas';
import { samples } from '@llmpt/schemas/samples';
import type { HandlerResult, StageMessage } from '@llmpt/runtime/kafka';
import { describe, expect, it } from 'vitest';
import { stateFromChangelog } from './changelog.ts';
import {
  createNormalizerHandler,
  emptyCounters,
  emptyNormalizerState,
  type NormalizerHandlerOptions,
  type NormalizerState,
} from './handler.ts';
import { applyCatalogSnapshot, decide, normalizeAndDecide } from '../core/changes.ts';
import { daySegmentKey, isSnapshotRecordKey, snapshotRecordKey } from '../core/key-history.ts';
import { normalize } from '../core/normalize.ts';
import { encodeState, type PriceState } from '../core/state.ts';
import { changeDigest, versionOf } from '../core/valid-time.ts';
import { DAY, T0, component, rawPrice } from '../testing/fixtures.ts';

const topics = { normalized: 'n', changed: 'c', retracted: 'r', changelog: 's' };
let offset = 0;
const msg = (raw: RawPriceObserved): StageMessage => ({
  topic: 'raw',
  partition: 0,
  offset: String(offset++),
  key: null,
  value: encodeEvent('RawPriceObserved', raw),
  decoded: { name: 'RawPriceObserved', event: raw },
});
const snapshotMsg = (snapshot: CatalogSnapshot): StageMessage => ({
  topic: 'catalog',
  partition: 0,
  offset: String(offset++),
  key: null,
  value: encodeEvent('CatalogSnapshot', snapshot),
  decoded: { name: 'CatalogSnapshot', event: snapshot },
});

describe('normalizer handler', () => {
  it('stages state until the batch commits, so a retried batch yields the same events', async () => {
    const state = emptyNormalizerState();
    const counters = emptyCounters();
    const h = createNormalizerHandler(state, topics, { alertThreshold: '0.30' }, counters);
    const day1 = msg(rawPrice({ prices: { prompt: '0.000003', completion: '0.000015' } }));
    const first = await h.handle([day1]);
    const retried = await h.handle([day1]);
    expect(retried).toEqual(first);
    expect(state.histories.size).toBe(0);
    expect(first.outputs?.map((o) => o.name)).toEqual(['NormalizedPrice', 'PriceChanged']);
    expect(first.outputs?.[1]).toMatchObject({ event: { kind: 'new' } });
    h.commit();
    expect(state.histories.size).toBe(1);
    expect(counters).toEqual({ ...emptyCounters(), observations: 1, changes: 1 });
    // The changelog records (a head and its day's segment, §4.6) are the state the next start restores.
    const restored = stateFromChangelog();
    for (const o of first.rawOutputs ?? []) restored.add(o.key, o.value);
    // (the marks are in memory only)
    expect([...restored.state().histories.values()][0]).toEqual({
      ...[...state.histories.values()][0]!,
      marks: undefined,
    });

    const cut = msg(
      rawPrice({ fetched_at: T0 + DAY, prices: { prompt: '0.0000015', completion: '0.000015' } }),
    );
    const second = await h.handle([cut]);
    const change = second.outputs?.find((o) => o.name === 'PriceChanged');
    expect(change).toMatchObject({
      topic: 'c',
      event: {
        kind: 'changed',
        alert: true,
        changes: [
          {
            dimension: 'prompt',
            previous: '3.00000000',
            current: '1.50000000',
            relative_change: '-0.50000000',
            tier: null,
            change: 'changed',
          },
        ],
      },
    });
  });

  it('dead-letters an unparsable price and goes on with the rest of the batch', async () => {
    const h = createNormalizerHandler(
      emptyNormalizerState(),
      topics,
      { alertThreshold: '0.30' },
      emptyCounters(),
    );
    const bad = msg(rawPrice({ model_id: 'x/bad', prices: { prompt: 'abc', completion: '0.000001' } }));
    const good = msg(
      rawPrice({ model_id: 'x/good', prices: { prompt: '0.000001', completion: '0.000001' } }),
    );
    const result = await h.handle([bad, good]);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected![0]!.message).toBe(bad);
    expect(result.rejected![0]!.error).toMatchObject({ code: 'UNPARSABLE_PRICE' });
    expect(result.outputs?.filter((o) => o.name === 'NormalizedPrice').map((o) => o.event.model_id)).toEqual([
      'x/good',
    ]);
  });

  it('applies catalog snapshots to every key: removals after the policy, committed with the batch', async () => {
    const state = emptyNormalizerState();
    const counters = emptyCounters();
    const h = createNormalizerHandler(state, topics, { removalAfterRuns: 2 }, counters);
    const snapshot = (day: number): CatalogSnapshot => ({
      ...samples.CatalogSnapshot,
      event_id: `snapshot-${day}`,
      fetched_at: T0 + day * DAY,
      model_ids: ['openai/gpt-4o'],
      expirations: [],
    });
    await h.handle([msg(rawPrice({ prices: { prompt: '0.000003' } }))]);
    h.commit();
    const first = await h.handle([snapshotMsg(snapshot(1))]);
    expect(first.outputs).toEqual([]);
    // the absence counted, in the changelog (beside the snapshot's own record)
    // (§4.6 by day: the key's head and the segment of the snapshot's day, which held no input yet)
    expect(first.rawOutputs?.filter((r) => !isSnapshotRecordKey(r.key)).map((r) => r.key)).toEqual([
      'anthropic/claude-sonnet-4||openrouter_api',
      daySegmentKey('anthropic/claude-sonnet-4||openrouter_api', Math.floor((T0 + DAY) / DAY)),
    ]);
    h.commit();
    // The same snapshot again counts nothing; the next one removes the key.
    const again = await h.handle([snapshotMsg(snapshot(1)), snapshotMsg(snapshot(2))]);
    expect(again.outputs).toMatchObject([{ topic: 'c', name: 'PriceChanged', event: { kind: 'removed' } }]);
    h.commit();
    expect([...state.histories.values()][0]!.state).toMatchObject({ removed: true, absent_snapshots: 2 });
    expect(counters).toMatchObject({ snapshots: 3, changes: 2, alerts: 0 });
  });

  it('counts unregistered keys and reports them once per run, by name', async () => {
    const reported: [string, readonly string[]][] = [];
    const counters = emptyCounters();
    const h = createNormalizerHandler(
      emptyNormalizerState(),
      topics,
      { onUnregistered: (run, keys) => reported.push([run, keys]) },
      counters,
    );
    const withUnknown = (model: string, run: string) =>
      msg(
        rawPrice({
          model_id: model,
          run_id: run,
          components: [component('prompt', '0.000001'), component('karaoke', '0.1', 'per_unit')],
        }),
      );
    const result = await h.handle([
      withUnknown('a/one', 'r1'),
      withUnknown('b/two', 'r1'),
      withUnknown('a/one', 'r2'),
    ]);
    h.commit();
    expect(reported).toEqual([
      ['r1', ['karaoke']],
      ['r2', ['karaoke']],
    ]);
    expect(counters.unregistered).toBe(3);
    const normalized = result.outputs?.find((o) => o.name === 'NormalizedPrice');
    expect(normalized?.event).toMatchObject({ unregistered: [{ key: 'karaoke', raw_value: '0.1' }] });
  });

  it('dead-letters an event the normalizer does not consume', async () => {
    const h = createNormalizerHandler(emptyNormalizerState(), topics, {}, emptyCounters());
    const wrong: StageMessage = {
      topic: 'raw',
      partition: 0,
      offset: String(offset++),
      key: null,
      value: encodeEvent('ModelDiscovered', samples.ModelDiscovered),
      decoded: { name: 'ModelDiscovered', event: samples.ModelDiscovered },
    };
    const result = await h.handle([wrong]);
    expect(result.rejected?.[0]?.error).toMatchObject({ code: 'UNEXPECTED_EVENT' });
  });
});

// Valid time (docs/price-model.md §4) through the handler: each case's expected events are written from
// the document (kinds, prices, causes, markers), or are the in-order run's, never the handler's own.
const A = 'a/one';
const B = 'b/two';
const PROVIDER = 'prov';
const routed = (model: string) => priceKey(model, null, 'openrouter_api');
const endpoint = (model: string) => priceKey(model, PROVIDER, 'openrouter_endpoints');

/** A raw observation of `model` (its routed key, or its endpoint key) `day` days and `hours` after T0. */
function observed(
  model: string,
  day: number,
  prompt: string,
  o: { hours?: number; endpoint?: boolean } = {},
) {
  return rawPrice({
    model_id: model,
    fetched_at: T0 + day * DAY + (o.hours ?? 0) * 3_600_000,
    prices: { prompt },
    ...(o.endpoint ? { provider: PROVIDER, source_type: 'openrouter_endpoints' as const } : {}),
  });
}

/** A complete snapshot of `day` (fetched just before the day's observations) listing `ids`. */
function snapshotOf(day: number, ids: string[], expirations: CatalogSnapshot['expirations'] = []) {
  const snapshot_date = new Date(T0 + day * DAY).toISOString().slice(0, 10);
  const s: CatalogSnapshot = {
    event_id: eventId('CatalogSnapshot', snapshot_date, ...ids),
    run_id: `run-${snapshot_date}`,
    caused_by: null,
    occurred_at: T0 + day * DAY - 1,
    source_url: 'https://openrouter.ai/api/v1/models',
    backfill: false,
    fetched_at: T0 + day * DAY - 1,
    snapshot_date,
    model_ids: ids,
    expirations,
  };
  return s;
}

type Input = RawPriceObserved | CatalogSnapshot;
const message = (x: Input): StageMessage => ('model_ids' in x ? snapshotMsg(x) : msg(x));

/** A normalizer over committed batches: what each batch returned, and what it holds. */
function normalizer(state: NormalizerState = emptyNormalizerState(), opts: NormalizerHandlerOptions = {}) {
  const counters = emptyCounters();
  const h = createNormalizerHandler(state, topics, opts, counters);
  const results: HandlerResult[] = [];
  return {
    state,
    counters,
    results,
    /** Handles one batch and commits it. */
    async batch(...inputs: Input[]): Promise<HandlerResult> {
      const r = await h.handle(inputs.map(message));
      h.commit();
      results.push(r);
      return r;
    },
    handle: (...inputs: Input[]) => h.handle(inputs.map(message)),
    commit: () => h.commit(),
  };
}

const events = <N extends 'NormalizedPrice' | 'PriceChanged' | 'PriceChangeRetracted'>(
  r: HandlerResult,
  name: N,
) => (r.outputs ?? []).filter((o) => o.name === name).map((o) => o.event as EventTypes[N]);

const summary = (c: PriceChanged) => ({
  key: c.price_key,
  kind: c.kind,
  caused_by: c.caused_by,
  previous_observed_at: c.previous_observed_at,
  changes: c.changes.map((x) => [x.change, x.previous, x.current]),
  backfilled: c.backfilled,
});

/** §4.4, the reader's rule: a version is in force unless its highest-revision record retracts it. */
function inForce(results: readonly HandlerResult[]) {
  const last = new Map<string, PriceChangeRetracted>();
  for (const r of results.flatMap((x) => events(x, 'PriceChangeRetracted'))) {
    const v = versionOf(r.retracted_event_id, r.retracted_digest);
    if ((last.get(v)?.revision ?? -1) < r.revision) last.set(v, r);
  }
  const out = new Map<string, PriceChanged>();
  for (const c of results.flatMap((x) => events(x, 'PriceChanged'))) {
    const v = versionOf(c.event_id, changeDigest(c));
    if (!last.get(v)?.retracted) out.set(v, c);
  }
  return [...out.keys()].sort();
}

/**
 * The handler as it was before valid time (commit 3623136), the oracle for inputs that arrive in time:
 * each observation through normalizeAndDecide against its key's last state, each snapshot through
 * applyCatalogSnapshot over every key.
 */
function handlerBeforeValidTime() {
  const state = new Map<string, PriceState>();
  return (x: Input) => {
    if ('model_ids' in x) {
      const { changes, next } = applyCatalogSnapshot(state, x);
      for (const [k, s] of next) state.set(k, s);
      return { normalized: [], changed: changes };
    }
    const key = priceKey(x.model_id, x.provider, x.source_type);
    const current = state.get(key);
    const { normalized, changed, next } = normalizeAndDecide(new Map(current ? [[key, current]] : []), x);
    if (next && next !== current) state.set(key, next);
    return { normalized: [normalized], changed: changed ? [changed] : [] };
  };
}

const byId = <T extends { event_id: string }>(xs: readonly T[]) =>
  [...xs].sort((a, b) => (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0));

describe('normalizer handler in valid time (docs/price-model.md §4)', () => {
  it('inputs in time: exactly the outputs of the handler before valid time, nothing retracted or backfilled', async () => {
    const series: Input[] = [
      snapshotOf(0, [A, B]),
      observed(A, 0, '0.000001'),
      observed(B, 0, '0.000005'),
      observed(A, 0, '0.0000011', { endpoint: true }),
      snapshotOf(1, [A, B]),
      observed(A, 1, '0.000002'),
      observed(B, 1, '0.000005'),
      observed(A, 1, '0.0000011', { endpoint: true }),
      // A re-run of the day, then a price that moves and comes back within the day (A, B, A).
      observed(A, 1, '0.000002', { hours: 2 }),
      observed(A, 1, '0.000003', { hours: 4 }),
      observed(A, 1, '0.000002', { hours: 6 }),
      snapshotOf(2, [A]),
      observed(A, 2, '0.000002'),
      // B absent from two snapshots running: removed; A gets an expiration date.
      snapshotOf(3, [A], [{ model_id: A, expiration_date: '2026-06-01' }]),
      observed(A, 3, '0.000002'),
      snapshotOf(4, [A, B], [{ model_id: A, expiration_date: '2026-06-01' }]),
      snapshotOf(4, [A, B], [{ model_id: A, expiration_date: '2026-06-01' }]),
      observed(B, 4, '0.000005'),
      // An unavailable observation: no price, no change (rule 1); then a move to zero (an alert).
      rawPrice({ model_id: A, fetched_at: T0 + 4 * DAY, status: 'unavailable' }),
      observed(A, 5, '0'),
    ];
    const before = handlerBeforeValidTime();
    const n = normalizer();
    for (const x of series) {
      const r = await n.batch(x);
      const want = before(x);
      expect(events(r, 'NormalizedPrice')).toEqual(want.normalized);
      expect(byId(events(r, 'PriceChanged'))).toEqual(byId(want.changed));
      expect(events(r, 'PriceChangeRetracted')).toEqual([]);
    }
    const kinds = n.results.flatMap((r) => events(r, 'PriceChanged')).map((c) => c.kind);
    // The series exercises every kind the rules give in time.
    expect(new Set(kinds)).toEqual(new Set(['new', 'changed', 'removed', 'returned', 'expiring']));
    expect(n.counters).toMatchObject({ late: 0, retractions: 0, backfilled: 0, duplicates: 1 });
  });

  it('a late observation: the in-order run’s changes published as backfilled, the superseded version retracted', async () => {
    const day0 = observed(A, 0, '0.000001');
    const day1 = observed(A, 1, '0.000002');
    const day2 = observed(A, 2, '0.000003');
    const n = normalizer();
    await n.batch(day0);
    const jump = events(await n.batch(day2), 'PriceChanged');
    expect(jump.map(summary)).toEqual([
      {
        key: routed(A),
        kind: 'changed',
        caused_by: normalize(day2).event_id,
        previous_observed_at: T0,
        changes: [['changed', '1.00000000', '3.00000000']],
        backfilled: false,
      },
    ]);
    const late = await n.batch(day1);
    expect(events(late, 'NormalizedPrice').map((e) => e.event_id)).toEqual([normalize(day1).event_id]);
    expect(events(late, 'PriceChanged').map(summary)).toEqual([
      {
        key: routed(A),
        kind: 'changed',
        caused_by: normalize(day1).event_id,
        previous_observed_at: T0,
        changes: [['changed', '1.00000000', '2.00000000']],
        backfilled: true,
      },
      {
        key: routed(A),
        kind: 'changed',
        caused_by: normalize(day2).event_id,
        previous_observed_at: T0 + DAY,
        changes: [['changed', '2.00000000', '3.00000000']],
        backfilled: true,
      },
    ]);
    expect(late.outputs?.filter((o) => o.name === 'PriceChangeRetracted')).toEqual([
      {
        topic: 'r',
        key: routed(A),
        name: 'PriceChangeRetracted',
        event: {
          event_id: eventId(
            'PriceChangeRetracted',
            routed(A),
            1,
            jump[0]!.event_id,
            changeDigest(jump[0]!),
            true,
          ),
          price_key: routed(A),
          retracted_event_id: jump[0]!.event_id,
          retracted_digest: changeDigest(jump[0]!),
          retracted: true,
          revision: 1,
          caused_by: normalize(day1).event_id,
          occurred_at: day1.fetched_at,
        },
      },
    ]);
    // What is in force is what the inputs in time order give.
    const inOrder = normalizer();
    for (const x of [day0, day1, day2]) await inOrder.batch(x);
    expect(inForce(n.results)).toEqual(inForce(inOrder.results));
    expect(n.counters).toMatchObject({ late: 1, retractions: 1, backfilled: 2, changes: 4 });
    expect(n.state.histories.get(routed(A))?.state).toEqual(inOrder.state.histories.get(routed(A))?.state);
  });

  it('a late observation takes its identity within the day from its time predecessor, and again when redelivered', async () => {
    const morning = observed(A, 1, '0.000001');
    const evening = observed(A, 1, '0.000002', { hours: 12 });
    const noon = observed(A, 1, '0.000003', { hours: 6 });
    const n = normalizer();
    await n.batch(morning, evening);
    const late = await n.batch(noon);
    // Chained on the morning's observation (the one before it in time), as an in-order run chains it.
    const expected = eventId(
      'NormalizedPrice',
      normalize(noon).event_id,
      'after',
      normalize(morning).event_id,
    );
    expect(events(late, 'NormalizedPrice').map((e) => e.event_id)).toEqual([expected]);
    const inOrder = normalizer();
    await inOrder.batch(morning, noon);
    expect(events(inOrder.results[0]!, 'NormalizedPrice')[1]?.event_id).toBe(expected);
    // The same raw observation again: the same identity, a duplicate that publishes and rewrites nothing.
    const again = await n.batch(noon);
    expect(events(again, 'NormalizedPrice').map((e) => e.event_id)).toEqual([expected]);
    expect(events(again, 'PriceChanged')).toEqual([]);
    expect(again.rawOutputs).toEqual([]);
    expect(n.counters).toMatchObject({ late: 1, duplicates: 1 });
  });

  it('a batch handled twice (aborted, then retried) yields the same outputs, late inputs and snapshots included', async () => {
    const n = normalizer();
    await n.batch(observed(A, 0, '0.000001'), observed(B, 0, '0.000001'), observed(A, 3, '0.000004'));
    const late = [observed(A, 1, '0.000002'), observed(A, 2, '0.000003'), observed(B, 2, '0.000002')];
    const first = await n.handle(...late);
    const retried = await n.handle(...late);
    expect(retried).toEqual(first);
    // Day 1 retracts 1→4 (caused by day 3) and publishes 2→4; day 2 then retracts that 2→4 in turn.
    expect(events(first, 'PriceChangeRetracted').map((r) => [r.revision, r.retracted])).toEqual([
      [1, true],
      [2, true],
    ]);
    n.commit();
    const snapshots = [snapshotOf(1, [A]), snapshotOf(2, [A])];
    const s1 = await n.handle(...snapshots);
    expect(await n.handle(...snapshots)).toEqual(s1);
    // B absent on days 1 and 2: removed by day 2's snapshot, back with its observation of day 2. Day
    // 2's snapshot lands on B's newest day (its observation of day 2): a recomputation within one UTC
    // day is live news, not backfilled (docs/price-model.md §4.5).
    expect(events(s1, 'PriceChanged').map((c) => [c.price_key, c.kind, c.backfilled])).toEqual([
      [routed(B), 'removed', false],
      [routed(B), 'returned', false],
    ]);
  });

  it('restored from the changelog records it wrote, then going on, it publishes what it would never stopping', async () => {
    const batches: Input[][] = [
      [observed(A, 0, '0.000001'), observed(B, 0, '0.000001')],
      [snapshotOf(1, [A, B]), observed(A, 1, '0.000002')],
      [observed(A, 2, '0.000002'), observed(A, 4, '0.000004'), observed(B, 4, '0.000001')],
      // After the restart: a late observation (its marks are gone), late snapshots, and a key seen
      // for the first time with an observation older than snapshots that do not list its model.
      [observed(A, 3, '0.000003')],
      [snapshotOf(2, [A]), snapshotOf(3, [A])],
      [observed('c/three', 0, '0.000009')],
      [snapshotOf(5, [A, B]), observed(A, 5, '0.000004'), observed(B, 5, '0.000001')],
    ];
    const straight = normalizer(emptyNormalizerState(), { markEvery: 2 });
    for (const b of batches) await straight.batch(...b);

    const before = normalizer(emptyNormalizerState(), { markEvery: 2 });
    for (const b of batches.slice(0, 3)) await before.batch(...b);
    const changelog = stateFromChangelog();
    for (const r of before.results) for (const o of r.rawOutputs ?? []) changelog.add(o.key, o.value);
    const after = normalizer(changelog.state(), { markEvery: 2 });
    for (const b of batches.slice(3)) await after.batch(...b);

    expect(after.results).toEqual(straight.results.slice(3));
    // The key seen late counted the snapshots placed before the restart: removed, as in time order.
    expect(events(after.results[2]!, 'PriceChanged').map((c) => c.kind)).toEqual(['new', 'removed']);
    expect([...after.state.histories.keys()].sort()).toEqual([...straight.state.histories.keys()].sort());
  });

  it('a snapshot delivered twice publishes and writes nothing the second time', async () => {
    const n = normalizer();
    await n.batch(observed(A, 0, '0.000001'), observed(B, 0, '0.000001'));
    const s = snapshotOf(1, [A]);
    const first = await n.batch(s);
    // Each key's head and its segment of the snapshot's day (§4.6 by day).
    const day = Math.floor(s.fetched_at / 86_400_000);
    expect(first.rawOutputs?.map((r) => r.key).sort()).toEqual(
      [
        routed(A),
        daySegmentKey(routed(A), day),
        routed(B),
        daySegmentKey(routed(B), day),
        snapshotRecordKey(s),
      ].sort(),
    );
    const second = await n.batch(s);
    expect(second).toEqual({ outputs: [], rawOutputs: [], rejected: [] });
    // Twice in one batch: as once.
    const m = normalizer();
    await m.batch(observed(A, 0, '0.000001'), observed(B, 0, '0.000001'));
    expect(await m.batch(s, s)).toEqual(first);
    expect(n.counters).toMatchObject({ snapshots: 2, duplicates: 1 });
    expect(n.state.snapshots).toHaveLength(1);
  });

  it('a late snapshot that makes a model absent two days running removes its keys, and its later return is published', async () => {
    const day = (d: number) => [observed(A, d, '0.000001'), observed(A, d, '0.000002', { endpoint: true })];
    const s1 = snapshotOf(1, [B]);
    const s2 = snapshotOf(2, [B]);
    const n = normalizer();
    await n.batch(...day(0));
    await n.batch(s1);
    for (const d of [1, 2, 3]) await n.batch(...day(d));
    expect(n.results.flatMap((r) => events(r, 'PriceChanged')).map((c) => c.kind)).toEqual(['new', 'new']);
    const late = await n.batch(s2);
    const [a1, e1] = day(1).map((x) => normalize(x));
    const [a2, e2] = day(2).map((x) => normalize(x));
    expect(events(late, 'PriceChanged').map(summary)).toEqual(
      [
        {
          key: routed(A),
          kind: 'removed',
          caused_by: s2.event_id,
          previous_observed_at: a1!.observed_at,
          changes: [['removed', '1.00000000', null]],
          backfilled: true,
        },
        {
          key: routed(A),
          kind: 'returned',
          caused_by: a2!.event_id,
          previous_observed_at: a1!.observed_at,
          changes: [['returned', '1.00000000', '1.00000000']],
          backfilled: true,
        },
        {
          key: endpoint(A),
          kind: 'removed',
          caused_by: s2.event_id,
          previous_observed_at: e1!.observed_at,
          changes: [['removed', '2.00000000', null]],
          backfilled: true,
        },
        {
          key: endpoint(A),
          kind: 'returned',
          caused_by: e2!.event_id,
          previous_observed_at: e1!.observed_at,
          changes: [['returned', '2.00000000', '2.00000000']],
          backfilled: true,
        },
      ].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0)),
    );
    expect(events(late, 'PriceChangeRetracted')).toEqual([]);
    const inOrder = normalizer();
    for (const b of [day(0), [s1], day(1), [s2], day(2), day(3)]) await inOrder.batch(...b);
    expect(inForce(n.results)).toEqual(inForce(inOrder.results));
    expect(n.counters).toMatchObject({ late: 1, backfilled: 4 });
  });

  it('an observation at or before a folded history is dead-lettered LATE_BEYOND_HORIZON, nothing published', async () => {
    // A version-2 state record: a checkpoint at its last observation (the state before the upgrade).
    const known = decide(undefined, normalize(observed(A, 2, '0.000001'))).next!;
    const state = stateFromChangelog();
    state.add(routed(A), encodeState(known));
    const n = normalizer(state.state());
    const older = observed(A, 1, '0.000002');
    const r = await n.batch(older, observed(B, 1, '0.000001'));
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected![0]!.message.offset).toBeDefined();
    expect(r.rejected![0]!.error).toMatchObject({ code: 'LATE_BEYOND_HORIZON', retriable: false });
    expect(String((r.rejected![0]!.error as Error).message)).toContain(
      'npm run rebuild-changes -- --write-state',
    );
    expect(r.outputs?.map((o) => [o.name, o.key])).toEqual([
      ['NormalizedPrice', routed(B)],
      ['PriceChanged', routed(B)],
    ]);
    expect(r.rawOutputs?.map((o) => o.key)).toEqual([
      routed(B),
      daySegmentKey(routed(B), Math.floor(observed(B, 1, '0.000001').fetched_at / 86_400_000)),
    ]);
    expect(n.counters).toMatchObject({ beyondHorizon: 1, observations: 1 });
    // Later observations go on as before the upgrade.
    const later = await n.batch(observed(A, 3, '0.000002'));
    expect(events(later, 'PriceChanged').map(summary)).toEqual([
      {
        key: routed(A),
        kind: 'changed',
        caused_by: normalize(observed(A, 3, '0.000002')).event_id,
        previous_observed_at: T0 + 2 * DAY,
        changes: [['changed', '1.00000000', '2.00000000']],
        backfilled: false,
      },
    ]);
  });
});
