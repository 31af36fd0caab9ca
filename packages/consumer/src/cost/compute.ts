// The cost of one call: disjoint token counts × the prices in force, each component kept, in exact
// decimals. Prices are the pipeline's: USD per 1M tokens (per unit for request and web_search),
// decimal strings. Nothing is rounded: amounts are exact products of the inputs.
import Decimal from 'decimal.js';
import { ConsumerError } from './errors.ts';
import { tokenCounts, type TokenCounts, type UsageInput } from './usage.ts';

// Token counts × 8-decimal prices need ~30 significant digits; 40 leaves no room for rounding.
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });
const MILLION = new D(1_000_000);

export const priceDimensions = [
  'prompt',
  'completion',
  'internal_reasoning',
  'input_cache_read',
  'input_cache_write',
  'request',
  'web_search',
] as const;
export type PriceDimension = (typeof priceDimensions)[number];

/** USD per 1M tokens (request, web_search: per unit) as decimal strings; null/absent = not priced. */
export type DimensionPrices = Partial<Record<PriceDimension, string | null>>;

export interface CallPrice extends DimensionPrices {
  /**
   * Long-context tier: a cliff, not a bracket. When the request's prompt tokens (cached ones included)
   * exceed min_prompt_tokens, EVERY token of the call is billed at the tier's prices; dimensions the
   * tier does not name keep the base price (OpenRouter's override semantics).
   */
  readonly long_context?: { readonly min_prompt_tokens: number; readonly prices: DimensionPrices } | null;
}

export type CostComponentName = PriceDimension | 'byok_fee';

export interface CostComponent {
  readonly component: CostComponentName;
  /** Tokens, requests or searches; for byok_fee the amount the rate applies to (USD). */
  readonly quantity: string;
  /** The rate applied: USD per 1M tokens, per unit, or the fee's fraction. */
  readonly rate: string;
  readonly unit: 'per_1m_tokens' | 'per_request' | 'per_web_search' | 'fraction';
  /** USD, exact. */
  readonly cost: string;
}

export interface ByokOptions {
  /** Requests already made this calendar month before this one (the allowance is counted per month). */
  readonly requestsThisMonth: number;
  /** Default 1,000,000 free BYOK requests a month. */
  readonly freeRequestsPerMonth?: number;
  /** Default "0.05": 5% of what the call would cost on the platform. */
  readonly feeRate?: string;
}

export interface CostOptions {
  /** Override the web searches the usage object reports (OpenRouter's web plugin counts per request). */
  readonly webSearches?: number;
  /** Compute the platform fee for a bring-your-own-key call. */
  readonly byok?: ByokOptions;
  /** |reported − computed| above this (USD) counts as a disagreement. Default "0": any difference. */
  readonly tolerance?: string;
}

export interface CallCost {
  /** USD the call costs: the reported cost when the provider gave one, else the catalog computation. */
  readonly total: string;
  readonly source: 'reported' | 'catalog';
  /** Σ components at catalog prices (the BYOK fee included when asked). */
  readonly catalogTotal: string;
  readonly components: readonly CostComponent[];
  readonly tokens: TokenCounts;
  /** True when the long-context tier's prices were applied. */
  readonly longContext: boolean;
  /** Present when the provider reported a cost: reported − catalog, and whether it exceeds the tolerance. */
  readonly reported: {
    readonly cost: string;
    readonly difference: string;
    readonly disagrees: boolean;
  } | null;
  /** Why a rate came from another dimension (e.g. reasoning billed at the completion rate). */
  readonly notes: readonly string[];
}

function price(value: string | null | undefined, dimension: string): Decimal | null {
  if (value === null || value === undefined) return null;
  try {
    const d = new D(value);
    if (!d.isFinite() || d.isNegative()) throw new Error('negative or not finite');
    return d;
  } catch (err) {
    throw new ConsumerError(
      'PRICE_INVALID',
      `price ${dimension}=${JSON.stringify(value)} is not a decimal >= 0`,
      {
        cause: err,
      },
    );
  }
}

/** Prices in force for this call: the base, or the long-context tier over it when the prompt exceeds it. */
export function effectivePrices(
  p: CallPrice,
  promptTotal: number,
): { prices: DimensionPrices; longContext: boolean } {
  const { long_context: tier, ...base } = p;
  if (tier && promptTotal > tier.min_prompt_tokens) {
    const merged: DimensionPrices = { ...base };
    for (const d of priceDimensions) if (tier.prices[d] != null) merged[d] = tier.prices[d];
    return { prices: merged, longContext: true };
  }
  return { prices: base, longContext: false };
}

