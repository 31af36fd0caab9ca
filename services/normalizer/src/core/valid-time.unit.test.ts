// Valid time apart from arrival order, docs/price-model.md §4: each case is an example of that section,
// its expected events written from the document (kinds, prices, causes, times), not from the code.
import { eventId, type CatalogSnapshot, type NormalizedPrice, type PriceChanged } from '@llmpt/schemas';
import { describe, expect, it } from 'vitest';
import { normalize } from './normalize.ts';
import { rebuildChanges } from './rebuild.ts';
import { decodeHistory, encodeHistory } from './key-history.ts';
import {
  changeDigest,
  foldUntil,
  isLateFor,
  placeEvent,
  positionOf,
  stateBefore,
  versionOf,
  type KeyHistory,
  type Position,
  type PriceChangeRetracted,
  type PublishedChange,
  type ValidTimeEvent,
} from './valid-time.ts';
import { DAY, T0, rawPrice } from '../testing/fixtures.ts';

const MODEL = 'a/one';
const KEY = `${MODEL}||openrouter_api`;

/** An observation of KEY `day` days after T0 with the given prompt price per token. */
function obs(day: number, prompt: string, model = MODEL): NormalizedPrice {
  return normalize(rawPrice({ model_id: model, fetched_at: T0 + day * DAY, prices: { prompt } }));
}

/** A complete snapshot of `day` listing `ids` (its id from its day and ids, as discovery makes it). */
function snap(day: number, ids: string[], expirations: { model_id: string; expiration_date: string }[] = []) {
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

/** The normalizer over events as they arrive: what it published, retracted, and holds. */
function arrive(events: readonly (ValidTimeEvent & { backfill?: boolean })[]) {
  const histories = new Map<string, KeyHistory>();
  const snapshots: { snapshot: CatalogSnapshot; backfill: boolean }[] = [];
  const published: PublishedChange[] = [];
  const retractions: PriceChangeRetracted[] = [];
  const steps: { publish: PublishedChange[]; retractions: PriceChangeRetracted[] }[] = [];
  for (const e of events) {
    const r = placeEvent({ histories, snapshots }, e, e.backfill ?? false);
    for (const [k, h] of r.histories) histories.set(k, h);
    if (r.snapshot) snapshots.push(r.snapshot);
    published.push(...r.publish);
    retractions.push(...r.retractions);
    steps.push({ publish: r.publish, retractions: r.retractions });
  }
  return { histories, published, retractions, steps, inForce: inForce(published, retractions) };
}

/** §4.4, the reader's rule: a version is in force unless its highest-revision record retracts it. */
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
  return [...out.values()];
}

const summary = (c: PriceChanged) => ({
  kind: c.kind,
  caused_by: c.caused_by,
  previous_observed_at: c.previous_observed_at,
  changes: c.changes.map((x) => [x.change, x.previous, x.current]),
});

