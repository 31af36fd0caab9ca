// The price dimension registry (docs/price-model.md §1): every dimension a price is charged on,
// defined once. The NormalizedPrice fields, the price_observations columns, the normalizer's mapping of
// source keys, price_at and the cost of a call derive from this list (or a test proves them equal).
// Adding a dimension is one entry here, a field in NormalizedPrice.avsc and a migration.

/** What a normalized amount is counted in. */
export type DimensionBasis = 'per_1m_tokens' | 'per_unit' | 'ratio';

export interface DimensionSpec {
  /** The NormalizedPrice field and the price_observations column. */
  readonly name: string;
  readonly basis: DimensionBasis;
  /** What one unit is: a token (priced per 1M), a request, an image, a web search, or a ratio. */
  readonly unit: 'token' | 'request' | 'image' | 'web_search' | 'ratio';
  readonly direction: 'input' | 'output' | 'call';
  readonly modality: 'text' | 'audio' | 'image' | 'any';
  /** The OpenRouter pricing keys (/models and /endpoints) that feed it, with the basis that key must have. */
  readonly openrouterKeys: readonly string[];
  /** 1: a column of the original design; 2: added by the price model v2. */
  readonly since: 1 | 2;
  /** Which count of each usage format it prices (documentation for consumers; cost/usage.ts implements it). */
  readonly usage: string;
  readonly doc: string;
}

export const DIMENSIONS = [
  {
    name: 'prompt',
    basis: 'per_1m_tokens',
    unit: 'token',
    direction: 'input',
    modality: 'text',
    openrouterKeys: ['prompt'],
    since: 1,
    usage:
      'input tokens not read from or written to a cache (OpenAI prompt_tokens − cached; Anthropic input_tokens; Gemini promptTokenCount − cachedContentTokenCount)',
    doc: 'USD per 1M input tokens.',
  },
  {
    name: 'completion',
    basis: 'per_1m_tokens',
    unit: 'token',
    direction: 'output',
    modality: 'text',
    openrouterKeys: ['completion'],
    since: 1,
    usage:
      'output tokens that are not reasoning (OpenAI completion_tokens − reasoning_tokens; Anthropic output_tokens; Gemini candidatesTokenCount)',
    doc: 'USD per 1M output tokens.',
  },
  {
    name: 'internal_reasoning',
    basis: 'per_1m_tokens',
    unit: 'token',
    direction: 'output',
    modality: 'text',
    openrouterKeys: ['internal_reasoning'],
    since: 1,
    usage:
      'reasoning tokens (OpenAI completion_tokens_details.reasoning_tokens; Gemini thoughtsTokenCount); billed at completion when unpriced',
    doc: 'USD per 1M reasoning tokens.',
  },
  {
    name: 'input_cache_read',
    basis: 'per_1m_tokens',
    unit: 'token',
    direction: 'input',
    modality: 'text',
    openrouterKeys: ['input_cache_read'],
    since: 1,
    usage:
      'cached input tokens read (OpenAI prompt_tokens_details.cached_tokens; Anthropic cache_read_input_tokens; Gemini cachedContentTokenCount)',
    doc: 'USD per 1M cached input tokens read.',
  },
  {
    name: 'input_cache_write',
    basis: 'per_1m_tokens',
    unit: 'token',
    direction: 'input',
    modality: 'text',
    openrouterKeys: ['input_cache_write'],
    since: 1,
    usage:
      'input tokens written to a 5-minute cache (Anthropic cache_creation.ephemeral_5m_input_tokens, or cache_creation_input_tokens without a split; OpenRouter prompt_tokens_details.cache_write_tokens)',
    doc: 'USD per 1M input tokens written to the (5-minute) cache.',
  },
  {
    name: 'request',
    basis: 'per_unit',
    unit: 'request',
    direction: 'call',
    modality: 'any',
    openrouterKeys: ['request'],
    since: 1,
    usage: 'one per call',
    doc: 'USD per request.',
  },
  {
    name: 'image',
    basis: 'per_unit',
    unit: 'image',
    direction: 'input',
    modality: 'image',
    openrouterKeys: ['image'],
    since: 1,
    usage: 'input images (counted by the caller: no usage format reports them)',
    doc: 'USD per input image. OpenRouter `image` published per image (2025 data); v1 events may hold a per-token value here.',
  },
  {
    name: 'web_search',
    basis: 'per_unit',
    unit: 'web_search',
    direction: 'call',
    modality: 'any',
    openrouterKeys: ['web_search'],
    since: 1,
    usage:
      'web searches (Anthropic server_tool_use.web_search_requests; OpenRouter server_tool_use_details.web_search_requests)',
    doc: 'USD per web search.',
  },
  {
    name: 'input_cache_write_1h',
    basis: 'per_1m_tokens',
    unit: 'token',
    direction: 'input',
    modality: 'text',
    openrouterKeys: ['input_cache_write_1h'],
    since: 2,
    usage: 'input tokens written to a 1-hour cache (Anthropic cache_creation.ephemeral_1h_input_tokens)',
    doc: 'USD per 1M input tokens written to the 1-hour cache.',
  },
  {
    name: 'input_audio',
    basis: 'per_1m_tokens',
    unit: 'token',
    direction: 'input',
    modality: 'audio',
    openrouterKeys: ['audio'],
    since: 2,
    usage:
      'audio input tokens (OpenAI prompt_tokens_details.audio_tokens; Gemini promptTokensDetails modality AUDIO)',
    doc: 'USD per 1M audio input tokens.',
  },
  {
    name: 'input_audio_cache',
    basis: 'per_1m_tokens',
    unit: 'token',
    direction: 'input',
    modality: 'audio',
    openrouterKeys: ['input_audio_cache'],
    since: 2,
    usage: 'cached audio input tokens read (Gemini cacheTokensDetails modality AUDIO)',
    doc: 'USD per 1M cached audio input tokens.',
  },
  {
    name: 'audio_output',
    basis: 'per_1m_tokens',
    unit: 'token',
    direction: 'output',
    modality: 'audio',
    openrouterKeys: ['audio_output'],
    since: 2,
    usage:
      'audio output tokens (OpenAI completion_tokens_details.audio_tokens; Gemini candidatesTokensDetails modality AUDIO)',
    doc: 'USD per 1M audio output tokens.',
  },
  {
    name: 'image_token',
    basis: 'per_1m_tokens',
    unit: 'token',
    direction: 'input',
    modality: 'image',
    openrouterKeys: ['image_token', 'image'],
    since: 2,
    usage:
      'image input tokens (OpenAI prompt_tokens_details.image_tokens; Gemini promptTokensDetails modality IMAGE)',
    doc: 'USD per 1M image input tokens (OpenRouter `image_token`, and `image` published per token since 2026-02).',
  },
  {
    name: 'image_output',
    basis: 'per_1m_tokens',
    unit: 'token',
    direction: 'output',
    modality: 'image',
    openrouterKeys: ['image_output'],
    since: 2,
    usage:
      'image output tokens (OpenAI completion_tokens_details.image_tokens; Gemini candidatesTokensDetails modality IMAGE)',
    doc: 'USD per 1M image output tokens.',
  },
  {
    name: 'discount',
    basis: 'ratio',
    unit: 'ratio',
    direction: 'call',
    modality: 'any',
    openrouterKeys: ['discount'],
    since: 2,
    usage: 'not a charge: the fraction off the listed prices that the source says it applies',
    doc: 'Discount as a fraction (0.25 = 25 % off), as OpenRouter publishes it on endpoints.',
  },
] as const satisfies readonly DimensionSpec[];

