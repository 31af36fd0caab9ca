// Event builders for tests of every package: a valid event with overridable fields, wrapped the way a
// stage sees a decoded message (`{ name, event }`; take `.event` for the bare record). The realistic
// one-per-type `samples` (samples.ts) are for codec and broker round trips; these are for tests that
// vary a field or two. Defaults: anthropic/claude-sonnet-4 seen through anthropic's endpoint on T0.
import { emptyDimensionValues } from '../src/dimensions.ts';
import { NO_CONDITIONS, tierLabel } from '../src/tiers.ts';
import type {
  EventName,
  EventTypes,
  ModelDiscovered,
  NormalizedPrice,
  PriceChanged,
  RawPriceObserved,
} from '../src/generated.ts';

/** One decoded event of a known type; assignable to any stage's decoded-event union. */
export interface Decoded<N extends EventName> {
  readonly name: N;
  readonly event: EventTypes[N];
}

export const T0 = Date.UTC(2026, 4, 7, 12, 0, 0); // 2026-05-07T12:00:00.000Z
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export function modelDiscovered(o: Partial<ModelDiscovered> = {}): Decoded<'ModelDiscovered'> {
  const modelId = o.model_id ?? 'anthropic/claude-sonnet-4';
  const event: ModelDiscovered = {
    event_id: `md-${modelId}-${o.fetched_at ?? T0}`,
    run_id: 'run-1',
    caused_by: null,
    occurred_at: o.fetched_at ?? T0,
    model_id: modelId,
    canonical_slug: 'anthropic/claude-4-sonnet-20250522',
    name: 'Anthropic: Claude Sonnet 4',
    description: 'A model',
    created: Date.UTC(2025, 4, 22),
    context_length: 200_000,
    architecture: {
      modality: 'text+image->text',
      input_modalities: ['text', 'image'],
      output_modalities: ['text'],
      tokenizer: 'Claude',
      instruct_type: null,
    },
    supported_parameters: ['tools', 'max_tokens'],
    top_provider: { context_length: 200_000, max_completion_tokens: 64_000, is_moderated: true },
    pricing: { prompt: '0.000003', completion: '0.000015' },
    pricing_tiers: [],
    expiration_date: null,
    backfill: false,
    raw_entry: JSON.stringify({
      id: modelId,
      pricing: { prompt: '0.000003', completion: '0.000015' },
      extra: 1,
    }),
    source_url: 'https://openrouter.ai/api/v1/models',
    fetched_at: T0,
    content_hash: 'c0ffee',
    ...o,
  };
  return { name: 'ModelDiscovered', event };
}

export function normalizedPrice(o: Partial<NormalizedPrice> = {}): Decoded<'NormalizedPrice'> {
  const modelId = o.model_id ?? 'anthropic/claude-sonnet-4';
  const provider = o.provider === undefined ? 'anthropic' : o.provider;
  const source = o.source_type ?? 'openrouter_endpoints';
  const observedAt = o.observed_at ?? T0;
  const event: NormalizedPrice = {
    event_id: `np-${modelId}-${provider ?? ''}-${source}-${observedAt}`,
    run_id: 'run-1',
    caused_by: 'raw-1',
    occurred_at: observedAt,
    price_key: `${modelId}|${provider ?? ''}|${source}`,
    model_id: modelId,
    provider,
    source_type: source,
    source_url: `https://openrouter.ai/api/v1/models/${modelId}/endpoints`,
    snapshot_date: new Date(observedAt).toISOString().slice(0, 10),
    observed_at: observedAt,
    status: 'ok',
    unavailable_reason: null,
    currency: 'USD',
    ...emptyDimensionValues(),
    prompt: '3.00000000',
    completion: '15.00000000',
    internal_reasoning: null,
    input_cache_read: '0.30000000',
    input_cache_write: '3.75000000',
    request: null,
    image: '0.00480000',
    web_search: null,
    notes: [],
    base: [],
    tiers: [],
    unregistered: [],
    content_hash: null,
    backfill: false,
    ...o,
  };
  return { name: 'NormalizedPrice', event };
}

