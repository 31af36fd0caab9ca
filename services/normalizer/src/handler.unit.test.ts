import { encodeEvent, type RawPriceObserved } from '@llmpt/schemas';
import type { StageMessage } from '@llmpt/runtime';
import { describe, expect, it } from 'vitest';
import { createNormalizerHandler } from './handler.ts';
import { decodeState, type LastPrice } from './state.ts';
import { DAY, T0, rawPrice } from './testing/fixtures.ts';

const topics = { normalized: 'n', changed: 'c', changelog: 's' };
let offset = 0;
const msg = (raw: RawPriceObserved): StageMessage => ({
  topic: 'raw',
  partition: 0,
  offset: String(offset++),
  key: null,
  value: encodeEvent('RawPriceObserved', raw),
  decoded: { name: 'RawPriceObserved', event: raw },
});

describe('normalizer handler', () => {
  it('stages state until the batch commits, so a retried batch yields the same events', async () => {
    const state = new Map<string, LastPrice>();
    const counters = { observations: 0, changes: 0, alerts: 0 };
    const h = createNormalizerHandler(state, topics, { alertThreshold: '0.30' }, counters);
    const day1 = msg(rawPrice({ prices: { prompt: '0.000003', completion: '0.000015' } }));
    const first = await h.handle([day1]);
    const retried = await h.handle([day1]);
    expect(retried).toEqual(first);
    expect(state.size).toBe(0);
    expect(first.outputs?.map((o) => o.name)).toEqual(['NormalizedPrice', 'PriceChanged']);
    expect(first.outputs?.[1]).toMatchObject({ event: { kind: 'new' } });
    h.commit();
    expect(state.size).toBe(1);
    expect(counters).toEqual({ observations: 1, changes: 1, alerts: 0 });
    // The changelog record is the state the next start restores.
    expect(decodeState(first.rawOutputs![0]!.value!)).toEqual([...state.values()][0]);

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
          },
        ],
      },
    });
  });

  it('dead-letters an unparsable price and goes on with the rest of the batch', async () => {
    const h = createNormalizerHandler(
      new Map(),
      topics,
      { alertThreshold: '0.30' },
      {
        observations: 0,
        changes: 0,
        alerts: 0,
      },
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
});
