// A pages-only run (the scraper's `pages` command, used by the offline daily run): the provider pages
// read once for the models of a catalog already loaded, without a discovery run. Pure: the catalog
// and endpoints bodies come in parsed, the run id and time as arguments.
import { eventId, type ModelDiscovered } from '@llmpt/schemas';
import { providerSlug } from '../openrouter.ts';

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The model ids of a `/models` body: `{data:[...]}` or the bare array, in file order. */
export function catalogModelIds(body: unknown): string[] {
  const list = Array.isArray(body) ? body : isRecord(body) && Array.isArray(body.data) ? body.data : null;
  if (list === null) throw new TypeError('not a /models response: no data array');
  return list.flatMap((m) => (isRecord(m) && typeof m.id === 'string' ? [m.id] : []));
}

/**
 * Model id → the provider slugs OpenRouter lists for it, from the sample catalog's endpoints file
 * (`{ "<model id>": [endpoint, ...] }`), keyed as the scraper keys endpoint prices (tag before "/").
 */
export function hostsByModel(endpoints: unknown): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  if (!isRecord(endpoints)) return out;
  for (const [modelId, list] of Object.entries(endpoints)) {
    if (!Array.isArray(list)) continue;
    const slugs = new Set<string>();
    for (const e of list) {
      if (!isRecord(e)) continue;
      const slug = providerSlug(
        typeof e.tag === 'string' ? e.tag : null,
        typeof e.provider_name === 'string' ? e.provider_name : null,
      );
      if (slug !== null) slugs.add(slug);
    }
    out.set(modelId, slugs);
  }
  return out;
}

/**
 * The ModelDiscovered a pages-only run observes for one catalog model: not an event that was published,
 * the run's own request for that model's pages (its id names the run and the model, so a rerun with the
 * same run id gives the same observation ids and the sink keeps one copy).
 */
export function pagesRunModel(
  modelId: string,
  runId: string,
  at: number,
  sourceUrl: string,
): ModelDiscovered {
  return {
    event_id: eventId('ProviderPagesRun', runId, modelId),
    run_id: runId,
    caused_by: null,
    occurred_at: at,
    model_id: modelId,
    canonical_slug: null,
    name: modelId,
    description: null,
    created: null,
    context_length: null,
    architecture: null,
    supported_parameters: [],
    top_provider: null,
    pricing: {},
    pricing_tiers: [],
    expiration_date: null,
    backfill: false,
    raw_entry: '{}',
    source_url: sourceUrl,
    fetched_at: at,
    content_hash: '',
  };
}
