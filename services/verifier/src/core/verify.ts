// One verification: the smallest chat completion pinned to one (model, provider), what OpenRouter
// answered, and what the same usage costs at the price in force (services/verifier/README.md, "What a
// verification checks"). Pure: the answer's bytes, its status, the latency and the price come in as
// arguments; nothing here reads a clock or the network.
import Decimal from 'decimal.js';
import { costOfCall, type CallPrice, type OpenRouterUsage } from '@llmpt/consumer';

// Sums and differences of exact decimals: 40 digits keeps every product of an 8-decimal price exact.
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });

/** The one message every verification sends: a few tokens in, at most one out. */
export const PROBE_MESSAGE = 'Reply with OK.';
/** max_tokens of the probe: one output token is the smallest completion a provider accepts. */
export const PROBE_MAX_TOKENS = 1;

/** A (model, provider) pair to verify: the provider as the catalog names it (an OpenRouter slug). */
export interface VerificationTarget {
  readonly model_id: string;
  /** OpenRouter's provider slug, e.g. `google-vertex` (provider.order takes slugs). */
  readonly provider: string;
  /** The display name OpenRouter puts in a response's `provider` ("Google"), when the catalog has it. */
  readonly provider_name: string | null;
}

/**
 * The request body: pinned to the provider with fallbacks off (so the charge is that provider's),
 * usage accounting on (so the answer carries `usage.cost`), one output token, no stream.
 */
export function probeRequest(t: VerificationTarget): Record<string, unknown> {
  return {
    model: t.model_id,
    messages: [{ role: 'user', content: PROBE_MESSAGE }],
    max_tokens: PROBE_MAX_TOKENS,
    stream: false,
    provider: { order: [t.provider], allow_fallbacks: false },
    usage: { include: true },
  };
}

/**
 * What became of a probe.
 * - charged: an answer with usage from the provider asked for;
 * - served_by_other_provider: an answer from another provider than the one pinned (the charge is not
 *   that provider's price: never compared, never a discrepancy);
 * - refused: the provider or OpenRouter's moderation declined (HTTP 403, or a content-filter finish);
 * - failed: any other error answer or an answer that cannot be read;
 * - timeout: no answer within the time limit (we may have been charged: counted at the estimate).
 */
export type Outcome = 'charged' | 'served_by_other_provider' | 'refused' | 'failed' | 'timeout';

/** How the HTTP exchange ended, as the adapter saw it. */
export type Exchange =
  | { readonly kind: 'answer'; readonly status: number; readonly body: string; readonly latencyMs: number }
  | { readonly kind: 'timeout'; readonly latencyMs: number }
  | { readonly kind: 'network_error'; readonly message: string; readonly latencyMs: number };

/** The usage an answer reported, money as exact decimal strings (never through a float sum). */
export interface ObservedUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly cached_tokens: number;
  readonly cache_write_tokens: number;
  readonly reasoning_tokens: number;
  readonly web_search_requests: number;
  /** usage.cost: what OpenRouter charged the account (for BYOK: its fee only). */
  readonly cost: string | null;
  /** usage.cost_details.upstream_inference_cost: what the provider billed (null when not reported). */
  readonly upstream_inference_cost: string | null;
  readonly is_byok: boolean | null;
  /** The usage object as the answer carried it (JSON text), for the record. */
  readonly raw: string;
}

export interface Observation {
  readonly outcome: Outcome;
  readonly http_status: number | null;
  readonly latency_ms: number;
  /** The display name in the answer's `provider`. */
  readonly served_provider: string | null;
  readonly served_model: string | null;
  readonly generation_id: string | null;
  readonly error_code: string | null;
  readonly error_message: string | null;
  readonly usage: ObservedUsage | null;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const int = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0);

/**
 * A number of the answer as the decimal text it was sent as: JSON.parse would pass it through a
 * float. The text is found by key in the raw body and must parse to the same number (a key of that
 * name elsewhere, e.g. inside a message, is skipped); exponent forms ("4.8e-05") become plain decimals.
 */
