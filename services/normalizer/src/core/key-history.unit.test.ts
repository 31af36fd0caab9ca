// The changelog record of a key's history (docs/price-model.md §4.6): version 3 round-trips, versions 1
// and 2 read as a checkpoint, damaged records are refused with INVALID_PRICE_STATE.
import { eventId, type CatalogSnapshot } from '@llmpt/schemas';
import { describe, expect, it } from 'vitest';
import { decide } from './changes.ts';
import {
  decodeHistory,
  decodeKnownSnapshot,
  encodeHistory,
  encodeKnownSnapshot,
  isSnapshotRecordKey,
  snapshotRecordKey,
} from './key-history.ts';
import { normalize } from './normalize.ts';
import { encodeState } from './state.ts';
import {
  emptyHistory,
  foldUntil,
  placeInput,
  positionOf,
  snapshotSeenFrom,
  type KeyHistory,
} from './valid-time.ts';
import { DAY, T0, rawPrice } from '../testing/fixtures.ts';

const MODEL = 'a/one';
const KEY = `${MODEL}||openrouter_api`;
const obs = (day: number, prompt: string) =>
  normalize(rawPrice({ model_id: MODEL, fetched_at: T0 + day * DAY, prices: { prompt } }));

function snap(day: number, ids: string[]): CatalogSnapshot {
  const snapshot_date = new Date(T0 + day * DAY).toISOString().slice(0, 10);
  return {
    event_id: eventId('CatalogSnapshot', snapshot_date, ...ids),
    run_id: `run-${snapshot_date}`,
    caused_by: null,
    occurred_at: T0 + day * DAY - 1,
    source_url: 'https://openrouter.ai/api/v1/models',
    backfill: false,
    fetched_at: T0 + day * DAY - 1,
    snapshot_date,
    model_ids: ids,
    expirations: [{ model_id: MODEL, expiration_date: '2026-06-01' }],
  };
}

function history(): KeyHistory {
  let h = emptyHistory(KEY);
  for (const input of [
    { observation: obs(0, '0.000001'), backfill: true },
    { snapshot: snapshotSeenFrom(KEY, snap(1, [MODEL, 'b/two'])), backfill: false },
    { observation: obs(2, '0.000002'), backfill: false },
    { observation: obs(3, '0.000003'), backfill: false },
  ])
    h = placeInput(h, input).history;
  return h;
}

describe('key history records', () => {
  it('version 3 round-trips: inputs, states, horizon, revision, retracted versions', () => {
    const h = {
      ...foldUntil(history(), positionOf({ observation: obs(0, '0.000001'), backfill: true })),
      revision: 3,
    };
    // Marks are in memory only: the record does not keep them.
    const { marks: _marks, ...withRetracted } = { ...h, retracted: ['x:1', 'y:2'] };
    expect(h.horizon).not.toBeNull();
    expect(h.inputs).toHaveLength(3);
    expect(decodeHistory(encodeHistory(withRetracted))).toEqual(withRetracted);
    expect(decodeHistory(encodeHistory(emptyHistory(KEY)))).toEqual(emptyHistory(KEY));
    expect(decodeHistory(encodeHistory(withRetracted)).marks).toBeUndefined();
  });

  it('a version-2 state reads as a checkpoint at its last observation: later inputs decided as before, older refused', () => {
    const s = decide(undefined, obs(0, '0.000001')).next!;
    const h = decodeHistory(encodeState(s));
    expect(h).toMatchObject({ price_key: KEY, start: s, state: s, inputs: [], horizon: [T0, 1, s.event_id] });
    const later = obs(1, '0.000002');
    const step = placeInput(h, { observation: later, backfill: false });
    expect(step.publish.map((p) => p.change)).toEqual([decide(s, later).changed]);
    const older = placeInput(h, { observation: obs(-1, '0.000003'), backfill: true });
    expect(older).toEqual({ history: h, beforeHorizon: true, publish: [], retractions: [] });
  });

  it('a version-1 state reads too', () => {
    const v1 = {
      v: 1,
      price_key: KEY,
      status: 'ok',
      observed_at: T0,
      event_id: 'e1',
      snapshot_date: '2026-03-03',
      values: { prompt: '1.00000000' },
    };
    const h = decodeHistory(Buffer.from(JSON.stringify(v1)));
    expect(h.horizon).toEqual([T0, 1, 'e1']);
    expect(h.state?.slots).toEqual([
      { tier: null, dimension: 'prompt', value: '1.00000000', absences: 0, removed: false },
    ]);
  });

  it('refuses damaged records with INVALID_PRICE_STATE', () => {
    const good = JSON.parse(encodeHistory(history()).toString()) as Record<string, unknown>;
    const bad = [
      'not json',
      JSON.stringify({ ...good, v: 4 }),
      JSON.stringify({ ...good, inputs: [[1, 'bm90IGF2cm8=']] }),
      JSON.stringify({ ...good, inputs: [[2, (good.inputs as [number, string][])[0]![1]]] }),
      JSON.stringify({ ...good, horizon: [T0, 2, 'x'] }),
      JSON.stringify({ ...good, revision: -1 }),
      JSON.stringify({ ...good, price_key: 'b/two||openrouter_api' }),
    ];
    for (const text of bad)
      expect(() => decodeHistory(Buffer.from(text)), text).toThrow(
        expect.objectContaining({ code: 'INVALID_PRICE_STATE' }),
      );
  });
});

