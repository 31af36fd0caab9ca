// Request and response schemas, defined once (zod 4). Fastify validates requests and serializes
// responses with their JSON Schema (z.toJSONSchema), and @fastify/swagger puts the same JSON Schemas
// into GET /openapi.json (OpenAPI 3.1, whose schema dialect is JSON Schema 2020-12).
import { z } from 'zod';

/** A model id segment: OpenRouter's `author/slug` halves (`~openai`, `gpt-5.6-sol`, `llama-3:free`). */
const segment = z
  .string()
  .max(100)
  .regex(/^[A-Za-z0-9~._:+-]+$/, 'letters, digits and ~._:+- only');

export const modelParams = z.strictObject({ author: segment, slug: segment });

const at = z
  .string()
  .max(40)
  .describe('ISO 8601 instant with a time zone, or a date (its UTC midnight); default now');

export const catalogQuery = z.strictObject({ at: at.optional() });

const override = z.record(z.string(), z.union([z.string(), z.number()]));
export const pricing = z
  .record(z.string(), z.union([z.string(), z.number(), z.array(override)]))
  .describe(
    'OpenRouter pricing: USD per token (or per unit) as decimal strings; `discount` a number; `overrides` the tiers',
  );

const architecture = z.object({
  modality: z.string().nullable(),
  input_modalities: z.array(z.string()),
  output_modalities: z.array(z.string()),
  tokenizer: z.string().nullable(),
  instruct_type: z.string().nullable(),
});

export const model = z.object({
  id: z.string(),
  canonical_slug: z.string().nullable(),
  name: z.string(),
  created: z.number().int().nullable(),
  description: z.string().nullable(),
  context_length: z.number().int().nullable(),
  architecture,
  pricing,
  top_provider: z.record(z.string(), z.unknown()).nullable(),
  per_request_limits: z.record(z.string(), z.unknown()).nullable(),
  supported_parameters: z.array(z.string()),
  expiration_date: z.string().nullable().describe('YYYY-MM-DD the model is announced to go away, or null'),
});

export const modelsResponse = z.object({ data: z.array(model) });

export const endpoint = z.object({
  name: z.string(),
  model_id: z.string(),
  model_name: z.string(),
  context_length: z.number().int().nullable(),
  pricing,
  provider_name: z.string(),
  tag: z.string().nullable(),
  quantization: z.string().nullable(),
  max_completion_tokens: z.number().int().nullable(),
  status: z.number().int().nullable(),
});

export const endpointsResponse = z.object({
  data: z.object({
    id: z.string(),
    name: z.string(),
    created: z.number().int().nullable(),
    description: z.string().nullable(),
    architecture,
    endpoints: z.array(endpoint),
  }),
});

// GET /v1/catalog (README "The catalog in one answer").
const perMillion = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/)
  .nullable()
  .describe('USD per 1M tokens, a decimal string at the stored scale (8 decimals); null: no value');
const listedAmounts = {
  prompt: perMillion,
  completion: perMillion,
  input_cache_read: perMillion,
  input_cache_write: perMillion,
};

export const catalogEntry = z.object({
  id: z.string(),
  name: z.string(),
  created: z.number().int().nullable(),
  context_length: z.number().int().nullable(),
  input_modalities: z.array(z.string()),
  output_modalities: z.array(z.string()),
  expiration_date: z.string().nullable(),
  routed: z
    .object(listedAmounts)
    .nullable()
    .describe('the routed price (openrouter_api) in force; null when unavailable'),
  free: z.boolean().describe('routed prompt and completion both exactly zero'),
  providers: z
    .array(
      z.object({
        provider: z.string(),
        source: z.string(),
        status: z.enum(['ok', 'unavailable']),
        ...listedAmounts,
        has_tiers: z.boolean(),
        observed_at: z.string().describe('ISO instant of the observation in force'),
      }),
    )
    .describe('every other price in force, by provider then source'),
  has_tiers: z.boolean().describe('the routed price or a provider price has at least one tier'),
  last_change: z
    .object({
      at: z.string(),
      kind: z.string(),
      alert: z.boolean(),
      provider: z.string().nullable().describe('null: the routed price'),
    })
    .nullable()
    .describe('the newest change in force at or before `at`'),
});

export const catalogResponse = z.object({
  data: z.array(catalogEntry),
  providers: z.array(z.string()).describe('every provider slug of data[].providers, sorted'),
});

export const historyQuery = z.strictObject({
  provider: z
    .string()
    .max(100)
    .regex(/^[A-Za-z0-9._/-]+$/, 'a provider slug')
    .optional()
    .describe('a provider slug, or `openrouter` for the routed price'),
  source: z.enum(['openrouter_api', 'openrouter_endpoints', 'provider_site', 'web_fallback']).optional(),
});