export function rawDecimal(body: string, key: string, parsed: unknown): string | null {
  if (parsed === null || parsed === undefined) return null;
  if (typeof parsed === 'string' && /^\d+(\.\d+)?$/.test(parsed)) return parsed;
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < 0) return null;
  const re = new RegExp(`"${key}"\\s*:\\s*(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)`, 'g');
  for (const m of body.matchAll(re)) {
    const text = m[1]!;
    if (Number(text) === parsed) return new D(text).toFixed();
  }
  return new D(String(parsed)).toFixed();
}

/** Does the answer's provider name the provider asked for? Slug of the name, or the catalog's name. */
export function sameProvider(t: VerificationTarget, served: string): boolean {
  if (t.provider_name !== null && t.provider_name.trim().toLowerCase() === served.trim().toLowerCase())
    return true;
  const slug = served
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === t.provider;
}

function errorOf(body: Json | null): { code: string | null; message: string | null } {
  const e = body && isObject(body.error) ? body.error : null;
  if (!e) return { code: null, message: null };
  const code = typeof e.code === 'number' || typeof e.code === 'string' ? String(e.code) : null;
  return { code, message: str(e.message) };
}

function usageOf(body: string, u: Json): ObservedUsage {
  const pd = isObject(u.prompt_tokens_details) ? u.prompt_tokens_details : {};
  const cd = isObject(u.completion_tokens_details) ? u.completion_tokens_details : {};
  const details = isObject(u.cost_details) ? u.cost_details : {};
  const tools = isObject(u.server_tool_use_details) ? u.server_tool_use_details : {};
  return {
    prompt_tokens: int(u.prompt_tokens),
    completion_tokens: int(u.completion_tokens),
    cached_tokens: int(pd.cached_tokens),
    cache_write_tokens: int(pd.cache_write_tokens),
    reasoning_tokens: int(cd.reasoning_tokens),
    web_search_requests: int(tools.web_search_requests),
    cost: rawDecimal(body, 'cost', u.cost),
    upstream_inference_cost: rawDecimal(body, 'upstream_inference_cost', details.upstream_inference_cost),
    is_byok: typeof u.is_byok === 'boolean' ? u.is_byok : null,
    raw: JSON.stringify(u),
  };
}

/** The answer as a JSON object, or null. OpenRouter pads a slow answer with whitespace lines
 * (keep-alive): JSON.parse skips them. */
function parseObject(text: string): Json | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/** Reads an exchange into an observation (the rules are the README's "Outcomes"). */
export function observe(t: VerificationTarget, x: Exchange): Observation {
  const none = {
    served_provider: null,
    served_model: null,
    generation_id: null,
    error_code: null,
    error_message: null,
    usage: null,
  };
  if (x.kind === 'timeout')
    return { ...none, outcome: 'timeout', http_status: null, latency_ms: x.latencyMs };
  if (x.kind === 'network_error')
    return {
      ...none,
      outcome: 'failed',
      http_status: null,
      latency_ms: x.latencyMs,
      error_code: 'network',
      error_message: x.message,
    };
  const body = parseObject(x.body);
  const base = {
    ...none,
    http_status: x.status,
    latency_ms: x.latencyMs,
    served_provider: body ? str(body.provider) : null,
    served_model: body ? str(body.model) : null,
    generation_id: body ? str(body.id) : null,
  };
  const err = errorOf(body);
  if (x.status === 408)
    return { ...base, outcome: 'timeout', error_code: err.code ?? '408', error_message: err.message };
  if (x.status === 403)
    return { ...base, outcome: 'refused', error_code: err.code ?? '403', error_message: err.message };
  if (x.status < 200 || x.status >= 300 || body === null || err.code !== null)
    return {
      ...base,
      outcome: 'failed',
      error_code: err.code ?? String(x.status),
      error_message: err.message ?? (body === null ? 'the answer is not a JSON object' : null),
    };
  const choice = Array.isArray(body.choices) && isObject(body.choices[0]) ? body.choices[0] : null;
  const usage = isObject(body.usage) ? usageOf(x.body, body.usage) : null;
  if (choice && (choice.finish_reason === 'content_filter' || choice.finish_reason === 'refusal'))
    return { ...base, outcome: 'refused', error_code: String(choice.finish_reason), usage };
  if (usage === null)
    return { ...base, outcome: 'failed', error_code: 'no_usage', error_message: 'the answer has no usage' };
  const served = base.served_provider;
  return {
    ...base,
    outcome: served !== null && !sameProvider(t, served) ? 'served_by_other_provider' : 'charged',
    usage,
  };
}

