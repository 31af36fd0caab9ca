// The changelog by day (docs/price-model.md §4.6 "Records by day"), written from the rule: a head under
// the price key and one segment per UTC day holding inputs; a batch writes the head and the days whose
// inputs changed (every day when the key's records are not by day yet), a tombstone for a day emptied;
// restore assembles the head with its days' segments, refuses a missing or miscounted day, ignores a
// segment no head lists, and still reads version 3.
import { eventId, type CatalogSnapshot } from '@llmpt/schemas';
import { describe, expect, it } from 'vitest';
import {
  daySegmentKey,
  encodeHistory,
  historyRecords,
  markWrittenByDay,
  parseDaySegmentKey,
} from '../core/key-history.ts';
import { normalize } from '../core/normalize.ts';
import {
  emptyHistory,
  foldUntil,
  placeInput,
  snapshotSeenFrom,
  type KeyHistory,
} from '../core/valid-time.ts';
import { DAY, T0, rawPrice } from '../testing/fixtures.ts';
import { stateFromChangelog } from './changelog.ts';

const MODEL = 'a/one';
const KEY = `${MODEL}||openrouter_api`;
const HOUR = 3_600_000;
const day0 = Math.floor(T0 / DAY);
const obsAt = (t: number, prompt: string) =>
  normalize(rawPrice({ model_id: MODEL, fetched_at: t, prices: { prompt } }));

function snap(day: number): CatalogSnapshot {
  const snapshot_date = new Date(T0 + day * DAY).toISOString().slice(0, 10);
  return {
    event_id: eventId('CatalogSnapshot', snapshot_date, MODEL),
    run_id: `run-${snapshot_date}`,
    caused_by: null,
    occurred_at: T0 + day * DAY - 1,
    source_url: 'https://openrouter.ai/api/v1/models',
    backfill: false,
    fetched_at: T0 + day * DAY - 1,
    snapshot_date,
    model_ids: [MODEL],
    expirations: [],
  };
}

/** `days` days: each a snapshot then two observations (prices alternating). */
function built(days: number): KeyHistory {
  let h = emptyHistory(KEY);
  for (let d = 0; d < days; d++) {
    h = placeInput(h, { snapshot: snapshotSeenFrom(KEY, snap(d)), backfill: false }).history;
    for (const hour of [0, 6])
      h = placeInput(h, {
        observation: obsAt(T0 + d * DAY + hour * HOUR, d % 2 ? '0.000002' : '0.000001'),
        backfill: d === 0,
      }).history;
  }
  return h;
}

type Rec = { key: string; value: Buffer | null };
const keys = (rs: readonly Rec[]) => rs.map((r) => r.key);
const restore = (...batches: readonly Rec[][]) => {
  const s = stateFromChangelog();
  for (const b of batches) for (const r of b) s.add(r.key, r.value);
  return s.state();
};
const withoutMarks = (h: KeyHistory) => ({ ...h, marks: undefined });

