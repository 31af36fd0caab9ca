import type { PriceChanged } from '@llmpt/schemas';
import { matches, type SubscriptionFilter } from './filters.ts';
import { webhookPayload } from './payload.ts';

export interface Subscription extends SubscriptionFilter {
  readonly id: string;
}

/** One delivery to record as pending (README §5 step 1). */
export interface PendingDelivery {
  readonly subscriptionId: string;
  readonly eventId: string;
  readonly payload: string;
}

/** Every (subscription, event) pair that matches, in event order then subscription order. */
export function pendingDeliveries(
  events: readonly PriceChanged[],
  subscriptions: readonly Subscription[],
): PendingDelivery[] {
  const out: PendingDelivery[] = [];
  for (const event of events) {
    const matching = subscriptions.filter((s) => matches(s, event));
    if (matching.length === 0) continue;
    const payload = webhookPayload(event);
    for (const s of matching) out.push({ subscriptionId: s.id, eventId: event.event_id, payload });
  }
  return out;
}
