// Usage objects as providers return them, reduced to one shape of token counts. Each provider counts
// differently, and that is where cost calculators go wrong:
// - OpenAI / OpenRouter: prompt_tokens INCLUDES cached_tokens, audio_tokens and image_tokens;
//   completion_tokens INCLUDES reasoning_tokens, audio_tokens and image_tokens.
// - Anthropic: input_tokens EXCLUDES cache reads and cache writes (three disjoint counts); the writes
//   split into 5-minute and 1-hour ones in cache_creation; output_tokens includes thinking.
// - Gemini: promptTokenCount INCLUDES cachedContentTokenCount; candidatesTokenCount EXCLUDES
//   thoughtsTokenCount (thoughts are billed as output on top); promptTokensDetails,
//   cacheTokensDetails and candidatesTokensDetails split those totals by modality.
// - Cohere: meta.billed_units are what is billed, nothing cached.
import { ConsumerError } from './errors.ts';

export type UsageFormat = 'openai' | 'anthropic' | 'gemini' | 'cohere' | 'openrouter';

/**
 * Disjoint counts: each token is in exactly one field, so cost = Σ count × its rate. Each field is the
 * usage meaning of one dimension (docs/price-model.md §1, DIMENSIONS[].usage).
 */
export interface TokenCounts {
  readonly format: UsageFormat;
  /** Every input token of the request (cached ones included): what prompt-token tiers compare. */
  readonly promptTotal: number;
  /** Text input tokens billed at the prompt rate (not cached, not audio, not image). */
  readonly prompt: number;
  readonly cacheRead: number;
  /** Written to the 5-minute cache (or to a cache of unstated duration). */
  readonly cacheWrite: number;
  readonly cacheWrite1h: number;
  /** Audio input tokens not read from a cache. */
  readonly audioInput: number;
  readonly audioCacheRead: number;
  /** Image input tokens not read from a cache. */
  readonly imageInput: number;
  /** Output tokens that are not reasoning, audio or image. */
  readonly completion: number;
  readonly reasoning: number;
  readonly audioOutput: number;
  readonly imageOutput: number;
  readonly requests: number;
  /** Input images billed per image: no usage format reports them, the caller counts them. */
  readonly images: number;
  readonly webSearches: number;
  /** OpenRouter's `usage.cost` (USD) as a decimal string, when present: the amount actually charged. */
  readonly reportedCost: string | null;
}

export interface OpenAIUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens?: number;
  readonly prompt_tokens_details?: {
    readonly cached_tokens?: number | null;
    readonly audio_tokens?: number | null;
    readonly image_tokens?: number | null;
  } | null;
  readonly completion_tokens_details?: {
    readonly reasoning_tokens?: number | null;
    readonly audio_tokens?: number | null;
    readonly image_tokens?: number | null;
  } | null;
}

export interface OpenRouterUsage extends OpenAIUsage {
  /** USD charged for the call (number in the JSON; a string is accepted too). */
  readonly cost?: number | string | null;
  readonly prompt_tokens_details?: {
    readonly cached_tokens?: number | null;
    readonly cache_write_tokens?: number | null;
    readonly audio_tokens?: number | null;
    readonly image_tokens?: number | null;
  } | null;
}

export interface AnthropicUsage {
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cache_creation_input_tokens?: number | null;
  readonly cache_read_input_tokens?: number | null;
  /** The split of cache_creation_input_tokens by cache duration. */
  readonly cache_creation?: {
    readonly ephemeral_5m_input_tokens?: number | null;
    readonly ephemeral_1h_input_tokens?: number | null;
  } | null;
  readonly server_tool_use?: { readonly web_search_requests?: number | null } | null;
}

export type GeminiModality = 'TEXT' | 'AUDIO' | 'IMAGE' | 'VIDEO' | 'DOCUMENT' | 'MODALITY_UNSPECIFIED';

export interface GeminiModalityCount {
  /** A GeminiModality; another value is a modality this reader does not price apart (billed as text). */
  readonly modality: string;
  readonly tokenCount?: number;
}

export interface GeminiUsageMetadata {
  readonly promptTokenCount: number;
  readonly candidatesTokenCount?: number;
  readonly cachedContentTokenCount?: number;
  readonly thoughtsTokenCount?: number;
  readonly totalTokenCount?: number;
  readonly promptTokensDetails?: readonly GeminiModalityCount[];
  readonly cacheTokensDetails?: readonly GeminiModalityCount[];
  readonly candidatesTokensDetails?: readonly GeminiModalityCount[];
}

export interface CohereBilledUnits {
  readonly input_tokens?: number;
  readonly output_tokens?: number;
}

/** What a caller holds: the provider's whole response body, or just its usage part, tagged by format. */
export type UsageInput =
  | { readonly format: 'openai'; readonly usage: OpenAIUsage }
  | { readonly format: 'openrouter'; readonly usage: OpenRouterUsage }
  | { readonly format: 'anthropic'; readonly usage: AnthropicUsage }
  | { readonly format: 'gemini'; readonly usageMetadata: GeminiUsageMetadata }
  | { readonly format: 'cohere'; readonly meta: { readonly billed_units: CohereBilledUnits } };

