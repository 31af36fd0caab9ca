import type { PriceChanged } from './generated.ts';
import { contentHash } from './ids.ts';

/**
 * The fields of PriceChanged a version's digest covers (docs/price-model.md §4.3), in the order of
 * PriceChanged.avsc when versions were introduced. A field added to the schema later must not be
 * appended here: digests of versions already published would change. Here rather than in the
 * normalizer because the sink (price_changes.digest) and consumers compute the same digest.
 */
export const CHANGE_DIGEST_FIELDS = [
  'event_id',
  'run_id',
  'caused_by',
  'occurred_at',
  'price_key',
  'model_id',
  'provider',
  'source_type',
  'kind',
  'changes',
  'previous_observed_at',
  'current_observed_at',
  'snapshot_date',
  'alert',
  'alert_threshold',
  'expiration_date',
] as const satisfies readonly (keyof PriceChanged)[];

/** The digest of a PriceChanged (§4.3): sha256 over its digest fields, change entries in schema order. */
export function changeDigest(e: PriceChanged): string {
  const values = CHANGE_DIGEST_FIELDS.map((f) =>
    f === 'changes'
      ? e.changes.map((c) => [c.dimension, c.previous, c.current, c.relative_change, c.tier, c.change])
      : e[f],
  );
  return contentHash(JSON.stringify(values));
}

/** A version of a change: its id and its digest. */
export function versionOf(id: string, digest: string): string {
  return `${id}:${digest}`;
}
