// Realistic sample events, one per type, built from OpenRouter's real listing of
// anthropic/claude-sonnet-4 (2026-05-18 capture in shared/data). Used by the codec tests, the fixture
// writer, the Java interop test and the broker round trips. Fixture files keep their own copy of the
// value (the .json beside each .bin), so editing these samples never invalidates a committed fixture.
// `@llmpt/schemas/samples` is the one place tests get events from: these, and the builders with
// overridable fields (builders.ts).
export * from './builders.ts';
import { contentHash, eventId, priceKey } from '../src/ids.ts';
import type { EventName, EventTypes, ModelDiscovered } from '../src/generated.ts';

const runId = 'run-2026-05-18T06:00:00Z';
const fetchedAt = Date.UTC(2026, 4, 18, 6, 0, 3, 412);
const occurredAt = Date.UTC(2026, 4, 18, 6, 0, 4, 7);

const rawEntry = JSON.stringify({
  id: 'anthropic/claude-sonnet-4',
  canonical_slug: 'anthropic/claude-4-sonnet-20250522',
  name: 'Anthropic: Claude Sonnet 4',
  created: 1747930371,
  description: 'Claude Sonnet 4 significantly enhances the capabilities of its predecessor, Sonnet 3.7…',
  context_length: 1000000,
  pricing: {
    prompt: '0.000003',
    completion: '0.000015',
    web_search: '0.01',
    input_cache_read: '0.0000003',
    input_cache_write: '0.00000375',
    input_cache_write_1h: '0.000006',
    overrides: [{ min_prompt_tokens: 200000, prompt: '0.000006', completion: '0.0000225' }],
  },
  knowledge_cutoff: '2025-01-31',
});
const modelHash = contentHash(rawEntry);

/** ModelDiscovered as schema v1 had it: no `description` field yet. */
export const modelDiscoveredV1: Omit<ModelDiscovered, 'description' | 'expiration_date' | 'backfill'> = {
  event_id: eventId('ModelDiscovered', 'anthropic/claude-sonnet-4', modelHash),
  run_id: runId,
  caused_by: null,
  occurred_at: occurredAt,
  model_id: 'anthropic/claude-sonnet-4',
  canonical_slug: 'anthropic/claude-4-sonnet-20250522',
  name: 'Anthropic: Claude Sonnet 4',
  created: 1747930371000,
  context_length: 1000000,
  architecture: {
    modality: 'text+image+file->text',
    input_modalities: ['image', 'text', 'file'],
    output_modalities: ['text'],
    tokenizer: 'Claude',
    instruct_type: null,
  },
  supported_parameters: ['include_reasoning', 'max_tokens', 'reasoning', 'stop', 'temperature', 'tools'],
  top_provider: { context_length: 200000, max_completion_tokens: 64000, is_moderated: true },
  pricing: {
    prompt: '0.000003',
    completion: '0.000015',
    web_search: '0.01',
    input_cache_read: '0.0000003',
    input_cache_write: '0.00000375',
    input_cache_write_1h: '0.000006',
  },
  pricing_tiers: [
    {
      conditions: { min_prompt_tokens: '200000' },
      pricing: { prompt: '0.000006', completion: '0.0000225' },
    },
  ],
  raw_entry: rawEntry,
  source_url: 'https://openrouter.ai/api/v1/models',
  fetched_at: fetchedAt,
  content_hash: modelHash,
};

const discovered: ModelDiscovered = {
  ...modelDiscoveredV1,
  description: 'Claude Sonnet 4 significantly enhances the capabilities of its predecessor, Sonnet 3.7…',
  expiration_date: '2027-05-14',
  backfill: false,
};

const vertexKey = priceKey('anthropic/claude-sonnet-4', 'google-vertex', 'openrouter_endpoints');
const rawId = eventId('RawPriceObserved', vertexKey, 'c0ffee');
const normalizedId = eventId('NormalizedPrice', vertexKey, '2026-05-18', 'c0ffee');

// A real row of GET /api/v1/providers (aiscanner 2026-05-18 capture): name differs from the slug.
const providerEntry = JSON.stringify({
  name: 'Google',
  slug: 'google-vertex',
  privacy_policy_url: 'https://cloud.google.com/terms/cloud-privacy-notice',
  terms_of_service_url: 'https://cloud.google.com/terms/',
  status_page_url: 'https://status.cloud.google.com/',
  headquarters: 'US',
  datacenters: ['US', 'BE', 'NL'],
});
const providerHash = contentHash(providerEntry);

