// README §5 step 1: a batch becomes its pending deliveries in one store call before the offsets are
// committed; a failure of the store is thrown (the stage retries the batch, nothing is committed);
// a message that is not a PriceChanged is rejected for the dead-letter topic.
import { encodeEvent, type DecodedEvent } from '@llmpt/schemas';
import { createLogger } from '@llmpt/runtime';
import type { StageMessage } from '@llmpt/runtime/kafka';
import { samples } from '@llmpt/schemas/samples';
import { describe, expect, it } from 'vitest';
import type { PendingDelivery, Subscription } from '../core/plan.ts';
import { webhookPayload } from '../core/payload.ts';
import { createNotifierHandler, type NotifierTotals } from './handler.ts';
import { DeliveryStoreError, type DeliveryStore } from './store.ts';

const logger = createLogger({ service: 'test', level: 'silent' });
const message = (decoded: DecodedEvent, offset: number): StageMessage => ({
  topic: 't',
  partition: 0,
  offset: String(offset),
  key: null,
  value: encodeEvent(decoded.name, decoded.event as never),
  decoded,
});
const totals = (): NotifierTotals => ({ events: 0, recorded: 0, attempts: 0, delivered: 0, dead: 0 });
const sub = (id: string, over: Partial<Subscription> = {}): Subscription => ({
  id,
  modelIds: [],
  providers: [],
  alertsOnly: false,
  includeBackfilled: false,
  disabledAt: null,
  ...over,
});

/** The two calls the handler makes, recorded; everything else is not the handler's. */
function recordingStore(subs: Subscription[], fail?: Error) {
  const calls: { rows: readonly PendingDelivery[]; now: number }[] = [];
  const notHere = () => Promise.reject(new Error('not used by the handler'));
  const store: DeliveryStore = {
    activeSubscriptions: () => Promise.resolve(subs),
    recordPending: (rows, now) => {
      if (fail) return Promise.reject(fail);
      calls.push({ rows, now });
      return Promise.resolve(rows.length);
    },
    claimDue: notHere,
    complete: notHere,
    disableSubscription: notHere,
    addSubscription: notHere,
    listSubscriptions: notHere,
    replayOne: notHere,
    close: () => Promise.resolve(),
  };
  return { store, calls };
}

// A change learned live (the sample is a backfilled one): every subscription of these tests takes it.
const changed = { ...samples.PriceChanged, backfilled: false };
const other = { ...changed, event_id: 'evt-2', provider: 'anthropic' };

describe('notifier handler', () => {
  it('records every matching (subscription, event) of the batch in one call, with the time given', async () => {
    const { store, calls } = recordingStore([sub('a'), sub('b', { providers: ['anthropic'] })]);
    const t = totals();
    const result = await createNotifierHandler(
      store,
      logger,
      t,
      () => 42,
    )([
      message({ name: 'PriceChanged', event: changed }, 1),
      message({ name: 'PriceChanged', event: other }, 2),
    ]);
    expect(result).toEqual({ rejected: [] });
    expect(calls).toEqual([
      {
        now: 42,
        rows: [
          { subscriptionId: 'a', eventId: changed.event_id, payload: webhookPayload(changed) },
          { subscriptionId: 'a', eventId: 'evt-2', payload: webhookPayload(other) },
          { subscriptionId: 'b', eventId: 'evt-2', payload: webhookPayload(other) },
        ],
      },
    ]);
    expect(t).toMatchObject({ events: 2, recorded: 3 });
  });

  it('rejects what is not a PriceChanged (dead letter) and records the rest', async () => {
    const { store, calls } = recordingStore([sub('a')]);
    const wrong = message({ name: 'NormalizedPrice', event: samples.NormalizedPrice }, 1);
    const result = await createNotifierHandler(
      store,
      logger,
      totals(),
    )([wrong, message({ name: 'PriceChanged', event: changed }, 2)]);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected?.[0]?.message).toBe(wrong);
    expect(result.rejected?.[0]?.error).toMatchObject({ code: 'WRONG_EVENT_TYPE', retriable: false });
    expect(calls[0]?.rows.map((r) => r.eventId)).toEqual([changed.event_id]);
  });

  it('a store failure is thrown, so the offsets are not committed', async () => {
    const down = new DeliveryStoreError('recording pending deliveries failed', { code: '08006' });
    const { store } = recordingStore([sub('a')], down);
    await expect(
      createNotifierHandler(store, logger, totals())([message({ name: 'PriceChanged', event: changed }, 1)]),
    ).rejects.toBe(down);
    expect(down.retriable).toBe(true);
    // A refused row (SQLSTATE class 23) is not retriable.
    expect(new DeliveryStoreError('x', { code: '23505' }).retriable).toBe(false);
  });
});
