// Catalog rows (as the database answers them) in OpenRouter's model and endpoint shapes
// (services/api/README.md "Model fields").
import type { Architecture, Endpoint, Model } from '../schemas.ts';
import {
  toOpenRouterPricing,
  type StoredAmount,
  type StoredTier,
  type StoredUnregistered,
} from './openrouter.ts';

/** A model's catalog entry with the routed price in force at the instant asked. */
export interface CatalogModelRow {
  readonly model_id: string;
  readonly canonical_slug: string | null;
  readonly name: string;
  readonly description: string | null;
  readonly created: number | null;
  readonly context_length: number | null;
  readonly modality: string | null;
  readonly input_modalities: string[] | null;
  readonly output_modalities: string[] | null;
  readonly tokenizer: string | null;
  readonly supported_parameters: string[] | null;
  readonly top_provider: Record<string, unknown> | null;
  readonly raw: Record<string, unknown> | null;
  readonly expiration_date: string | null;
  readonly status: string;
  readonly observed_at: Date;
  readonly base: StoredAmount[];
  readonly tiers: StoredTier[];
  readonly unregistered: StoredUnregistered[] | null;
}

/** One provider's endpoint price in force at the instant asked, with its endpoint details. */
export interface EndpointRow {
  readonly provider: string;
  readonly provider_name: string | null;
  readonly tag: string | null;
  readonly context_length: number | null;
  readonly max_completion_tokens: number | null;
  readonly quantization: string | null;
  readonly endpoint_status: number | null;
  readonly status: string;
  readonly observed_at: Date;
  readonly base: StoredAmount[];
  readonly tiers: StoredTier[];
  readonly unregistered: StoredUnregistered[] | null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function record(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function architectureOf(row: CatalogModelRow): Architecture {
  const raw = record(record(row.raw)?.architecture);
  return {
    modality: row.modality,
    input_modalities: row.input_modalities ?? [],
    output_modalities: row.output_modalities ?? [],
    tokenizer: row.tokenizer,
    instruct_type: str(raw?.instruct_type),
  };
}

function priceOf(row: {
  readonly status: string;
  readonly base: readonly StoredAmount[];
  readonly tiers: readonly StoredTier[];
  readonly unregistered: readonly StoredUnregistered[] | null;
}) {
  return toOpenRouterPricing({
    status: row.status,
    base: row.base,
    tiers: row.tiers,
    unregistered: row.unregistered ?? [],
  });
}

/** A catalog row with its routed price → one entry of OpenRouter's `/models` `data[]`. */
export function toOpenRouterModel(row: CatalogModelRow): Model {
  return {
    id: row.model_id,
    canonical_slug: row.canonical_slug,
    name: row.name,
    created: row.created,
    description: row.description,
    context_length: row.context_length,
    architecture: architectureOf(row),
    pricing: priceOf(row),
    top_provider: row.top_provider,
    per_request_limits: record(record(row.raw)?.per_request_limits),
    supported_parameters: row.supported_parameters ?? [],
    expiration_date: row.expiration_date,
  };
}

/** A tier that only names an alternative endpoint (the scraper's variant for one of several endpoints). */
function isVariantOnly(t: StoredTier): boolean {
  return (
    t.variant !== null &&
    t.other.length === 0 &&
    t.prompt_tokens_gte === null &&
    t.prompt_tokens_gt === null &&
    t.utc_start === null
  );
}

/**
 * An endpoint row → the entries of OpenRouter's `/endpoints` `data.endpoints[]` (README "Endpoints"):
 * one, or one per variant tier when the provider serves several endpoints (base empty, every tier a
 * variant).
 */
export function toOpenRouterEndpoints(model: CatalogModelRow, row: EndpointRow): Endpoint[] {
  const providerName = row.provider_name ?? row.provider;
  const entry = (
    pricing: Endpoint['pricing'],
    tag: string | null,
    quantization: string | null,
  ): Endpoint => ({
    name: `${providerName} | ${model.canonical_slug ?? model.model_id}`,
    model_id: model.model_id,
    model_name: model.name,
    context_length: row.context_length,
    pricing,
    provider_name: providerName,
    tag,
    quantization,
    max_completion_tokens: row.max_completion_tokens,
    status: row.endpoint_status,
  });
  const variants = row.tiers.filter(isVariantOnly);
  if (
    row.status !== 'ok' ||
    row.base.length > 0 ||
    variants.length === 0 ||
    variants.length !== row.tiers.length
  )
    return [entry(priceOf(row), row.tag, row.quantization)];
  return variants.map((t) => {
    const variant = t.variant!;
    // The scraper names a variant by the endpoint's tag (`<provider>/<region>`) or its quantization.
    const isTag = variant === row.provider || variant.startsWith(`${row.provider}/`);
    const pricing = priceOf({
      status: row.status,
      base: t.prices,
      tiers: [],
      unregistered: (row.unregistered ?? [])
        .filter((u) => u.tier === t.label)
        .map((u) => ({ ...u, tier: null })),
    });
    return entry(pricing, isTag ? variant : row.tag, isTag ? row.quantization : variant);
  });
}

/** The newest observation time among rows (the answer's Last-Modified), or null for none. */
export function lastModified(rows: readonly { observed_at: Date }[]): Date | null {
  let newest: Date | null = null;
  for (const r of rows) if (newest === null || r.observed_at > newest) newest = r.observed_at;
  return newest;
}

export function architectureOfModel(row: CatalogModelRow): Architecture {
  return architectureOf(row);
}
