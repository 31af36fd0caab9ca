import { eventId, priceKey, type ModelDiscovered, type RawPriceObserved } from '@llmpt/schemas';

/** An observation that says a source could not be read, with why. */
export function unavailable(
  md: ModelDiscovered,
  sourceType: RawPriceObserved['source_type'],
  url: string,
  reason: string,
  fetchedAt: number,
  provider: string | null = null,
): RawPriceObserved {
  const key = priceKey(md.model_id, provider, sourceType);
  return {
    event_id: eventId('RawPriceObserved', key, 'unavailable', reason, md.event_id),
    run_id: md.run_id,
    caused_by: md.event_id,
    backfill: md.backfill,
    occurred_at: fetchedAt,
    model_id: md.model_id,
    provider,
    provider_name: null,
    source_type: sourceType,
    source_url: url,
    fetched_at: fetchedAt,
    content_hash: '',
    status: 'unavailable',
    unavailable_reason: reason,
    components: [],
    endpoint: null,
  };
}
