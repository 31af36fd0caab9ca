// README §11: which subscriptions a PriceChangeRetracted is queued to, and what a due delivery comes to
// once the stored retractions and versions in force are known. Pure: the facts and the time are given.
import type { PriceChanged, PriceChangeRetracted } from '@llmpt/schemas';
import { matches, type SubscriptionFilter } from './filters.ts';
import { retractionPayload, webhookPayload, type DeliveryContent } from './payload.ts';
import type { PendingDelivery } from './plan.ts';

/** A subscription that holds a delivery of a change (any version, any status). */
export interface Holding {
  readonly subscriptionId: string;
  readonly eventId: string;
}

/**
 * README §11 step 1: each record is queued to every subscription holding a delivery of the change it
 * names, and to no other; whether it is sent is decided when it is due (`gate`).
 */
export function retractionDeliveries(
  records: readonly PriceChangeRetracted[],
  holdings: readonly Holding[],
): PendingDelivery[] {
  const out: PendingDelivery[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    const payload = retractionPayload(record);
    for (const h of holdings) {
      if (h.eventId !== record.retracted_event_id) continue;
      const key = deliveryKey(h.subscriptionId, record.event_id);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ subscriptionId: h.subscriptionId, eventId: record.event_id, payload });
    }
  }
  return out;
}

/** A PriceChangeRetracted as the sink stored it (`price_change_retractions`), `stored_at` in epoch ms. */
export interface StoredRetraction {
  readonly event_id: string;
  readonly retracted_event_id: string;
  readonly retracted_digest: string;
  readonly retracted: boolean;
  readonly revision: number;
  readonly stored_at: number;
}

/** A version in force (`price_changes_in_force`): the event it was, null when it cannot be rebuilt. */
export interface VersionInForce {
  readonly eventId: string;
  readonly digest: string | null;
  /** Null for a row without `occurred_at` (before migration 0013): in force, but not sendable. */
  readonly event: PriceChanged | null;
}

/** What the database holds about the event ids of the rows being claimed (README §11 steps 2-3). */
export interface StoredFacts {
  /** Every stored record naming a version of those event ids, and the records being delivered. */
  readonly records: readonly StoredRetraction[];
  readonly inForce: readonly VersionInForce[];
  /** Attempts of each subscription's delivery of a change, by `deliveryKey(subscription, event id)`. */
  readonly attempts: ReadonlyMap<string, number>;
}

export const deliveryKey = (subscriptionId: string, eventId: string) => `${subscriptionId}\u0000${eventId}`;

/** A due delivery: sent (these bytes), left pending to be looked at again, or closed unsent. */
export type GateDecision =
  | { readonly action: 'send'; readonly payload: string }
  | { readonly action: 'wait' }
  | { readonly action: 'close'; readonly reason: string };

/**
 * The record that holds for a version (docs/price-model.md §4.4): the highest revision; at the same
 * revision a retraction wins, as in price_changes_in_force. Undefined: no record, the version is in force.
 */
export function latestRecord(
  records: readonly StoredRetraction[],
  eventId: string,
  digest: string,
): StoredRetraction | undefined {
  let best: StoredRetraction | undefined;
  for (const r of records) {
    if (r.retracted_event_id !== eventId || r.retracted_digest !== digest) continue;
    if (
      !best ||
      r.revision > best.revision ||
      (r.revision === best.revision && r.retracted && !best.retracted)
    )
      best = r;
  }
  return best;
}

/** The version the view holds in force for an event id to send instead (the newest, then by digest). */
function replacement(
  facts: StoredFacts,
  eventId: string,
  digest: string,
  subscription: SubscriptionFilter,
): PriceChanged | undefined {
  const candidates = facts.inForce
    .filter((v) => v.eventId === eventId && v.digest !== digest && v.event !== null)
    .map((v) => v.event!)
    .filter((e) => matches(subscription, e))
    .sort(
      (a, b) =>
        b.occurred_at - a.occurred_at || (a.previous_observed_at ?? 0) - (b.previous_observed_at ?? 0),
    );
  return candidates[0];
}

/**
 * README §11 steps 2-3, for one due delivery to `subscription`. `settleMs` is WEBHOOK_LEASE_MS: how
 * long a record must have been stored before its retraction is sent.
 */
export function gate(
  delivery: { readonly subscriptionId: string; readonly payload: string; readonly content: DeliveryContent },
  subscription: SubscriptionFilter,
  facts: StoredFacts,
  now: number,
  settleMs: number,
): GateDecision {
  const { content } = delivery;
  switch (content.kind) {
    case 'other':
      return { action: 'send', payload: delivery.payload };
    case 'change': {
      const id = content.event.event_id;
      if (latestRecord(facts.records, id, content.digest)?.retracted !== true)
        return { action: 'send', payload: delivery.payload };
      const instead = replacement(facts, id, content.digest, subscription);
      return instead ? { action: 'send', payload: webhookPayload(instead) } : { action: 'wait' };
    }
    case 'retraction': {
      const r = content.record;
      const stored = facts.records.find((s) => s.event_id === r.event_id);
      if (!stored || now < stored.stored_at + settleMs) return { action: 'wait' };
      const id = r.retracted_event_id;
      if ((facts.attempts.get(deliveryKey(delivery.subscriptionId, id)) ?? 0) === 0)
        return { action: 'close', reason: `not sent: change ${id} was never sent to this subscription` };
      const named = latestRecord(facts.records, id, r.retracted_digest);
      const stands = facts.inForce.some((v) => v.eventId === id) || named?.retracted === false;
      if (r.retracted && stands) return { action: 'close', reason: `not sent: change ${id} is in force` };
      if (!r.retracted && !stands)
        return { action: 'close', reason: `not sent: change ${id} is not in force` };
      return { action: 'send', payload: delivery.payload };
    }
    default: {
      const never: never = content;
      return never;
    }
  }
}