describe('record bytes and the input cache', () => {
  it('is the JSON text of {v, price_key, horizon, start, state, inputs, revision, retracted}, nothing else', () => {
    const h = { ...history(), revision: 2, retracted: ['x:1'] };
    const text = encodeHistory(h).toString('utf8');
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([
      'v',
      'price_key',
      'horizon',
      'start',
      'state',
      'inputs',
      'revision',
      'retracted',
    ]);
    expect(JSON.stringify(parsed)).toBe(text);
    expect(encodeHistory(emptyHistory(KEY)).toString('utf8')).toBe(
      JSON.stringify({
        v: 3,
        price_key: KEY,
        horizon: null,
        start: null,
        state: null,
        inputs: [],
        revision: 0,
        retracted: [],
      }),
    );
  });

  it('a history read back and written again gives the same bytes (inputs kept as they were read)', () => {
    const bytes = encodeHistory(history());
    expect(encodeHistory(decodeHistory(bytes)).equals(bytes)).toBe(true);
  });

  it('an input is written the same whether its encoding was cached or not', () => {
    const h = history();
    const first = encodeHistory(h);
    // Fresh objects with the same content: nothing cached for them.
    const copy = { ...h, inputs: h.inputs.map((x) => ({ ...x })) };
    expect(encodeHistory(copy).equals(first)).toBe(true);
    expect(encodeHistory(h).equals(first)).toBe(true);
  });
});

describe('known-snapshot records (the snapshots a normalizer placed, docs/valid-time-wiring.md §2)', () => {
  const s = snap(1, [MODEL, 'b/two']);

  it('keyed by the snapshot position, never a price key; the value round-trips with its backfill marker', () => {
    expect(snapshotRecordKey(s)).toBe(`snapshot#${s.event_id}@${s.fetched_at}`);
    expect(isSnapshotRecordKey(snapshotRecordKey(s))).toBe(true);
    expect(isSnapshotRecordKey(KEY)).toBe(false);
    // A model id may be anything, but a price key always has its two separators.
    expect(isSnapshotRecordKey('snapshot#odd/model||openrouter_api')).toBe(false);
    for (const backfill of [false, true]) {
      const k = { snapshot: { ...s, backfill }, backfill };
      expect(decodeKnownSnapshot(snapshotRecordKey(s), encodeKnownSnapshot(k))).toEqual(k);
    }
  });

  it('the same snapshot id fetched at another time is another record', () => {
    const rerun = { ...s, fetched_at: s.fetched_at + 60_000 };
    expect(snapshotRecordKey(rerun)).not.toBe(snapshotRecordKey(s));
  });

  it('refuses damaged records, and a record under the key of another snapshot, with INVALID_PRICE_STATE', () => {
    const good = JSON.parse(encodeKnownSnapshot({ snapshot: s, backfill: false }).toString()) as Record<
      string,
      unknown
    >;
    const key = snapshotRecordKey(s);
    const bad: [string, string][] = [
      [key, 'not json'],
      [key, JSON.stringify({ ...good, v: 2 })],
      [key, JSON.stringify({ ...good, backfill: true })],
      [key, JSON.stringify({ ...good, snapshot: 'bm90IGF2cm8=' })],
      [snapshotRecordKey(snap(2, [MODEL])), JSON.stringify(good)],
    ];
    for (const [k, text] of bad)
      expect(() => decodeKnownSnapshot(k, Buffer.from(text)), text).toThrow(
        expect.objectContaining({ code: 'INVALID_PRICE_STATE' }),
      );
  });
});