describe('the changelog by day (§4.6)', () => {
  it('a history first written: its head, then one segment per day holding inputs, and it restores whole', () => {
    const h = built(3);
    const rs = historyRecords(h, undefined);
    expect(keys(rs)).toEqual([KEY, ...[0, 1, 2].map((d) => daySegmentKey(KEY, day0 + d))]);
    const head = JSON.parse(rs[0]!.value!.toString('utf8')) as Record<string, unknown>;
    expect(head.v).toBe(4);
    expect(head.inputs).toBeUndefined();
    // The snapshot of day d is fetched 1 ms before day d's T0 hour, the same UTC day.
    expect(head.days).toEqual([0, 1, 2].map((d) => [day0 + d, 3]));
    expect(restore(rs).histories.get(KEY)).toEqual(withoutMarks(h));
  });

  it('an input in time writes the head and its own day only, whatever the length of the history', () => {
    const h = built(40);
    markWrittenByDay(h);
    const first = historyRecords(h, undefined);
    const next = placeInput(h, {
      observation: obsAt(T0 + 39 * DAY + 12 * HOUR, '0.000003'),
      backfill: false,
    });
    const rs = historyRecords(next.history, h);
    expect(keys(rs)).toEqual([KEY, daySegmentKey(KEY, day0 + 39)]);
    const written = rs.reduce((n, r) => n + (r.value?.length ?? 0), 0);
    expect(written).toBeLessThan(encodeHistory(next.history).length / 10);
    // A new day: its segment alone beside the head.
    const tomorrow = placeInput(next.history, {
      snapshot: snapshotSeenFrom(KEY, snap(40)),
      backfill: false,
    }).history;
    markWrittenByDay(next.history);
    expect(keys(historyRecords(tomorrow, next.history))).toEqual([KEY, daySegmentKey(KEY, day0 + 40)]);
    expect(restore(first, rs).histories.get(KEY)).toEqual(withoutMarks(next.history));
  });

  it('a late input writes the head and the segment of its own day only', () => {
    const h = built(10);
    markWrittenByDay(h);
    const first = historyRecords(h, undefined);
    const late = placeInput(h, { observation: obsAt(T0 + 3 * DAY + 3 * HOUR, '0.000009'), backfill: false });
    expect(late.publish.length).toBeGreaterThan(0);
    const rs = historyRecords(late.history, h);
    expect(keys(rs)).toEqual([KEY, daySegmentKey(KEY, day0 + 3)]);
    expect(restore(first, rs).histories.get(KEY)).toEqual(withoutMarks(late.history));
  });

  it('a history not written by day is written whole; an unchanged one writes its head alone', () => {
    const h = built(3);
    const next = placeInput(h, { observation: obsAt(T0 + 2 * DAY + 12 * HOUR, '0.000003'), backfill: false });
    // `h` came from a version-3 record (or was never committed): every day.
    expect(keys(historyRecords(next.history, h))).toHaveLength(4);
    markWrittenByDay(h);
    expect(keys(historyRecords({ ...h, revision: h.revision + 1 }, h))).toEqual([KEY]);
  });

  it('a day emptied by folding gets a tombstone, and the folded history restores', () => {
    const h = built(4);
    markWrittenByDay(h);
    const first = historyRecords(h, undefined);
    const folded = foldUntil(h, [T0 + DAY + 12 * HOUR, 1, '\uffff']);
    const rs = historyRecords(folded, h);
    expect(rs.filter((r) => r.value === null).map((r) => parseDaySegmentKey(r.key)?.day)).toEqual([
      day0,
      day0 + 1,
    ]);
    expect(restore(first, rs).histories.get(KEY)).toEqual(withoutMarks(folded));
  });

  it('restore refuses a head whose day is missing or holds another count, and ignores unlisted segments', () => {
    const h = built(3);
    const rs = historyRecords(h, undefined);
    const missing = rs.filter((r) => r.key !== daySegmentKey(KEY, day0 + 1));
    expect(() => restore(missing)).toThrow(/INVALID_PRICE_STATE|day \d+ has no segment/);
    const shorter = built(2);
    const bad = rs.map((r) =>
      r.key === daySegmentKey(KEY, day0 + 2)
        ? { key: r.key, value: Buffer.from(JSON.stringify({ v: 1, inputs: [] })) }
        : r,
    );
    expect(() => restore(bad)).toThrow(/holds 0 inputs, not 3/);
    // A segment of a day no head lists (left by a v3 record written over the head) is ignored.
    const v3 = { key: KEY, value: encodeHistory(shorter) };
    expect(restore(rs, [v3]).histories.get(KEY)).toEqual(withoutMarks(shorter));
  });

  it('a segment holding an input of another day is refused', () => {
    const rs = historyRecords(built(2), undefined);
    const moved = rs.map((r) =>
      r.key === daySegmentKey(KEY, day0) ? { key: daySegmentKey(KEY, day0 + 5), value: r.value } : r,
    );
    expect(() => restore(moved)).toThrow(/another day/);
  });
});
