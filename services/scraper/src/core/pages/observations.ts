// ModelDiscovered + the parsed page of its provider → the provider_site RawPriceObserved.
import { contentHash, eventId, priceKey, type ModelDiscovered, type RawPriceObserved } from '@llmpt/schemas';
import type { ProviderPage } from '../providers-config.ts';
import { NOT_LISTED_REASON } from './parse.ts';
import type { PageContext, ParsedPage } from './types.ts';

export const SOURCE_TYPE = 'provider_site' as const;

/** The OpenRouter slug a model id belongs to ("openai/gpt-4o" → "openai"). */
export function authorOf(modelId: string): string {
  return modelId.split('/', 1)[0] ?? '';
}

/**
 * Whether this page speaks for the model: its author is the page's provider, or the mapping names it.
 * OpenRouter variants ("x:free", "x:thinking") are OpenRouter offerings, not list prices: skipped.
 */
export function pageCovers(provider: ProviderPage, modelId: string): boolean {
  if (modelId.includes(':')) return false;
  const mapped = Object.values(provider.models).includes(modelId);
  // A host's page speaks only for the models its mapping names (other authors' models it serves).
  if (provider.role === 'host') return mapped;
  return authorOf(modelId) === provider.slug || mapped;
}

/**
 * The host pages that speak for a model: those mapping it, and, when the run read OpenRouter's
 * endpoints for it (`hostedBy` = the providers OpenRouter lists for the model), only the hosts among
 * them: a host page is compared with what OpenRouter lists for that provider, never with nothing.
 */
export function hostPagesFor(
  hosts: readonly ProviderPage[],
  modelId: string,
  hostedBy: ReadonlySet<string> | null,
): ProviderPage[] {
  return hosts.filter(
    (p) => p.role === 'host' && pageCovers(p, modelId) && (hostedBy === null || hostedBy.has(p.slug)),
  );
}

/**
 * The provider_site observation of one discovered model, or null when the page is not about it.
 * Listed on the page → status ok with the page's components. Not listed, or the page gave no prices at
 * all (layout changed, bot challenge, fetch refused) → status unavailable with the reason; never a
 * guessed number. The id hashes the model event, the page bytes and the outcome, so a re-run on the
 * same bytes is the same event.
 */
export function pageObservations(
  md: ModelDiscovered,
  provider: ProviderPage,
  page: ParsedPage,
  ctx: PageContext,
): RawPriceObserved | null {
  if (!pageCovers(provider, md.model_id)) return null;
  const hash = ctx.contentHash ?? contentHash('');
  const price = page.prices.find((p) => p.modelId === md.model_id);
  const reason = price
    ? null
    : page.prices.length === 0
      ? (page.problems[0] ?? 'no prices found')
      : NOT_LISTED_REASON;
  const status = price ? 'ok' : 'unavailable';
  const components = price ? price.components : [];
  const key = priceKey(md.model_id, provider.slug, SOURCE_TYPE);
  return {
    event_id: eventId('RawPriceObserved', key, md.event_id, hash, status, reason, JSON.stringify(components)),
    run_id: ctx.runId,
    caused_by: md.event_id,
    backfill: md.backfill,
    occurred_at: ctx.fetchedAt,
    model_id: md.model_id,
    provider: provider.slug,
    provider_name: provider.name,
    source_type: SOURCE_TYPE,
    source_url: ctx.url,
    fetched_at: ctx.fetchedAt,
    content_hash: hash,
    status,
    unavailable_reason: reason,
    components,
    endpoint: null,
  };
}
