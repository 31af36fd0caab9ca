// README §5 step 1: a batch becomes its pending deliveries in one store call before the offsets are
// committed; a failure of the store is thrown (the stage retries the batch, nothing is committed);
// a message that is not a PriceChanged is rejected for the dead-letter topic.
import { encodeEvent, type DecodedEvent } from '@llmpt/schemas';
import { createLogger } from '@llmpt/runtime';
import type { StageMessage } from '@llmpt/runtime/kafka';
import { samples } from '@llmpt/schemas/samples';
import { describe, expect, it } from 'vitest';
import type { PendingDelivery, Subscription } from '../core/plan.ts';
import { retractionPayload, webhookPayload } from '../core/payload.ts';
import type { Holding } from '../core/retractions.ts';
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
const totals = (): NotifierTotals => ({
  events: 0,
  retractions: 0,
  recorded: 0,
  attempts: 0,
  delivered: 0,
  dead: 0,
});
const sub = (id: string, over: Partial<Subscription> = {}): Subscription => ({
  id,
  modelIds: [],
  providers: [],
  alertsOnly: false,
  includeBackfilled: false,
  disabledAt: null,
  ...over,
});

/** The calls the handler makes, recorded; everything else is not the handler's. */
function recordingStore(subs: Subscription[], fail?: Error, holdings: Holding[] = []) {
  const calls: { rows: readonly PendingDelivery[]; now: number }[] = [];
  const notHere = () => Promise.reject(new Error('not used by the handler'));
  const store: DeliveryStore = {
    activeSubscriptions: () => Promise.resolve(subs),
    subscriptionsHolding: (ids) => Promise.resolve(holdings.filter((h) => ids.includes(h.eventId))),
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

  it('a retraction is recorded for the subscriptions holding the change it names, and no other', async () => {
    const record = { ...samples.PriceChangeRetracted, retracted_event_id: changed.event_id };
    // a and c hold the change (stored before this batch); b holds another one.
    const { store, calls } = recordingStore([sub('a'), sub('b'), sub('c')], undefined, [
      { subscriptionId: 'a', eventId: changed.event_id },
      { subscriptionId: 'b', eventId: 'evt-2' },
      { subscriptionId: 'c', eventId: changed.event_id },
    ]);
    const t = totals();
    const result = await createNotifierHandler(
      store,
      logger,
      t,
      () => 7,
    )([message({ name: 'PriceChangeRetracted', event: record }, 1)]);
    expect(result).toEqual({ rejected: [] });
    expect(calls).toEqual([
      {
        now: 7,
        rows: ['a', 'c'].map((id) => ({
          subscriptionId: id,
          eventId: record.event_id,
          payload: retractionPayload(record),
        })),
      },
    ]);
    expect(t).toMatchObject({ events: 0, retractions: 1, recorded: 2 });
  });

  it('a retraction of a change queued in the same batch goes to the subscriptions it was queued for', async () => {
    const record = { ...samples.PriceChangeRetracted, retracted_event_id: other.event_id };
    const { store, calls } = recordingStore([sub('a'), sub('b', { providers: ['anthropic'] })]);
    await createNotifierHandler(
      store,
      logger,
      totals(),
    )([
      message({ name: 'PriceChanged', event: changed }, 1),
      message({ name: 'PriceChanged', event: other }, 2),
      message({ name: 'PriceChangeRetracted', event: record }, 3),
    ]);
    expect(calls[0]?.rows.filter((r) => r.eventId === record.event_id).map((r) => r.subscriptionId)).toEqual([
      'a',
      'b',
    ]);
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
