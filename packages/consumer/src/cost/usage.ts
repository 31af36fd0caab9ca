// Usage objects as providers return them, reduced to one shape of token counts. Each provider counts
// differently, and that is where cost calculators go wrong:
// - OpenAI / OpenRouter: prompt_tokens INCLUDES cached_tokens; completion_tokens INCLUDES reasoning_tokens.
// - Anthropic: input_tokens EXCLUDES cache reads and cache writes (three disjoint counts); output_tokens
//   includes thinking, with no separate count.
// - Gemini: promptTokenCount INCLUDES cachedContentTokenCount; candidatesTokenCount EXCLUDES
//   thoughtsTokenCount (thoughts are billed as output on top).
// - Cohere: meta.billed_units are what is billed, nothing cached.
import { ConsumerError } from './errors.ts';

export type UsageFormat = 'openai' | 'anthropic' | 'gemini' | 'cohere' | 'openrouter';

/** Disjoint token counts: each token is in exactly one field, so cost = Σ count × its rate. */
export interface TokenCounts {
  readonly format: UsageFormat;
  /** Every input token of the request (cached ones included): what long-context thresholds compare. */
  readonly promptTotal: number;
  /** Input tokens billed at the prompt rate (not read from or written to a cache). */
  readonly prompt: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
  /** Output tokens that are not reasoning. */
  readonly completion: number;
  readonly reasoning: number;
  readonly requests: number;
  readonly webSearches: number;
  /** OpenRouter's `usage.cost` (USD) as a decimal string, when present: the amount actually charged. */
  readonly reportedCost: string | null;
}

export interface OpenAIUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens?: number;
  readonly prompt_tokens_details?: { readonly cached_tokens?: number | null } | null;
  readonly completion_tokens_details?: { readonly reasoning_tokens?: number | null } | null;
}

export interface OpenRouterUsage extends OpenAIUsage {
  /** USD charged for the call (number in the JSON; a string is accepted too). */
  readonly cost?: number | string | null;
  readonly prompt_tokens_details?: {
    readonly cached_tokens?: number | null;
    readonly cache_write_tokens?: number | null;
  } | null;
}

export interface AnthropicUsage {
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cache_creation_input_tokens?: number | null;
  readonly cache_read_input_tokens?: number | null;
  readonly server_tool_use?: { readonly web_search_requests?: number | null } | null;
}

export interface GeminiUsageMetadata {
  readonly promptTokenCount: number;
  readonly candidatesTokenCount?: number;
  readonly cachedContentTokenCount?: number;
  readonly thoughtsTokenCount?: number;
  readonly totalTokenCount?: number;
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

/** Reduces a provider usage object to disjoint token counts (pure). */
export function tokenCounts(input: UsageInput, opts: { webSearches?: number } = {}): TokenCounts {
  const base = { requests: 1, webSearches: opts.webSearches ?? 0, reportedCost: null, cacheWrite: 0 };
  switch (input.format) {
    case 'openai':
    case 'openrouter': {
      const f = input.format;
      const u = input.usage;
      const or = input.format === 'openrouter' ? input.usage : null;
      const promptTotal = count(u.prompt_tokens, 'prompt_tokens', f);
      const cached = count(u.prompt_tokens_details?.cached_tokens, 'prompt_tokens_details.cached_tokens', f);
      const written =
        f === 'openrouter'
          ? count(
              or?.prompt_tokens_details?.cache_write_tokens,
              'prompt_tokens_details.cache_write_tokens',
              f,
            )
          : 0;
      const out = count(u.completion_tokens, 'completion_tokens', f);
      const reasoning = count(
        u.completion_tokens_details?.reasoning_tokens,
        'completion_tokens_details.reasoning_tokens',
        f,
      );
      return {
        ...base,
        format: f,
        promptTotal,
        prompt: split(promptTotal, cached + written, 'prompt_tokens', 'cached + cache-write tokens', f),
        cacheRead: cached,
        cacheWrite: written,
        completion: split(out, reasoning, 'completion_tokens', 'reasoning_tokens', f),
        reasoning,
        reportedCost: reportedCost(or?.cost),
      };
    }
    case 'anthropic': {
      const u = input.usage;
      const prompt = count(u.input_tokens, 'input_tokens', 'anthropic');
      const cacheWrite = count(u.cache_creation_input_tokens, 'cache_creation_input_tokens', 'anthropic');
      const cacheRead = count(u.cache_read_input_tokens, 'cache_read_input_tokens', 'anthropic');
      return {
        ...base,
        format: 'anthropic',
        promptTotal: prompt + cacheWrite + cacheRead,
        prompt,
        cacheRead,
        cacheWrite,
        completion: count(u.output_tokens, 'output_tokens', 'anthropic'),
        reasoning: 0,
        webSearches:
          opts.webSearches ??
          count(u.server_tool_use?.web_search_requests, 'server_tool_use.web_search_requests', 'anthropic'),
      };
    }
    case 'gemini': {
      const u = input.usageMetadata;
      const promptTotal = count(u.promptTokenCount, 'promptTokenCount', 'gemini');
      const cached = count(u.cachedContentTokenCount, 'cachedContentTokenCount', 'gemini');
      return {
        ...base,
        format: 'gemini',
        promptTotal,
        prompt: split(promptTotal, cached, 'promptTokenCount', 'cachedContentTokenCount', 'gemini'),
        cacheRead: cached,
        completion: count(u.candidatesTokenCount, 'candidatesTokenCount', 'gemini'),
        reasoning: count(u.thoughtsTokenCount, 'thoughtsTokenCount', 'gemini'),
      };
    }
    case 'cohere': {
      const b = input.meta.billed_units;
      const prompt = count(b.input_tokens, 'meta.billed_units.input_tokens', 'cohere');
      return {
        ...base,
        format: 'cohere',
        promptTotal: prompt,
        prompt,
        cacheRead: 0,
        completion: count(b.output_tokens, 'meta.billed_units.output_tokens', 'cohere'),
        reasoning: 0,
      };
    }
    default: {
      const never: never = input;
      throw new ConsumerError('USAGE_FORMAT_UNKNOWN', `unknown usage format ${JSON.stringify(never)}`);
    }
  }
}