export const samples: { readonly [N in EventName]: EventTypes[N] } = {
  ModelDiscovered: discovered,
  ProviderDiscovered: {
    event_id: eventId('ProviderDiscovered', 'google-vertex', providerHash, '2026-05-18'),
    run_id: runId,
    caused_by: null,
    occurred_at: occurredAt,
    slug: 'google-vertex',
    name: 'Google',
    privacy_policy_url: 'https://cloud.google.com/terms/cloud-privacy-notice',
    terms_of_service_url: 'https://cloud.google.com/terms/',
    status_page_url: 'https://status.cloud.google.com/',
    headquarters: 'US',
    datacenters: ['US', 'BE', 'NL'],
    raw_entry: providerEntry,
    source_url: 'https://openrouter.ai/api/v1/providers',
    fetched_at: fetchedAt,
    content_hash: providerHash,
  },
  RawPriceObserved: {
    event_id: rawId,
    run_id: runId,
    caused_by: discovered.event_id,
    occurred_at: occurredAt + 950,
    model_id: 'anthropic/claude-sonnet-4',
    provider: 'google-vertex',
    provider_name: 'Google Vertex',
    source_type: 'openrouter_endpoints',
    source_url: 'https://openrouter.ai/api/v1/models/anthropic/claude-sonnet-4/endpoints',
    fetched_at: fetchedAt + 800,
    content_hash: contentHash('{"data":{"endpoints":[]}}'),
    status: 'ok',
    unavailable_reason: null,
    components: [
      { dimension: 'prompt', raw_value: '0.000003', unit: 'per_token', currency: 'USD', tier: null },
      { dimension: 'completion', raw_value: '0.000015', unit: 'per_token', currency: 'USD', tier: null },
      {
        dimension: 'prompt',
        raw_value: '0.000006',
        unit: 'per_token',
        currency: 'USD',
        tier: 'min_prompt_tokens=200000',
      },
    ],
    endpoint: {
      tag: 'google-vertex/global',
      context_length: 1000000,
      max_prompt_tokens: null,
      max_completion_tokens: 64000,
      quantization: null,
      status: 0,
    },
    backfill: false,
  },
  NormalizedPrice: {
    event_id: normalizedId,
    run_id: runId,
    caused_by: rawId,
    occurred_at: occurredAt + 1200,
    price_key: vertexKey,
    model_id: 'anthropic/claude-sonnet-4',
    provider: 'google-vertex',
    source_type: 'openrouter_endpoints',
    source_url: 'https://openrouter.ai/api/v1/models/anthropic/claude-sonnet-4/endpoints',
    snapshot_date: '2026-05-18',
    observed_at: fetchedAt + 800,
    status: 'ok',
    unavailable_reason: null,
    currency: 'USD',
    prompt: '6.00000000',
    completion: '22.50000000',
    internal_reasoning: null,
    input_cache_read: '0.30000000',
    input_cache_write: '3.75000000',
    request: null,
    image: null,
    web_search: '0.01000000',
    input_cache_write_1h: '6.00000000',
    input_audio: null,
    input_audio_cache: null,
    audio_output: null,
    image_token: null,
    image_output: null,
    discount: null,
    notes: ['highest tier published: min_prompt_tokens=200000'],
    base: [
      { dimension: 'prompt', amount: '3.00000000' },
      { dimension: 'completion', amount: '15.00000000' },
      { dimension: 'input_cache_read', amount: '0.30000000' },
      { dimension: 'input_cache_write', amount: '3.75000000' },
      { dimension: 'input_cache_write_1h', amount: '6.00000000' },
      { dimension: 'web_search', amount: '0.01000000' },
    ],
    tiers: [
      {
        label: 'prompt_tokens>200000',
        prompt_tokens_gte: null,
        prompt_tokens_gt: 200000,
        utc_start: null,
        utc_end: null,
        variant: null,
        other: [],
        prices: [
          { dimension: 'prompt', amount: '6.00000000' },
          { dimension: 'completion', amount: '22.50000000' },
        ],
      },
    ],
    unregistered: [
      { key: 'audio_seconds', raw_value: '0.0001', unit: 'per_unit', currency: 'USD', tier: null },
    ],
    // The RawPriceObserved's (caused_by) hash of the fetched bytes.
    content_hash: contentHash('{"data":{"endpoints":[]}}'),
    backfill: false,
  },
  PriceChanged: {
    event_id: eventId('PriceChanged', vertexKey, normalizedId),
    run_id: runId,
    caused_by: normalizedId,
    occurred_at: occurredAt + 1300,
    price_key: vertexKey,
    model_id: 'anthropic/claude-sonnet-4',
    provider: 'google-vertex',
    source_type: 'openrouter_endpoints',
    kind: 'changed',
    changes: [
      {
        dimension: 'prompt',
        previous: '6.00000000',
        current: '9.00000000',
        relative_change: '0.50000000',
        tier: 'prompt_tokens>200000',
        change: 'changed',
      },
      {
        dimension: 'input_cache_write_1h',
        previous: null,
        current: '6.00000000',
        relative_change: null,
        tier: null,
        change: 'new',
      },
    ],
    previous_observed_at: Date.UTC(2026, 4, 17, 6, 0, 2, 990),
    current_observed_at: fetchedAt + 800,
    snapshot_date: '2026-05-18',
    alert: true,
    alert_threshold: '0.30',
    expiration_date: null,
    backfilled: true,
  },
  PriceChangeRetracted: {
    event_id: eventId(
      'PriceChangeRetracted',
      vertexKey,
      3,
      eventId('PriceChanged', vertexKey, 'x'),
      'd',
      true,
    ),
    price_key: vertexKey,
    retracted_event_id: eventId('PriceChanged', vertexKey, 'x'),
    retracted_digest: contentHash('a digest'),
    retracted: true,
    revision: 3,
    caused_by: normalizedId,
    occurred_at: occurredAt + 1400,
  },
  CatalogSnapshot: {
    event_id: eventId('CatalogSnapshot', 'https://openrouter.ai/api/v1/models', '2026-05-18'),
    run_id: runId,
    caused_by: null,
    occurred_at: occurredAt + 30,
    source_url: 'https://openrouter.ai/api/v1/models',
    fetched_at: fetchedAt,
    snapshot_date: '2026-05-18',
    model_ids: ['anthropic/claude-sonnet-4', 'openai/gpt-4o'],
    expirations: [{ model_id: 'anthropic/claude-sonnet-4', expiration_date: '2027-05-14' }],
    backfill: false,
  },
  // The recorded Gemini 2.5 Flash call of 2026-03-08 (../shared/data/openrouter/chat), checked
  // against an endpoint price that lists no cache-write rate: the writes fall back to the prompt rate.
  PriceVerified: {
    event_id: eventId('PriceVerified', runId, 'google/gemini-2.5-flash', 'google-ai-studio'),
    run_id: runId,
    caused_by: null,
    occurred_at: occurredAt + 40,
    model_id: 'google/gemini-2.5-flash',
    provider: 'google-ai-studio',
    outcome: 'charged',
    http_status: 200,
    latency_ms: 812,
    served_provider: 'Google AI Studio',
    served_model: 'google/gemini-2.5-flash',
    generation_id: 'gen-1773011493-dQNZ1wvMJgB2Ga9XKPPE',
    error_code: null,
    error_message: null,
    usage: {
      prompt_tokens: 2168,
      completion_tokens: 100,
      cached_tokens: 2161,
      cache_write_tokens: 2161,
      reasoning_tokens: 0,
      web_search_requests: 0,
      cost: '0.0004970133333333333',
      upstream_inference_cost: '0.0004970133333333333',
      is_byok: false,
      raw: '{"prompt_tokens":2168,"completion_tokens":100,"cost":0.0004970133333333333}',
    },
    price_key: 'google/gemini-2.5-flash|google-ai-studio|openrouter_endpoints',
    expected_cost: '0.00096523',
    charged_cost: '0.0004970133333333333',
    difference: '-0.0004682166666666667',
    discrepancy: true,
    not_compared: null,
    components: [
      { component: 'prompt', quantity: '7', rate: '0.3', cost: '0.0000021' },
      { component: 'completion', quantity: '100', rate: '2.5', cost: '0.00025' },
      { component: 'input_cache_read', quantity: '2161', rate: '0.03', cost: '0.00006483' },
      { component: 'input_cache_write', quantity: '2161', rate: '0.3', cost: '0.0006483' },
    ],
    tolerance_absolute: '0.000000001',
    tolerance_relative: '0.01',
  },
  PriceDiscrepancy: {
    event_id: eventId(
      'PriceDiscrepancy',
      eventId('PriceVerified', runId, 'google/gemini-2.5-flash', 'google-ai-studio'),
    ),
    run_id: runId,
    caused_by: eventId('PriceVerified', runId, 'google/gemini-2.5-flash', 'google-ai-studio'),
    occurred_at: occurredAt + 40,
    model_id: 'google/gemini-2.5-flash',
    provider: 'google-ai-studio',
    price_key: 'google/gemini-2.5-flash|google-ai-studio|openrouter_endpoints',
    price_event_id: null,
    expected_cost: '0.00096523',
    charged_cost: '0.0004970133333333333',
    difference: '-0.0004682166666666667',
    relative_difference: '-0.48508300',
    tolerance_absolute: '0.000000001',
    tolerance_relative: '0.01',
    is_byok: false,
    generation_id: 'gen-1773011493-dQNZ1wvMJgB2Ga9XKPPE',
  },
  DeadLetter: {
    event_id: eventId('DeadLetter', 'discovery', 'openrouter/auto'),
    run_id: runId,
    caused_by: null,
    occurred_at: occurredAt + 20,
    stage: 'discovery',
    source_topic: null,
    source_partition: null,
    source_offset: null,
    source_url: 'https://openrouter.ai/api/v1/models',
    key: Buffer.from('openrouter/auto', 'utf8'),
    payload: Buffer.from('{"id":"openrouter/auto","pricing":{"prompt":-1}}', 'utf8'),
    error_code: 'INVALID_ENTRY',
    error_message: 'pricing.prompt: expected string, received number (–1 is published as a string)',
    retriable: false,
  },
};

/** The provider sample under another slug, with an id of its own: for tests that need distinct events. */
export function sampleProvider(slug: string): EventTypes['ProviderDiscovered'] {
  return { ...samples.ProviderDiscovered, event_id: eventId('ProviderDiscovered', slug), slug };
}