describe('valid time (docs/price-model.md §4)', () => {
  it('in time: the rules as before, nothing retracted, not backfilled unless the run is a backfill', () => {
    const a = obs(0, '0.000001');
    const b = obs(1, '0.000002');
    const c = obs(2, '0.000003');
    const run = arrive([{ observation: a }, { observation: b }, { observation: c, backfill: true }]);
    expect(run.retractions).toEqual([]);
    expect(run.published.map((p) => [summary(p.change), p.backfilled])).toEqual([
      [
        {
          kind: 'new',
          caused_by: a.event_id,
          previous_observed_at: null,
          changes: [['new', null, '1.00000000']],
        },
        false,
      ],
      [
        {
          kind: 'changed',
          caused_by: b.event_id,
          previous_observed_at: T0,
          changes: [['changed', '1.00000000', '2.00000000']],
        },
        false,
      ],
      [
        {
          kind: 'changed',
          caused_by: c.event_id,
          previous_observed_at: T0 + DAY,
          changes: [['changed', '2.00000000', '3.00000000']],
        },
        true,
      ],
    ]);
  });

  it('the same input twice (the same archive loaded twice) changes nothing', () => {
    const a = obs(0, '0.000001');
    const s = snap(1, []);
    const run = arrive([
      { observation: a },
      { snapshot: s },
      { observation: a },
      { snapshot: s },
      { observation: a },
    ]);
    expect(run.steps.slice(2)).toEqual([
      { publish: [], retractions: [] },
      { publish: [], retractions: [] },
      { publish: [], retractions: [] },
    ]);
    expect(run.histories.get(KEY)?.inputs).toHaveLength(2);
  });

  it('a late observation before the first: its own `new`, the old first becomes `changed`, the old `new` retracted', () => {
    const a = obs(0, '0.000001');
    const b = obs(1, '0.000002');
    const run = arrive([{ observation: b }, { observation: a }]);
    const [first] = run.published;
    expect(run.steps[1]!.publish.map((p) => [summary(p.change), p.backfilled])).toEqual([
      [
        {
          kind: 'new',
          caused_by: a.event_id,
          previous_observed_at: null,
          changes: [['new', null, '1.00000000']],
        },
        true,
      ],
      [
        {
          kind: 'changed',
          caused_by: b.event_id,
          previous_observed_at: T0,
          changes: [['changed', '1.00000000', '2.00000000']],
        },
        true,
      ],
    ]);
    expect(run.steps[1]!.retractions).toEqual([
      {
        event_id: eventId('PriceChangeRetracted', KEY, 1, first!.change.event_id, first!.digest, true),
        price_key: KEY,
        retracted_event_id: first!.change.event_id,
        retracted_digest: first!.digest,
        retracted: true,
        revision: 1,
        caused_by: a.event_id,
        occurred_at: a.occurred_at,
      },
    ]);
    expect(run.inForce.map(summary).map((s) => s.kind)).toEqual(['new', 'changed']);
  });

  it('a late observation at the price before a change: same id, another previous_observed_at: a new version', () => {
    const a = obs(0, '0.000001');
    const c = obs(2, '0.000002');
    const x = obs(1, '0.000001');
    const run = arrive([{ observation: a }, { observation: c }, { observation: x }]);
    const old = run.published[1]!;
    const [fresh] = run.steps[2]!.publish;
    expect(fresh!.change.event_id).toBe(old.change.event_id);
    expect(old.change.previous_observed_at).toBe(T0);
    expect(fresh!.change.previous_observed_at).toBe(T0 + DAY);
    expect(fresh!.digest).not.toBe(old.digest);
    expect(
      run.steps[2]!.retractions.map((r) => [r.retracted_event_id, r.retracted_digest, r.retracted]),
    ).toEqual([[old.change.event_id, old.digest, true]]);
    // In force: one version per id, the one an in-order run gives.
    expect(run.inForce).toEqual(rebuildChanges([a, x, c]).changes);
  });

  it('a late observation inside a run of equal prices publishes and retracts nothing', () => {
    const days = [0, 1, 2, 4].map((d) => obs(d, '0.000001'));
    const late = obs(3, '0.000001');
    const run = arrive([...days.map((observation) => ({ observation })), { observation: late }]);
    expect(run.steps[4]).toEqual({ publish: [], retractions: [] });
    expect(run.histories.get(KEY)?.state).toEqual(
      rebuildChanges([...days.slice(0, 3), late, days[3]!]).state.get(KEY),
    );
  });

  it('a late snapshot that lists the model, with no absence counted, changes nothing', () => {
    const a = obs(0, '0.000001');
    const b = obs(2, '0.000002');
    const run = arrive([{ observation: a }, { observation: b }, { snapshot: snap(1, [MODEL]) }]);
    expect(run.steps[2]).toEqual({ publish: [], retractions: [] });
    expect(run.histories.get(KEY)?.inputs).toHaveLength(3);
  });

  it('late snapshots: a removal retracted by a listing, then reinstated by another absence', () => {
    const a = obs(0, '0.000001');
    const s1 = snap(1, []);
    const s3 = snap(3, []);
    const run = arrive([{ observation: a }, { snapshot: s1 }, { snapshot: s3 }]);
    const [, removal] = run.published;
    expect(removal && summary(removal.change)).toEqual({
      kind: 'removed',
      caused_by: s3.event_id,
      previous_observed_at: T0,
      changes: [['removed', '1.00000000', null]],
    });
    // Listed on day 2: day 3 is one absence only, the removal is no longer due.
    const listed = arrive([
      { observation: a },
      { snapshot: s1 },
      { snapshot: s3 },
      { snapshot: snap(2, [MODEL]) },
    ]);
    expect(listed.steps[3]!.publish).toEqual([]);
    expect(listed.steps[3]!.retractions.map((r) => [r.retracted_event_id, r.retracted, r.revision])).toEqual([
      [removal!.change.event_id, true, 1],
    ]);
    // Absent again later on day 2: day 3 is the second absence again, the same removal is due again.
    const s2b = { ...snap(2, []), fetched_at: T0 + 2 * DAY + 60_000, occurred_at: T0 + 2 * DAY + 60_000 };
    const back = arrive([
      { observation: a },
      { snapshot: s1 },
      { snapshot: s3 },
      { snapshot: snap(2, [MODEL]) },
      { snapshot: s2b },
    ]);
    expect(back.steps[4]!.publish.map((p) => p.change)).toEqual([removal!.change]);
    expect(back.steps[4]!.retractions.map((r) => [r.retracted_event_id, r.retracted, r.revision])).toEqual([
      [removal!.change.event_id, false, 2],
    ]);
    expect(back.inForce.map((c) => c.kind)).toEqual(['new', 'removed']);
  });

  it('backfilled (§4.5): a late input of an earlier day marks what it re-decides; a run’s own snapshot placed after its observation does not', () => {
    // Day 2's run gives the model an expiration date; its observation is consumed before its snapshot
    // (two topics), so the snapshot is placed before it, on the same UTC day: the expiring alert it
    // decides is live news, not backfilled.
    const a = obs(0, '0.000001');
    const b = obs(2, '0.000002');
    const expiring = snap(2, [MODEL], [{ model_id: MODEL, expiration_date: '2026-09-01' }]);
    const live = arrive([{ observation: a }, { observation: b }, { snapshot: expiring }]);
    const inOrder = arrive([{ observation: a }, { snapshot: expiring }, { observation: b }]);
    const ids = (cs: readonly PriceChanged[]) => cs.map((c) => c.event_id).sort();
    expect(ids(live.inForce)).toEqual(ids(inOrder.inForce));
    expect(live.steps[2]!.publish.map((p) => [p.change.kind, p.backfilled])).toEqual([['expiring', false]]);
    // An observation of day 1 arriving after day 2's: an earlier day, so what it re-decides (its own
    // change and day 2's, now from its price) is marked, and the superseded day-2 change retracted.
    const x = obs(1, '0.000003');
    const late = arrive([{ observation: a }, { observation: b }, { observation: x }]);
    expect(late.steps[1]!.publish.map((p) => p.backfilled)).toEqual([false]);
    const relearned = late.steps[2]!.publish;
    expect(relearned.map((p) => [p.change.caused_by, p.backfilled])).toEqual([
      [x.event_id, true],
      [b.event_id, true],
    ]);
    expect(late.steps[2]!.retractions.map((r) => r.retracted)).toEqual([true]);
  });

  it('a key first seen after snapshots that lie after it in time: they count for it', () => {
    const s1 = snap(1, []);
    const s2 = snap(2, []);
    const a = obs(0, '0.000001');
    const run = arrive([{ snapshot: s1 }, { snapshot: s2 }, { observation: a }]);
    expect(run.inForce.map(summary)).toEqual([
      {
        kind: 'new',
        caused_by: a.event_id,
        previous_observed_at: null,
        changes: [['new', null, '1.00000000']],
      },
      {
        kind: 'removed',
        caused_by: s2.event_id,
        previous_observed_at: T0,
        changes: [['removed', '1.00000000', null]],
      },
    ]);
    expect(run.inForce).toEqual(rebuildChanges([a], {}, [s1, s2]).changes);
  });

  it('an expiration date on a late snapshot creates the routed key and announces it once', () => {
    const a = obs(2, '0.000001');
    const s = snap(1, [MODEL], [{ model_id: MODEL, expiration_date: '2026-06-01' }]);
    const run = arrive([{ observation: a }, { snapshot: s }, { snapshot: s }]);
    expect(run.inForce.map((c) => c.kind).sort()).toEqual(['expiring', 'new']);
    expect(run.retractions).toEqual([]);
    expect(run.inForce).toEqual(expect.arrayContaining(rebuildChanges([a], {}, [s]).changes));
  });

  it('the digest covers content outside the id and nothing of the backfilled marker', () => {
    const [c] = rebuildChanges([obs(0, '0.000001')]).changes;
    expect(changeDigest(c!)).toBe(changeDigest({ ...c! }));
    expect(changeDigest({ ...c!, previous_observed_at: 1 })).not.toBe(changeDigest(c!));
    expect(changeDigest({ ...c!, changes: [{ ...c!.changes[0]!, current: '2.00000000' }] })).not.toBe(
      changeDigest(c!),
    );
  });
});