const amount = z.object({ dimension: z.string(), amount: z.string() });
const storedTier = z.object({
  label: z.string(),
  prompt_tokens_gte: z.number().int().nullable(),
  prompt_tokens_gt: z.number().int().nullable(),
  utc_start: z.number().int().nullable(),
  utc_end: z.number().int().nullable(),
  variant: z.string().nullable(),
  other: z.array(z.string()),
  prices: z.array(amount),
});

export const interval = z.object({
  price_key: z.string(),
  provider: z.string().nullable(),
  source: z.string(),
  from: z.string().describe('ISO instant, inclusive'),
  to: z.string().nullable().describe('ISO instant, exclusive; null while in force'),
  ended_by: z.enum(['change', 'removal']).nullable(),
  status: z.string(),
  unavailable_reason: z.string().nullable(),
  currency: z.string(),
  dimensions: z
    .record(z.string(), z.string().nullable())
    .describe('every registered dimension: USD per 1M tokens, per unit, or a ratio; null when not priced'),
  base: z.array(amount),
  tiers: z.array(storedTier),
  unregistered: z.array(
    z.object({
      key: z.string(),
      raw_value: z.string(),
      unit: z.string(),
      currency: z.string(),
      tier: z.string().nullable(),
    }),
  ),
  source_url: z.string(),
  event_id: z.string().describe('the observation that started the interval'),
  content_hash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable()
    .describe(
      'sha256 (hex) of the bytes fetched for the observation that started the interval ' +
        '(RawPriceObserved.content_hash); null for observations stored before NormalizedPrice v3 or when nothing was fetched',
    ),
  first_observed_at: z.string(),
  last_observed_at: z.string(),
  observations: z.number().int(),
});

export const historyResponse = z.object({ data: z.object({ id: z.string(), intervals: z.array(interval) }) });

export const changesQuery = z.strictObject({
  model: z
    .string()
    .max(201)
    .regex(/^[A-Za-z0-9~._:+-]+\/[A-Za-z0-9~._:+-]+$/, 'a model id such as openai/gpt-5.5')
    .optional(),
  provider: historyQuery.shape.provider,
  alerts: z.enum(['true', 'false']).optional().describe('true: only changes flagged as alerts'),
  since: at.optional().describe('changes that took effect at or after this instant (or date)'),
  limit: z.string().max(4).optional().describe('items per page, 1-500 (default 100)'),
  cursor: z.string().max(400).optional().describe('next_cursor of the previous page'),
  order: z
    .enum(['oldest', 'newest'])
    .optional()
    .describe('oldest (default): by at then event_id ascending; newest: both descending'),
});

export const atomQuery = changesQuery.omit({ cursor: true, order: true }).extend({
  limit: z.string().max(4).optional().describe('entries, the newest first, 1-500 (default 50)'),
});

export const change = z.object({
  event_id: z.string(),
  price_key: z.string(),
  model_id: z.string(),
  provider: z.string().nullable(),
  source: z.string(),
  kind: z.string(),
  at: z.string().describe('when the change took effect (ISO instant)'),
  changes: z.array(z.record(z.string(), z.unknown())),
  previous_observed_at: z.string().nullable(),
  current_observed_at: z.string().nullable(),
  snapshot_date: z.string(),
  alert: z.boolean(),
  expiration_date: z.string().nullable(),
});

export const changesResponse = z.object({ data: z.array(change), next_cursor: z.string().nullable() });

export type Change = z.infer<typeof change>;

const exportName = z
  .string()
  .max(100)
  .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits and ._- only');
export const exportFileParams = z.strictObject({
  file: exportName.describe('litellm.json, genai-prices.json, models-dev.json or csv.csv'),
});
export const exportDayParams = z.strictObject({
  format: exportName.describe('litellm, genai-prices, models-dev or csv'),
  file: exportName.describe('YYYY-MM-DD.json (csv: YYYY-MM-DD.csv): a UTC day that is over'),
});

// ---- Webhook subscriptions (README "Webhook subscriptions") -------------------------------------

export const subscriptionParams = z.strictObject({
  id: z.uuid().describe('the subscription id (a UUID)'),
});

export const subscriptionCreateBody = z.strictObject({
  url: z.string().max(2048).describe('http(s) URL the notifier POSTs to; internal addresses are refused'),
  model_ids: z
    .array(changesQuery.shape.model.unwrap())
    .max(100)
    .optional()
    .describe('only these model ids; empty or absent: every model'),
  providers: z
    .array(historyQuery.shape.provider.unwrap())
    .max(100)
    .optional()
    .describe('only these provider slugs (`openrouter`: the routed price); empty or absent: every one'),
  alerts_only: z.boolean().optional().describe('only changes flagged as alerts (default false)'),
  include_backfilled: z
    .boolean()
    .optional()
    .describe(
      'also changes learned from archives or decided late (`backfilled: true`); default false: live changes only',
    ),
  replay_from: at.optional().describe('also deliver the stored changes that took effect at or after this'),
});