/** What the account was charged for the provider's work: upstream cost under BYOK, else `cost`. */
export function chargedAmount(u: ObservedUsage): string | null {
  return u.is_byok === true ? u.upstream_inference_cost : u.cost;
}

/** |charged − expected| beyond both bounds is a discrepancy (README, "Tolerance"). */
export interface Tolerance {
  /** USD. */
  readonly absolute: string;
  /** A fraction of the expected cost. */
  readonly relative: string;
}

export interface Comparison {
  /** Cost of the observed usage at the price in force (the consumer package's cost of a call). */
  readonly expected: string | null;
  readonly charged: string | null;
  /** charged − expected. */
  readonly difference: string | null;
  readonly discrepancy: boolean;
  /** Why no comparison was made (no usage, other provider, no price, no charge reported). */
  readonly not_compared: string | null;
  readonly components: readonly { component: string; quantity: string; rate: string; cost: string }[];
}

/** The usage in the consumer package's OpenRouter format, without `cost` (compared here, not there). */
function consumerUsage(u: ObservedUsage): OpenRouterUsage {
  return {
    prompt_tokens: u.prompt_tokens,
    completion_tokens: u.completion_tokens,
    prompt_tokens_details: { cached_tokens: u.cached_tokens, cache_write_tokens: u.cache_write_tokens },
    completion_tokens_details: { reasoning_tokens: u.reasoning_tokens },
  };
}

/**
 * Expected against charged for one observation. `price` is the price in force for the pair when the
 * call was made (null: none known); `at` the call's time (time-of-day tiers).
 */
export function compare(o: Observation, price: CallPrice | null, at: Date, tolerance: Tolerance): Comparison {
  const skip = (why: string): Comparison => ({
    expected: null,
    charged: o.usage ? chargedAmount(o.usage) : null,
    difference: null,
    discrepancy: false,
    not_compared: why,
    components: [],
  });
  if (o.usage === null) return skip(`no usage (${o.outcome})`);
  if (o.outcome === 'served_by_other_provider')
    return skip(`served by ${o.served_provider ?? 'another provider'}, not the provider asked for`);
  if (o.outcome !== 'charged') return skip(o.outcome);
  if (price === null) return skip('no price in force for this model and provider');
  const charged = chargedAmount(o.usage);
  let cost;
  try {
    cost = costOfCall({ format: 'openrouter', usage: consumerUsage(o.usage) }, price, {
      at,
      webSearches: o.usage.web_search_requests,
    });
  } catch (err) {
    return skip(`the price in force cannot bill this usage: ${(err as Error).message}`);
  }
  const components = cost.components.map((c) => ({
    component: c.component,
    quantity: c.quantity,
    rate: c.rate,
    cost: c.cost,
  }));
  const expected = new D(cost.catalogTotal);
  if (charged === null)
    return { ...skip('the answer reports no charge'), expected: expected.toFixed(), components };
  const difference = new D(charged).minus(expected);
  const bound = D.max(new D(tolerance.absolute), expected.times(tolerance.relative));
  return {
    expected: expected.toFixed(),
    charged,
    difference: difference.toFixed(),
    discrepancy: difference.abs().greaterThan(bound),
    not_compared: null,
    components,
  };
}