/** Counts the usage object cannot carry. */
export interface CallCounts {
  /** Overrides the web searches the usage reports (OpenRouter's web plugin counts per request). */
  readonly webSearches?: number;
  /** Input images priced per image (the `image` dimension). */
  readonly images?: number;
}

function count(value: unknown, field: string, format: UsageFormat): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new ConsumerError(
      'USAGE_INVALID',
      `${format} usage: ${field} must be a non-negative integer, got ${JSON.stringify(value)}`,
    );
  return value;
}

function split(
  total: number,
  part: number,
  totalName: string,
  partName: string,
  format: UsageFormat,
): number {
  if (part > total)
    throw new ConsumerError(
      'USAGE_INVALID',
      `${format} usage: ${partName} (${part}) exceeds ${totalName} (${total}), which includes it`,
    );
  return total - part;
}

function reportedCost(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value)) return value;
  throw new ConsumerError(
    'USAGE_INVALID',
    `openrouter usage: cost must be a non-negative number, got ${JSON.stringify(value)}`,
  );
}

const ZERO = {
  cacheRead: 0,
  cacheWrite: 0,
  cacheWrite1h: 0,
  audioInput: 0,
  audioCacheRead: 0,
  imageInput: 0,
  reasoning: 0,
  audioOutput: 0,
  imageOutput: 0,
};

/**
 * The cache-write tokens that are not also counted as cached. Anthropic through OpenRouter reports
 * disjoint reads and writes; Gemini's explicit cache through OpenRouter reports the same tokens as both
 * written and read (recorded 2026-03-08: prompt 2168, cached 2161, written 2161, and usage.cost bills
 * 7 at the prompt rate, 2161 at the read rate AND 2161 at the write rate). When reads and writes
 * cannot be disjoint, the writes are of tokens already counted as read.
 */
function uncachedWrites(promptTotal: number, cached: number, written: number): number {
  return cached + written > promptTotal && written <= cached ? 0 : written;
}

function openAiCounts(
  f: 'openai' | 'openrouter',
  u: OpenRouterUsage,
): Omit<TokenCounts, 'requests' | 'images' | 'webSearches'> {
  const pd = u.prompt_tokens_details;
  const cd = u.completion_tokens_details;
  const promptTotal = count(u.prompt_tokens, 'prompt_tokens', f);
  const cached = count(pd?.cached_tokens, 'prompt_tokens_details.cached_tokens', f);
  // OpenAI's own API has no cache-write count; OpenRouter reports the writes of providers that bill them.
  const written =
    f === 'openrouter' ? count(pd?.cache_write_tokens, 'prompt_tokens_details.cache_write_tokens', f) : 0;
  const audioIn = count(pd?.audio_tokens, 'prompt_tokens_details.audio_tokens', f);
  const imageIn = count(pd?.image_tokens, 'prompt_tokens_details.image_tokens', f);
  const out = count(u.completion_tokens, 'completion_tokens', f);
  const reasoning = count(cd?.reasoning_tokens, 'completion_tokens_details.reasoning_tokens', f);
  const audioOut = count(cd?.audio_tokens, 'completion_tokens_details.audio_tokens', f);
  const imageOut = count(cd?.image_tokens, 'completion_tokens_details.image_tokens', f);
  return {
    ...ZERO,
    format: f,
    promptTotal,
    // No format splits cached tokens by modality here: cached tokens are billed at the cache rate and
    // audio/image tokens count as uncached.
    prompt: split(
      promptTotal,
      cached + uncachedWrites(promptTotal, cached, written) + audioIn + imageIn,
      'prompt_tokens',
      'cached + cache-write + audio + image tokens',
      f,
    ),
    cacheRead: cached,
    cacheWrite: written,
    audioInput: audioIn,
    imageInput: imageIn,
    completion: split(
      out,
      reasoning + audioOut + imageOut,
      'completion_tokens',
      'reasoning + audio + image tokens',
      f,
    ),
    reasoning,
    audioOutput: audioOut,
    imageOutput: imageOut,
    reportedCost: f === 'openrouter' ? reportedCost(u.cost) : null,
  };
}

function anthropicCounts(u: AnthropicUsage): Omit<TokenCounts, 'requests' | 'images' | 'webSearches'> {
  const f = 'anthropic';
  const prompt = count(u.input_tokens, 'input_tokens', f);
  const created = count(u.cache_creation_input_tokens, 'cache_creation_input_tokens', f);
  const cacheRead = count(u.cache_read_input_tokens, 'cache_read_input_tokens', f);
  const byDuration = u.cache_creation;
  let cacheWrite = created;
  let cacheWrite1h = 0;
  if (byDuration) {
    const m5 = count(byDuration.ephemeral_5m_input_tokens, 'cache_creation.ephemeral_5m_input_tokens', f);
    const h1 = count(byDuration.ephemeral_1h_input_tokens, 'cache_creation.ephemeral_1h_input_tokens', f);
    // The split is of the same tokens: it must add up, or one of the counts is wrong.
    if (u.cache_creation_input_tokens != null && m5 + h1 !== created)
      throw new ConsumerError(
        'USAGE_INVALID',
        `anthropic usage: cache_creation splits into ${m5} + ${h1} tokens but cache_creation_input_tokens is ${created}`,
      );
    cacheWrite = m5;
    cacheWrite1h = h1;
  }
  return {
    ...ZERO,
    format: f,
    promptTotal: prompt + cacheWrite + cacheWrite1h + cacheRead,
    prompt,
    cacheRead,
    cacheWrite,
    cacheWrite1h,
    completion: count(u.output_tokens, 'output_tokens', f),
    reportedCost: null,
  };
}