export function priceChanged(o: Partial<PriceChanged> = {}): Decoded<'PriceChanged'> {
  const modelId = o.model_id ?? 'anthropic/claude-sonnet-4';
  const provider = o.provider === undefined ? 'anthropic' : o.provider;
  const source = o.source_type ?? 'openrouter_endpoints';
  const event: PriceChanged = {
    event_id: `pc-${modelId}-${provider ?? ''}-${source}-${o.current_observed_at ?? T0}`,
    run_id: 'run-1',
    caused_by: 'np-1',
    occurred_at: T0,
    price_key: `${modelId}|${provider ?? ''}|${source}`,
    model_id: modelId,
    provider,
    source_type: source,
    kind: 'changed',
    changes: [
      {
        dimension: 'prompt',
        previous: '3.00000000',
        current: '1.50000000',
        relative_change: '-0.50000000',
        tier: null,
        change: 'changed',
      },
    ],
    previous_observed_at: T0 - DAY,
    current_observed_at: T0,
    snapshot_date: '2026-05-07',
    alert: true,
    alert_threshold: '0.30',
    expiration_date: null,
    backfilled: false,
    ...o,
  };
  return { name: 'PriceChanged', event };
}

export function rawPriceObserved(o: Partial<RawPriceObserved> = {}): Decoded<'RawPriceObserved'> {
  const modelId = o.model_id ?? 'anthropic/claude-sonnet-4';
  const event: RawPriceObserved = {
    event_id: `raw-${modelId}-${o.fetched_at ?? T0}`,
    run_id: 'run-1',
    caused_by: 'md-1',
    occurred_at: o.fetched_at ?? T0,
    model_id: modelId,
    provider: 'anthropic',
    provider_name: 'Anthropic',
    source_type: 'openrouter_endpoints',
    source_url: `https://openrouter.ai/api/v1/models/${modelId}/endpoints`,
    fetched_at: T0,
    content_hash: 'beef',
    status: 'ok',
    unavailable_reason: null,
    components: [],
    endpoint: {
      tag: 'anthropic',
      context_length: 200_000,
      max_prompt_tokens: null,
      max_completion_tokens: 64_000,
      quantization: null,
      status: 0,
    },
    backfill: false,
    ...o,
  };
  return { name: 'RawPriceObserved', event };
}

const longContext = { ...NO_CONDITIONS, prompt_tokens_gte: 200_000 };
const offPeak = { ...NO_CONDITIONS, utc_start: 22 * 60, utc_end: 6 * 60 };

/**
 * The fields of a v2 price with structure: a base, a long-context tier, an off-peak window that wraps
 * midnight, dimensions added by v2 and a key the registry does not know. The columns hold the highest
 * value per dimension, as the normalizer writes them.
 */
export const TIERED = {
  prompt: '6.00000000',
  completion: '22.50000000',
  input_cache_read: '0.30000000',
  input_cache_write: '3.75000000',
  image: null,
  input_cache_write_1h: '6.00000000',
  input_audio: '2.10000000',
  image_token: '0.00012345',
  base: [
    { dimension: 'prompt', amount: '3.00000000' },
    { dimension: 'completion', amount: '15.00000000' },
    { dimension: 'input_cache_read', amount: '0.30000000' },
    { dimension: 'input_cache_write', amount: '3.75000000' },
    { dimension: 'input_cache_write_1h', amount: '6.00000000' },
    { dimension: 'input_audio', amount: '2.10000000' },
    { dimension: 'image_token', amount: '0.00012345' },
  ],
  tiers: [
    {
      label: tierLabel(longContext),
      ...longContext,
      prices: [
        { dimension: 'prompt', amount: '6.00000000' },
        { dimension: 'completion', amount: '22.50000000' },
      ],
    },
    {
      label: tierLabel(offPeak),
      ...offPeak,
      prices: [{ dimension: 'prompt', amount: '1.50000000' }],
    },
  ],
  unregistered: [
    { key: 'audio_seconds', raw_value: '0.0001', unit: 'per_unit', currency: 'USD', tier: null },
  ],
} as const satisfies Partial<NormalizedPrice>;
