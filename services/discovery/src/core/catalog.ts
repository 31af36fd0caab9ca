import { eventId } from '@llmpt/schemas';
import type { CatalogSnapshot, ModelExpiration } from '@llmpt/schemas';
import { utcDate, type DiscoveryResult, type ModelsList } from './discover.ts';

export interface CatalogContext {
  readonly runId: string;
  readonly fetchedAt: number;
  /** The URL the list was fetched from, query included: a filtered request is not the catalog. */
  readonly sourceUrl: string;
  /** When the event is written (the run's clock); defaults to fetchedAt. */
  readonly occurredAt?: number;
  /** true when the list comes from a dated archive (the backfill command); default false. */
  readonly backfill?: boolean;
}

/** Why a run publishes no CatalogSnapshot (docs/price-model.md §3 rule 5). */
export type IncompleteReason = 'FILTERED_REQUEST' | 'TOTAL_COUNT_MISMATCH' | 'EMPTY_CATALOG';

export type CatalogVerdict =
  | { readonly complete: true }
  | { readonly complete: false; readonly reason: IncompleteReason; readonly detail: string };

/**
 * Whether one `/models` response is the whole catalog. The service requests `/api/v1/models` with no
 * query: any query parameter (`supported_parameters=tools`, `output_modalities=...`) lists another set,
 * and removals computed from it would be spurious (docs/data-sources.md §4, the wikiarena files).
 */
export function catalogVerdict(list: ModelsList, sourceUrl: string): CatalogVerdict {
  const query = queryOf(sourceUrl);
  if (query !== '')
    return {
      complete: false,
      reason: 'FILTERED_REQUEST',
      detail: `${sourceUrl} carries the filter ${query}`,
    };
  if (list.totalCount !== null && list.totalCount !== list.entries.length)
    return {
      complete: false,
      reason: 'TOTAL_COUNT_MISMATCH',
      detail: `total_count ${list.totalCount} but ${list.entries.length} entries`,
    };
  // An empty list is an outage that answered 200, not a catalog whose every model left.
  if (list.entries.length === 0) return { complete: false, reason: 'EMPTY_CATALOG', detail: 'no entries' };
  return { complete: true };
}

/**
 * The one CatalogSnapshot of a complete run: every listed id (blocked excluded), sorted, and the
 * models that carry an expiration_date. null when the response is not the whole catalog (see
 * catalogVerdict); a failed fetch never gets here. Pure: the clock and ids come in.
 */
export function catalogSnapshotOf(
  list: ModelsList,
  result: DiscoveryResult,
  ctx: CatalogContext,
): CatalogSnapshot | null {
  if (!catalogVerdict(list, ctx.sourceUrl).complete) return null;
  const modelIds = [...new Set(result.listed)].sort();
  const day = utcDate(ctx.fetchedAt);
  return {
    event_id: eventId('CatalogSnapshot', ctx.sourceUrl, day, ...modelIds),
    run_id: ctx.runId,
    caused_by: null,
    occurred_at: ctx.occurredAt ?? ctx.fetchedAt,
    source_url: ctx.sourceUrl,
    fetched_at: ctx.fetchedAt,
    snapshot_date: day,
    model_ids: modelIds,
    expirations: expirationsOf(result),
    backfill: ctx.backfill ?? false,
  };
}

function expirationsOf(result: DiscoveryResult): ModelExpiration[] {
  return result.events
    .filter((e): e is typeof e & { expiration_date: string } => e.expiration_date !== null)
    .map((e) => ({ model_id: e.model_id, expiration_date: e.expiration_date }))
    .sort((a, b) => (a.model_id < b.model_id ? -1 : a.model_id > b.model_id ? 1 : 0));
}

function queryOf(sourceUrl: string): string {
  const at = sourceUrl.indexOf('?');
  if (at < 0) return '';
  const hash = sourceUrl.indexOf('#', at);
  return sourceUrl.slice(at + 1, hash < 0 ? undefined : hash);
}
