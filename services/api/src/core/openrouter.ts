// Our stored prices in OpenRouter's `pricing` shape. The rules are services/api/README.md
// "The OpenRouter mapping"; the unit tests are written from that table, not from this code.
import { Decimal } from 'decimal.js';

/** One `{dimension, amount}` of a stored price set (amount: USD per 1M tokens or per unit, scale 8). */
export interface StoredAmount {
  readonly dimension: string;
  readonly amount: string;
}

/** A stored tier (price_observations.tiers). */
export interface StoredTier {
  readonly label: string;
  readonly prompt_tokens_gte: number | null;
  readonly prompt_tokens_gt: number | null;
  readonly utc_start: number | null;
  readonly utc_end: number | null;
  readonly variant: string | null;
  readonly other: readonly string[];
  readonly prices: readonly StoredAmount[];
}

/** A published component the registry does not know, kept raw. */
export interface StoredUnregistered {
  readonly key: string;
  readonly raw_value: string;
  readonly tier: string | null;
}

/** A price in force, as price_at and price_observations hold it. */
export interface StoredPrice {
  readonly status: string;
  readonly base: readonly StoredAmount[];
  readonly tiers: readonly StoredTier[];
  readonly unregistered: readonly StoredUnregistered[];
}

export type OpenRouterOverride = Record<string, string | number>;
export type OpenRouterPricing = Record<string, string | number | OpenRouterOverride[]>;

type Rule = { readonly key: string; readonly scale: 'per_token' | 'as_is' | 'number' };

/** Our dimension → OpenRouter key and conversion, in the README table's order. */
const RULES: ReadonlyArray<readonly [string, Rule]> = [
  ['prompt', { key: 'prompt', scale: 'per_token' }],
  ['completion', { key: 'completion', scale: 'per_token' }],
  ['internal_reasoning', { key: 'internal_reasoning', scale: 'per_token' }],
  ['input_cache_read', { key: 'input_cache_read', scale: 'per_token' }],
  ['input_cache_write', { key: 'input_cache_write', scale: 'per_token' }],
  ['input_cache_write_1h', { key: 'input_cache_write_1h', scale: 'per_token' }],
  ['input_audio', { key: 'audio', scale: 'per_token' }],
  ['input_audio_cache', { key: 'input_audio_cache', scale: 'per_token' }],
  ['audio_output', { key: 'audio_output', scale: 'per_token' }],
  ['image_token', { key: 'image', scale: 'per_token' }],
  ['image', { key: 'image', scale: 'as_is' }],
  ['image_output', { key: 'image_output', scale: 'per_token' }],
  ['request', { key: 'request', scale: 'as_is' }],
  ['web_search', { key: 'web_search', scale: 'as_is' }],
  ['discount', { key: 'discount', scale: 'number' }],
];

const MILLION = new Decimal(1_000_000);

/** USD per 1M tokens (scale 8) → USD per token, exact, plain notation, no trailing zeros. */
export function perToken(perMillion: string): string {
  return plain(new Decimal(perMillion).div(MILLION));
}

function plain(d: Decimal): string {
  // toFixed() never uses exponent notation; decimal.js keeps no trailing zeros.
  return d.toFixed();
}

/** Minutes after midnight → OpenRouter's HHMM number (600 → 1000). */
export function hhmm(minutes: number): number {
  return Math.floor(minutes / 60) * 100 + (minutes % 60);
}

/** A price set in OpenRouter keys (the README table). */
export function pricesToOpenRouter(prices: readonly StoredAmount[]): Record<string, string | number> {
  const byDim = new Map(prices.map((p) => [p.dimension, p.amount]));
  const out: Record<string, string | number> = {};
  for (const [dimension, rule] of RULES) {
    const amount = byDim.get(dimension);
    if (amount === undefined) continue;
    if (rule.key in out) continue; // `image` per image only when image_token is absent
    if (rule.scale === 'per_token') out[rule.key] = perToken(amount);
    else if (rule.scale === 'as_is') out[rule.key] = plain(new Decimal(amount));
    else out[rule.key] = new Decimal(amount).toNumber();
  }
  return out;
}

/** A tier as an OpenRouter override, or null when its conditions cannot be expressed as one. */
export function tierToOverride(tier: StoredTier): OpenRouterOverride | null {
  if (tier.prompt_tokens_gt !== null || tier.variant !== null || tier.other.length > 0) return null;
  const conditions: OpenRouterOverride = {};
  if (tier.prompt_tokens_gte !== null) conditions.min_prompt_tokens = tier.prompt_tokens_gte;
  if (tier.utc_start !== null && tier.utc_end !== null) {
    conditions.utc_start = hhmm(tier.utc_start);
    conditions.utc_end = hhmm(tier.utc_end);
  }
  return { ...conditions, ...pricesToOpenRouter(tier.prices) };
}

/** A price in force → OpenRouter's `pricing` object (README "Price keys"). */
export function toOpenRouterPricing(price: StoredPrice): OpenRouterPricing {
  if (price.status !== 'ok') return {};
  const out: OpenRouterPricing = { ...pricesToOpenRouter(price.base) };
  for (const u of price.unregistered) if (u.tier === null && !(u.key in out)) out[u.key] = u.raw_value;
  const overrides = price.tiers.map(tierToOverride).filter((o): o is OpenRouterOverride => o !== null);
  if (overrides.length > 0) out.overrides = overrides;
  return out;
}