export const replayBody = z.strictObject({
  from: at.describe('replay the stored changes that took effect at or after this instant (or date)'),
});

export const subscription = z.object({
  id: z.string(),
  url: z.string(),
  model_ids: z.array(z.string()),
  providers: z.array(z.string()),
  alerts_only: z.boolean(),
  include_backfilled: z.boolean(),
  created_at: z.string(),
  disabled_at: z.string().nullable().describe('when removed; null while active'),
  replay: z
    .object({
      request_id: z.string(),
      from: z.string(),
      requested_at: z.string(),
      done_at: z.string().nullable().describe('when the notifier queued the replay; null until then'),
    })
    .nullable(),
});

export const subscriptionResponse = z.object({ data: subscription });
export const subscriptionsResponse = z.object({ data: z.array(subscription) });
export const subscriptionCreatedResponse = z.object({
  data: subscription.extend({
    secret: z
      .string()
      .describe('whsec_…: the signing secret (Standard Webhooks). Shown in this answer only: keep it'),
  }),
});

// /v1/cost (README "Cost of a call").
const usageFormat = z.enum(['openai', 'openrouter', 'anthropic', 'gemini', 'cohere']);
const sourceType = historyQuery.shape.source.unwrap();
const costModel = z
  .string()
  .max(201)
  .regex(/^[A-Za-z0-9~._:+-]+\/[A-Za-z0-9~._:+-]+$/, 'a model id such as anthropic/claude-sonnet-4.6');
const costTier = z.string().min(1).max(200).describe('a tier label to apply; `base`: the base price alone');
const count = z.int().min(0).max(999_999_999);
const countText = z.string().max(9);

export const costBody = z.strictObject({
  model: costModel,
  provider: historyQuery.shape.provider,
  source: sourceType.optional(),
  at: at.optional().describe('when the call was made; default now'),
  format: usageFormat.optional().describe('absent: detected from the keys of usage'),
  usage: z.record(z.string(), z.unknown()).describe('the usage object as the provider returned it'),
  images: count.optional().describe('input images priced per image'),
  web_searches: count.optional().describe('web searches of the call (overrides the usage)'),
  tier: costTier.optional(),
  byok_requests_this_month: count.optional().describe('BYOK: requests already made this month'),
});

export const costQuery = z.strictObject({
  model: costModel,
  provider: historyQuery.shape.provider,
  source: sourceType.optional(),
  at: at.optional().describe('when the call was made; default now'),
  format: usageFormat.optional().describe('absent: detected from the keys of usage'),
  usage: z.string().max(4096).describe('the usage object as URL-encoded JSON (at most 1500 characters)'),
  images: countText.optional().describe('input images priced per image, a whole number'),
  web_searches: countText.optional().describe('web searches of the call, a whole number'),
  tier: costTier.optional(),
  byok_requests_this_month: countText.optional().describe('BYOK: requests already made this month'),
});

const money = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/)
  .describe('USD, a decimal string');
const costItem = z.object({
  provider: z.string().nullable().describe('null: OpenRouter’s routed price'),
  source: z.string(),
  price_key: z.string(),
  total: money,
  total_source: z.enum(['catalog', 'reported']),
  catalog_total: money,
  components: z.array(
    z.object({
      dimension: z.string(),
      count: z.string(),
      rate: z.string(),
      unit: z.enum(['per_1m_tokens', 'per_request', 'per_image', 'per_web_search', 'fraction']),
      tier: z.string().nullable(),
      amount: money,
    }),
  ),
  tiers_applied: z.array(z.string()),
  tiers_from: z.object({ source: z.string(), price_key: z.string() }).nullable(),
  reported: z.object({ cost: money, difference: money, disagrees: z.boolean() }).nullable(),
  price: z.object({
    source: z.string(),
    source_url: z.string().nullable(),
    observed_at: z.string(),
    effective_from: z.string(),
    event_id: z.string(),
  }),
  notes: z.array(z.string()),
  warnings: z.array(z.string()),
});

export const costResponse = z.object({
  data: z.object({
    model: z.string(),
    at: z.string(),
    format: usageFormat,
    tokens: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
    chosen: z.string().nullable().describe('the price_key the consumer picks when no provider is named'),
    costs: z.array(costItem).describe('cheapest first'),
    unpriced: z.array(z.object({ provider: z.string().nullable(), code: z.string(), message: z.string() })),
  }),
});

export const errorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

export const healthResponse = z.object({ status: z.string() });

export type Model = z.infer<typeof model>;
export type Endpoint = z.infer<typeof endpoint>;
export type Architecture = z.infer<typeof architecture>;

/** JSON Schema of a zod schema, as Fastify and OpenAPI 3.1 read it. */
export function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  return rest;
}
