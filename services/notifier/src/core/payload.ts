import { changeDigest, type PriceChanged, type PriceChangeRetracted } from '@llmpt/schemas';

export const WEBHOOK_EVENT_TYPE = 'price.changed';
/** The type of a retraction's webhook (README §2, §11). */
export const RETRACTION_EVENT_TYPE = 'price.change.retracted';

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

/**
 * The body of a retraction (README §2, §11): `{type, timestamp, data}`, `data` the record's fields in
 * the schema's order, `timestamp` its `occurred_at`.
 */
export function retractionPayload(record: PriceChangeRetracted): string {
  const data: PriceChangeRetracted = {
    event_id: record.event_id,
    price_key: record.price_key,
    retracted_event_id: record.retracted_event_id,
    retracted_digest: record.retracted_digest,
    retracted: record.retracted,
    revision: record.revision,
    caused_by: record.caused_by,
    occurred_at: record.occurred_at,
  };
  return JSON.stringify({
    type: RETRACTION_EVENT_TYPE,
    timestamp: new Date(record.occurred_at).toISOString(),
    data,
  });
}

/** What a stored delivery carries, read back from its bytes (README §11 steps 2-3). */
export type DeliveryContent =
  | { readonly kind: 'change'; readonly event: PriceChanged; readonly digest: string }
  | { readonly kind: 'retraction'; readonly record: PriceChangeRetracted }
  | { readonly kind: 'other' };

/**
 * The change (with the digest of its version) or the retraction record a payload holds. The bytes are
 * the notifier's own (`webhookPayload`, `retractionPayload`), so `data` is the event as it was; bytes of
 * any other shape (written by hand) are `other` and pass unchecked.
 */
export function contentOf(payload: string): DeliveryContent {
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch {
    return { kind: 'other' };
  }
  if (typeof body !== 'object' || body === null) return { kind: 'other' };
  const { type, data } = body as { type?: unknown; data?: unknown };
  if (typeof data !== 'object' || data === null) return { kind: 'other' };
  if (type === WEBHOOK_EVENT_TYPE) {
    const event = data as PriceChanged;
    return { kind: 'change', event, digest: changeDigest(event) };
  }
  if (type === RETRACTION_EVENT_TYPE) return { kind: 'retraction', record: data as PriceChangeRetracted };
  return { kind: 'other' };
}
