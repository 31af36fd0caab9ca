import type { PriceChanged } from '@llmpt/schemas';
import type { Logger } from '@llmpt/runtime';
import { PoisonInputError } from '@llmpt/runtime';
import type { HandlerResult, Rejection, StageMessage } from '@llmpt/runtime/kafka';
import { pendingDeliveries } from '../core/plan.ts';
import type { DeliveryStore } from './store.ts';

export interface NotifierTotals {
  events: number;
  recorded: number;
  attempts: number;
  delivered: number;
  dead: number;
}

/**
 * README §5 step 1: a batch of PriceChanged becomes its pending deliveries, written in one statement
 * before the stage commits the offsets (a failure is thrown: the batch is read again, nothing is lost).
 * Anything else on the topic is dead-lettered.
 */
export function createNotifierHandler(
  store: DeliveryStore,
  logger: Logger,
  totals: NotifierTotals,
  now: () => number = Date.now,
) {
  return async (messages: readonly StageMessage[]): Promise<HandlerResult> => {
    const events: PriceChanged[] = [];
    const rejected: Rejection[] = [];
    for (const m of messages) {
      if (m.decoded.name === 'PriceChanged') events.push(m.decoded.event);
      else
        rejected.push({
          message: m,
          error: new PoisonInputError(
            'WRONG_EVENT_TYPE',
            `the notifier reads PriceChanged, got ${m.decoded.name}`,
          ),
        });
    }
    const subscriptions = events.length > 0 ? await store.activeSubscriptions() : [];
    const rows = pendingDeliveries(events, subscriptions);
    const added = await store.recordPending(rows, now());
    totals.events += events.length;
    totals.recorded += added;
    if (added > 0) logger.debug({ events: events.length, deliveries: added }, 'deliveries recorded');
    return { rejected };
  };
}
