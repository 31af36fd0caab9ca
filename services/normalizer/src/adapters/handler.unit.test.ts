import { encodeEvent, type CatalogSnapshot, type RawPriceObserved } from '@llmpt/schemas';
import { samples } from '@llmpt/schemas/samples';
import type { StageMessage } from '@llmpt/runtime/kafka';
import { describe, expect, it } from 'vitest';
import { createNormalizerHandler, emptyCounters, emptyNormalizerState } from './handler.ts';
import { decodeHistory, isSnapshotRecordKey } from '../core/key-history.ts';
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
    // The changelog record is the state the next start restores.
    expect(decodeHistory(first.rawOutputs![0]!.value!).state).toEqual(
      [...state.histories.values()][0]!.state,
    );

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
    expect(first.rawOutputs?.filter((r) => !isSnapshotRecordKey(r.key))).toHaveLength(1);
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
