import type { PriceChanged } from '@llmpt/schemas';

export const WEBHOOK_EVENT_TYPE = 'price.changed';

/**
 * The body of every attempt (README §2): `{type, timestamp, data}` with the event's fields in the
 * schema's order. Money is already decimal text in the event and stays text.
 */
export function webhookPayload(event: PriceChanged): string {
  const data: PriceChanged = {
    event_id: event.event_id,
    run_id: event.run_id,
    caused_by: event.caused_by,
    occurred_at: event.occurred_at,
    price_key: event.price_key,
    model_id: event.model_id,
    provider: event.provider,
    source_type: event.source_type,
    kind: event.kind,
    changes: event.changes.map((c) => ({
      dimension: c.dimension,
      previous: c.previous,
      current: c.current,
      relative_change: c.relative_change,
      tier: c.tier,
      change: c.change,
    })),
    previous_observed_at: event.previous_observed_at,
    current_observed_at: event.current_observed_at,
    snapshot_date: event.snapshot_date,
    alert: event.alert,
    alert_threshold: event.alert_threshold,
    expiration_date: event.expiration_date,
    backfilled: event.backfilled,
  };
  return JSON.stringify({
    type: WEBHOOK_EVENT_TYPE,
    timestamp: new Date(event.occurred_at).toISOString(),
    data,
  });
}