/** Tokens of one modality in a Gemini details list (absent: 0). */
function modality(list: unknown, m: GeminiModality, field: string): number {
  if (list === undefined || list === null) return 0;
  if (!Array.isArray(list)) throw new ConsumerError('USAGE_INVALID', `gemini usage: ${field} must be a list`);
  let total = 0;
  for (const e of list as unknown[]) {
    if (e === null || typeof e !== 'object')
      throw new ConsumerError('USAGE_INVALID', `gemini usage: ${field} has ${JSON.stringify(e)}`);
    const entry = e as GeminiModalityCount;
    if (entry.modality === m) total += count(entry.tokenCount, `${field}[${m}].tokenCount`, 'gemini');
  }
  return total;
}

function geminiCounts(u: GeminiUsageMetadata): Omit<TokenCounts, 'requests' | 'images' | 'webSearches'> {
  const f = 'gemini';
  const promptTotal = count(u.promptTokenCount, 'promptTokenCount', f);
  const cached = count(u.cachedContentTokenCount, 'cachedContentTokenCount', f);
  const audioAll = modality(u.promptTokensDetails, 'AUDIO', 'promptTokensDetails');
  const imageAll = modality(u.promptTokensDetails, 'IMAGE', 'promptTokensDetails');
  const audioCached = modality(u.cacheTokensDetails, 'AUDIO', 'cacheTokensDetails');
  const imageCached = modality(u.cacheTokensDetails, 'IMAGE', 'cacheTokensDetails');
  const candidates = count(u.candidatesTokenCount, 'candidatesTokenCount', f);
  const audioOut = modality(u.candidatesTokensDetails, 'AUDIO', 'candidatesTokensDetails');
  const imageOut = modality(u.candidatesTokensDetails, 'IMAGE', 'candidatesTokensDetails');
  const audioInput = split(audioAll, audioCached, 'promptTokensDetails AUDIO', 'cacheTokensDetails AUDIO', f);
  const imageInput = split(imageAll, imageCached, 'promptTokensDetails IMAGE', 'cacheTokensDetails IMAGE', f);
  // Cached image tokens have no rate of their own: they are cache reads like cached text.
  const cacheRead = split(cached, audioCached, 'cachedContentTokenCount', 'cacheTokensDetails AUDIO', f);
  return {
    ...ZERO,
    format: f,
    promptTotal,
    prompt: split(
      promptTotal,
      cached + audioInput + imageInput,
      'promptTokenCount',
      'cached + uncached audio + uncached image tokens',
      f,
    ),
    cacheRead,
    audioInput,
    audioCacheRead: audioCached,
    imageInput,
    completion: split(candidates, audioOut + imageOut, 'candidatesTokenCount', 'audio + image candidates', f),
    reasoning: count(u.thoughtsTokenCount, 'thoughtsTokenCount', f),
    audioOutput: audioOut,
    imageOutput: imageOut,
    reportedCost: null,
  };
}

/** Reduces a provider usage object to disjoint token counts (pure). */
export function tokenCounts(input: UsageInput, extra: CallCounts = {}): TokenCounts {
  const images = count(extra.images, 'images (caller option)', input.format);
  const calls = { requests: 1, images };
  const searches = (reported: number) =>
    extra.webSearches === undefined
      ? reported
      : count(extra.webSearches, 'webSearches (caller option)', input.format);
  switch (input.format) {
    case 'openai':
    case 'openrouter':
      return { ...openAiCounts(input.format, input.usage), ...calls, webSearches: searches(0) };
    case 'anthropic': {
      const u = input.usage;
      const reported = count(
        u.server_tool_use?.web_search_requests,
        'server_tool_use.web_search_requests',
        'anthropic',
      );
      return { ...anthropicCounts(u), ...calls, webSearches: searches(reported) };
    }
    case 'gemini':
      return { ...geminiCounts(input.usageMetadata), ...calls, webSearches: searches(0) };
    case 'cohere': {
      const b = input.meta.billed_units;
      const prompt = count(b.input_tokens, 'meta.billed_units.input_tokens', 'cohere');
      return {
        ...ZERO,
        format: 'cohere',
        promptTotal: prompt,
        prompt,
        completion: count(b.output_tokens, 'meta.billed_units.output_tokens', 'cohere'),
        reportedCost: null,
        ...calls,
        webSearches: searches(0),
      };
    }
    default: {
      const never: never = input;
      throw new ConsumerError('USAGE_FORMAT_UNKNOWN', `unknown usage format ${JSON.stringify(never)}`);
    }
  }
}