describe('the state just before a position (stateBefore, §4.2)', () => {
  // Prices that move, return and blink, with snapshots between (one absence, then listed again).
  const prices = ['0.000001', '0.000002', '0.000002', '0.000001', '0.000003', '0.000003', '0.000001'];
  const observations = prices.map((p, day) => obs(day, p));
  const snapshots = [snap(2, []), snap(3, [MODEL]), snap(5, [])];
  const events: ValidTimeEvent[] = [
    ...observations.map((observation) => ({ observation })),
    ...snapshots.map((snapshot) => ({ snapshot })),
  ];
  /** §4.1's order, written out: time, then snapshot before observation, then event id. */
  const byPosition = (a: Position, b: Position) =>
    a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);
  /** The oracle: the in-order run (rebuildChanges) over the inputs strictly before `pos`. */
  const expected = (pos: Position) =>
    rebuildChanges(
      observations.filter((o) => byPosition([o.observed_at, 1, o.event_id], pos) < 0),
      {},
      snapshots.filter((x) => byPosition([x.fetched_at, 0, x.event_id], pos) < 0),
    ).state.get(KEY);
  // Every input's own position, the slot before every observation of its time, and after the last.
  const probes: Position[] = [
    [T0 - DAY, 1, ''],
    ...events.map((e) => positionOf({ ...e, backfill: false })),
    ...observations.map((o): Position => [o.observed_at, 1, '']),
    [T0 + 30 * DAY, 1, ''],
  ];

  /** The key's history with the events arriving in time order, marking every 2 inputs. */
  function history(): KeyHistory {
    const histories = new Map<string, KeyHistory>();
    const known: { snapshot: CatalogSnapshot; backfill: boolean }[] = [];
    const inOrder = [...events].sort((a, b) =>
      byPosition(positionOf({ ...a, backfill: false }), positionOf({ ...b, backfill: false })),
    );
    for (const e of inOrder) {
      const r = placeEvent({ histories, snapshots: known }, e, false, { markEvery: 2 });
      for (const [k, h] of r.histories) histories.set(k, h);
      if (r.snapshot) known.push(r.snapshot);
    }
    return histories.get(KEY)!;
  }

  it('is the in-order run over the inputs before it, with marks and without (a restored history)', () => {
    const h = history();
    expect(h.marks?.length).toBeGreaterThan(0);
    const restored = decodeHistory(encodeHistory(h));
    expect(restored.marks).toBeUndefined();
    for (const pos of probes) {
      const want = expected(pos);
      expect(stateBefore(h, pos), JSON.stringify(pos)).toEqual(want);
      expect(stateBefore(restored, pos), JSON.stringify(pos)).toEqual(want);
    }
  });

  it('in time it is the current state; late means the history holds an input after it', () => {
    const h = history();
    const after: Position = [T0 + 30 * DAY, 1, ''];
    expect(stateBefore(h, after)).toBe(h.state);
    expect(isLateFor(h, after)).toBe(false);
    expect(isLateFor(h, [T0 + DAY, 1, ''])).toBe(true);
  });

  it('at or before the horizon the folded inputs are gone: the start state', () => {
    const h = foldUntil(history(), [T0 + 3 * DAY, 1, '\uffff']);
    expect(stateBefore(h, [T0 + DAY, 1, ''])).toBe(h.start);
    expect(stateBefore(h, [T0 + 4 * DAY, 1, ''])).toEqual(expected([T0 + 4 * DAY, 1, '']));
  });
});
