import type { PriceChanged, PriceChangeRetracted } from '@llmpt/schemas';
import type { Logger } from '@llmpt/runtime';
import { PoisonInputError } from '@llmpt/runtime';
import type { HandlerResult, Rejection, StageMessage } from '@llmpt/runtime/kafka';
import { pendingDeliveries } from '../core/plan.ts';
import { retractionDeliveries } from '../core/retractions.ts';
import type { DeliveryStore } from './store.ts';

export interface NotifierTotals {
  /** PriceChanged read. */
  events: number;
  /** PriceChangeRetracted read (README §11). */
  retractions: number;
  recorded: number;
  attempts: number;
  delivered: number;
  dead: number;
}

/**
 * README §5 step 1: a batch of PriceChanged and PriceChangeRetracted becomes its pending deliveries
 * (a record goes to the subscriptions holding the change it names, §11 step 1), written in one
 * statement before the stage commits the offsets (a failure is thrown: the batch is read again,
 * nothing is lost). Anything else on the topics is dead-lettered.
 */
export function createNotifierHandler(
  store: DeliveryStore,
  logger: Logger,
  totals: NotifierTotals,
  now: () => number = Date.now,
) {
  return async (messages: readonly StageMessage[]): Promise<HandlerResult> => {
    const events: PriceChanged[] = [];
    const records: PriceChangeRetracted[] = [];
    const rejected: Rejection[] = [];
    for (const m of messages) {
      if (m.decoded.name === 'PriceChanged') events.push(m.decoded.event);
      else if (m.decoded.name === 'PriceChangeRetracted') records.push(m.decoded.event);
      else
        rejected.push({
          message: m,
          error: new PoisonInputError(
            'WRONG_EVENT_TYPE',
            `the notifier reads PriceChanged and PriceChangeRetracted, got ${m.decoded.name}`,
          ),
        });
    }
    const subscriptions = events.length > 0 ? await store.activeSubscriptions() : [];
    const changeRows = pendingDeliveries(events, subscriptions);
    // A record may name a change of this very batch: those rows hold it too.
    const holdings =
      records.length > 0
        ? [
            ...(await store.subscriptionsHolding([...new Set(records.map((r) => r.retracted_event_id))])),
            ...changeRows,
          ]
        : [];
    const rows = [...changeRows, ...retractionDeliveries(records, holdings)];
    const added = await store.recordPending(rows, now());
    totals.events += events.length;
    totals.retractions += records.length;
    totals.recorded += added;
    if (added > 0) logger.debug({ events: events.length, deliveries: added }, 'deliveries recorded');
    return { rejected };
  };
}