/** Cost of a call from already-reduced token counts (pure). */
export function costOfTokens(t: TokenCounts, p: CallPrice, opts: CostOptions = {}): CallCost {
  const { prices, longContext } = effectivePrices(p, t.promptTotal);
  const notes: string[] = [];
  const components: CostComponent[] = [];

  const rateOf = (d: PriceDimension, fallback: PriceDimension | null, quantity: number): Decimal | null => {
    const own = price(prices[d], d);
    if (own !== null || quantity === 0) return own;
    if (fallback !== null) {
      const other = price(prices[fallback], fallback);
      if (other !== null) {
        notes.push(`${d}: no price, ${quantity} tokens billed at the ${fallback} rate`);
        return other;
      }
    }
    throw new ConsumerError(
      'PRICE_MISSING',
      `the call used ${quantity} ${d} unit(s) but there is no ${d} price`,
    );
  };

  const perToken = (d: PriceDimension, quantity: number, fallback: PriceDimension | null) => {
    const rate = rateOf(d, fallback, quantity);
    if (quantity === 0 || rate === null) return;
    components.push({
      component: d,
      quantity: String(quantity),
      rate: rate.toFixed(),
      unit: 'per_1m_tokens',
      cost: rate.times(quantity).dividedBy(MILLION).toFixed(),
    });
  };
  const perUnit = (d: 'request' | 'web_search', quantity: number) => {
    const rate = price(prices[d], d);
    if (quantity === 0 || rate === null || rate.isZero()) {
      if (quantity > 0 && rate === null && d === 'web_search')
        throw new ConsumerError(
          'PRICE_MISSING',
          `the call made ${quantity} web search(es) but there is no web_search price`,
        );
      return;
    }
    components.push({
      component: d,
      quantity: String(quantity),
      rate: rate.toFixed(),
      unit: d === 'request' ? 'per_request' : 'per_web_search',
      cost: rate.times(quantity).toFixed(),
    });
  };

  perToken('prompt', t.prompt, null);
  // Cache tokens are input tokens: without a cache price the provider bills them as ordinary input.
  perToken('input_cache_read', t.cacheRead, 'prompt');
  perToken('input_cache_write', t.cacheWrite, 'prompt');
  perToken('completion', t.completion, null);
  // Reasoning tokens are output tokens: billed at the completion rate unless priced on their own.
  perToken('internal_reasoning', t.reasoning, 'completion');
  perUnit('request', t.requests);
  perUnit('web_search', t.webSearches);

  let catalog = components.reduce((s, c) => s.plus(c.cost), new D(0));
  if (opts.byok) {
    const free = opts.byok.freeRequestsPerMonth ?? 1_000_000;
    if (opts.byok.requestsThisMonth >= free) {
      const rate = price(opts.byok.feeRate ?? '0.05', 'byok.feeRate')!;
      const fee = catalog.times(rate);
      components.push({
        component: 'byok_fee',
        quantity: catalog.toFixed(),
        rate: rate.toFixed(),
        unit: 'fraction',
        cost: fee.toFixed(),
      });
      catalog = catalog.plus(fee);
    } else {
      notes.push(`byok: request ${opts.byok.requestsThisMonth + 1} of the month is within the ${free} free`);
    }
  }

  let reported: CallCost['reported'] = null;
  if (t.reportedCost !== null) {
    const r = new D(t.reportedCost);
    const diff = r.minus(catalog);
    reported = {
      cost: r.toFixed(),
      difference: diff.toFixed(),
      disagrees: diff.abs().greaterThan(new D(opts.tolerance ?? '0')),
    };
  }
  return {
    total: reported ? reported.cost : catalog.toFixed(),
    source: reported ? 'reported' : 'catalog',
    catalogTotal: catalog.toFixed(),
    components,
    tokens: t,
    longContext,
    reported,
    notes,
  };
}

/** Cost of a call from a provider's usage object at the given prices (pure). */
export function costOfCall(usage: UsageInput, p: CallPrice, opts: CostOptions = {}): CallCost {
  return costOfTokens(
    tokenCounts(usage, opts.webSearches === undefined ? {} : { webSearches: opts.webSearches }),
    p,
    opts,
  );
}