export type Dimension = (typeof DIMENSIONS)[number]['name'];

/** Every dimension name, in registry (column) order. */
export const DIMENSION_NAMES: readonly Dimension[] = DIMENSIONS.map((d) => d.name);

const BY_NAME: ReadonlyMap<string, DimensionSpec> = new Map(DIMENSIONS.map((d) => [d.name, d]));

export function isDimension(name: string): name is Dimension {
  return BY_NAME.has(name);
}

export function dimensionSpec(name: Dimension): DimensionSpec {
  return BY_NAME.get(name)!;
}

/** Dimensions priced per 1M tokens (the rest are per unit or a ratio). */
export const TOKEN_DIMENSION_NAMES: readonly Dimension[] = DIMENSIONS.filter(
  (d) => d.basis === 'per_1m_tokens',
).map((d) => d.name);

/**
 * The dimension a published component feeds: its key (an OpenRouter pricing key, or a dimension's own
 * name as the page parsers write it) and the basis of the unit it was published in. `image` published
 * per token is `image_token`, per image `image`. null: not registered (kept raw, never guessed).
 */
export function dimensionOfKey(key: string, basis: DimensionBasis): Dimension | null {
  const candidates = DIMENSIONS.filter(
    (d) => d.name === key || (d.openrouterKeys as readonly string[]).includes(key),
  );
  if (candidates.length === 0) return null;
  const exact = candidates.find((d) => d.basis === basis);
  if (exact) return exact.name;
  // A key published in another basis than its dimension's (a per-unit `prompt` on a page) keeps its
  // own dimension when it names one; the normalizer notes the unit.
  const own = candidates.find((d) => d.name === key);
  return own ? own.name : null;
}

/** Dimension name → value (decimal string at scale 8, or null), as events and rows carry them. */
export type DimensionValues = { readonly [K in Dimension]: string | null };

/** Every dimension null. */
export function emptyDimensionValues(): Record<Dimension, string | null> {
  return Object.fromEntries(DIMENSION_NAMES.map((d) => [d, null])) as Record<Dimension, string | null>;
}
