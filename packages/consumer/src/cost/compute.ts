// The cost of one call: disjoint token counts × the prices in force, each component kept, in exact
// decimals. Prices are the pipeline's: USD per 1M tokens for token dimensions, USD per unit for
// request, image and web_search (docs/price-model.md §1), decimal strings. A price is a base plus
// tiers (§2): the tiers that apply to the call (its prompt tokens, its UTC time of day) are chosen
// here. Nothing is rounded: amounts are exact products of the inputs.
import Decimal from 'decimal.js';
import {
  DIMENSION_NAMES,
  dimensionSpec,
  isSelectable,
  parseTierLabel,
  tierApplies,
  tierLabel,
  type Dimension,
  type TierConditions,
} from '@llmpt/schemas';
import { ConsumerError } from './errors.ts';
import { tokenCounts, type CallCounts, type TokenCounts, type UsageInput } from './usage.ts';

// Token counts × 8-decimal prices need ~30 significant digits; 40 leaves no room for rounding.
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });
const MILLION = new D(1_000_000);

/** Prices per dimension as decimal strings; null/absent = not priced (never 0). */
export type DimensionPrices = Partial<Record<Dimension, string | null>>;

/** A tier of a price: its conditions and the dimensions it sets (the others inherit the base). */
export interface CallTier extends TierConditions {
  /** The tier's canonical label (tierLabel of its conditions). */
  readonly label: string;
  readonly prices: DimensionPrices;
}

/** A price as the cost of a call reads it: the base prices per dimension, and its tiers in order. */
export interface CallPrice extends DimensionPrices {
  readonly tiers?: readonly CallTier[];
}

type CountField = {
  [K in keyof TokenCounts]: TokenCounts[K] extends number ? K : never;
}[keyof TokenCounts];

/**
 * What each dimension bills: the count of the usage it prices and, for token dimensions, the rate that
 * bills those tokens when the source publishes none (a provider bills cache, audio and image tokens
 * as ordinary input when it has no rate of its own; reasoning, audio and image output as output). A
 * fallback is always said in the notes. Keyed by every registered dimension, so a dimension added to
 * the registry does not compile until it is given a meaning here.
 */
const BILLING: { readonly [K in Dimension]: { count: CountField; fallback: Dimension | null } | null } = {
  prompt: { count: 'prompt', fallback: null },
  completion: { count: 'completion', fallback: null },
  internal_reasoning: { count: 'reasoning', fallback: 'completion' },
  input_cache_read: { count: 'cacheRead', fallback: 'prompt' },
  input_cache_write: { count: 'cacheWrite', fallback: 'prompt' },
  request: { count: 'requests', fallback: null },
  image: { count: 'images', fallback: null },
  web_search: { count: 'webSearches', fallback: null },
  // A 1-hour write costs more than a 5-minute one: billing it at either other rate would be a guess.
  input_cache_write_1h: { count: 'cacheWrite1h', fallback: null },
  input_audio: { count: 'audioInput', fallback: 'prompt' },
  input_audio_cache: { count: 'audioCacheRead', fallback: 'input_cache_read' },
  audio_output: { count: 'audioOutput', fallback: 'completion' },
  image_token: { count: 'imageInput', fallback: 'prompt' },
  image_output: { count: 'imageOutput', fallback: 'completion' },
  // Not a charge: the fraction off the listed prices (said in the notes, never applied silently).
  discount: null,
};

export type CostComponentName = Dimension | 'byok_fee';

export interface CostComponent {
  readonly component: CostComponentName;
  /** Tokens, requests, images or searches; for byok_fee the amount the rate applies to (USD). */
  readonly quantity: string;
  /** The rate applied: USD per 1M tokens, per unit, or the fee's fraction. */
  readonly rate: string;
  readonly unit: 'per_1m_tokens' | 'per_request' | 'per_image' | 'per_web_search' | 'fraction';
  /** The tier whose rate was applied (its label); null: the base price. */
  readonly tier: string | null;
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

export interface CostOptions extends CallCounts {
  /** When the call was made: time-of-day tiers compare its UTC time. Required when the price has one. */
  readonly at?: Date | string | number;
  /**
   * Choose the tier instead of the usage: a tier label (any grammar tiers.ts reads) applies that tier
   * over the base; null applies the base alone. Absent: the tiers that apply to the call.
   */
  readonly tier?: string | null;
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
  /** Labels of the tiers whose prices were applied, in the price's order; [] = the base alone. */
  readonly tiersApplied: readonly string[];
  /** Present when the provider reported a cost: reported − catalog, and whether it exceeds the tolerance. */
  readonly reported: {
    readonly cost: string;
    readonly difference: string;
    readonly disagrees: boolean;
  } | null;
  /** How rates were chosen: a rate from another dimension, a tier usage cannot select, a discount. */
  readonly notes: readonly string[];
  /** What may make the total wrong (e.g. the source publishes no tiers while another one does). */
  readonly warnings: readonly string[];
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
      { cause: err },
    );
  }
}

/** The rate in force for one dimension and where it came from. */
export interface SelectedRate {
  readonly rate: string | null;
  /** The tier's label; null: the base. */
  readonly tier: string | null;
}

export interface SelectedPrices {
  readonly rates: Readonly<Record<Dimension, SelectedRate>>;
  readonly tiersApplied: readonly string[];
  readonly notes: readonly string[];
}

function named(prices: DimensionPrices): [Dimension, string][] {
  return DIMENSION_NAMES.flatMap((d) => {
    const v = prices[d];
    return v === null || v === undefined ? [] : [[d, v] as [Dimension, string]];
  });
}

function tierByLabel(tiers: readonly CallTier[], label: string): CallTier {
  const wanted = tierLabel(parseTierLabel(label));
  const tier = tiers.find((t) => t.label === label || tierLabel(t) === wanted);
  if (!tier)
    throw new ConsumerError(
      'TIER_UNKNOWN',
      `no tier ${JSON.stringify(label)} in this price (tiers: ${tiers.map((t) => t.label).join(', ') || 'none'})`,
    );
  return tier;
}

function instant(at: Date | string | number): Date {
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) throw new ConsumerError('TIME_INVALID', `not a time: ${String(at)}`);
  return d;
}

/**
 * The rate of every dimension for a call (docs/price-model.md §2): the base; over it each tier that
 * applies to the call (prompt tokens incl. cached, the call's UTC time), a later one winning per
 * dimension. A tier usage cannot select (a variant, an unknown condition) is never applied silently:
 * each dimension it names is billed at the highest rate that may apply, and the notes say so.
 */
export function selectPrices(
  p: CallPrice,
  call: { readonly promptTokens: number; readonly at?: Date | string | number },
  explicitTier?: string | null,
): SelectedPrices {
  const tiers = p.tiers ?? [];
  const rates = Object.fromEntries(
    DIMENSION_NAMES.map((d) => [d, { rate: p[d] ?? null, tier: null }]),
  ) as Record<Dimension, SelectedRate>;
  const notes: string[] = [];
  const applied: string[] = [];
  const apply = (t: CallTier) => {
    for (const [d, v] of named(t.prices)) rates[d] = { rate: v, tier: t.label };
    applied.push(t.label);
  };
  if (explicitTier === null) {
    if (tiers.length > 0)
      notes.push(`tiers not applied (the caller chose the base): ${tiers.map((t) => t.label).join(', ')}`);
    return { rates, tiersApplied: applied, notes };
  }
  if (explicitTier !== undefined) {
    apply(tierByLabel(tiers, explicitTier));
    notes.push(`tier "${explicitTier}" applied as the caller chose, whatever the usage`);
    return { rates, tiersApplied: applied, notes };
  }
  const at = call.at === undefined ? undefined : instant(call.at);
  for (const t of tiers.filter(isSelectable)) {
    if (t.utc_start !== null && at === undefined)
      throw new ConsumerError(
        'CALL_TIME_REQUIRED',
        `tier "${t.label}" depends on the time of day: give the call's time (opts.at)`,
      );
    if (tierApplies(t, { promptTokens: call.promptTokens, at: at ?? 0 })) apply(t);
  }
  for (const t of tiers.filter((x) => !isSelectable(x))) {
    const raised = named(t.prices).filter(([d, v]) => {
      const current = price(rates[d].rate, d);
      return current === null || price(v, d)!.greaterThan(current);
    });
    for (const [d, v] of raised) rates[d] = { rate: v, tier: t.label };
    notes.push(
      `tier "${t.label}" cannot be selected from usage (${t.variant !== null ? `variant ${t.variant}` : t.other.join(', ')}): ` +
        (raised.length > 0
          ? `${raised.map(([d]) => d).join(', ')} billed at its higher rate, the highest that may apply`
          : 'its rates are not above the ones applied') +
        '; name the tier to bill it exactly',
    );
  }
  return { rates, tiersApplied: applied, notes };
}

const UNIT_OF = { request: 'per_request', image: 'per_image', web_search: 'per_web_search' } as const;

function unitOf(d: Dimension): CostComponent['unit'] {
  return dimensionSpec(d).basis === 'per_1m_tokens' ? 'per_1m_tokens' : UNIT_OF[d as keyof typeof UNIT_OF];
}

/** The components of a call at the selected rates, in registry order. */
function components(
  t: TokenCounts,
  rates: Record<Dimension, SelectedRate>,
  notes: string[],
): CostComponent[] {
  const out: CostComponent[] = [];
  const rateOf = (
    d: Dimension,
    quantity: number,
    asked: Dimension,
  ): { rate: Decimal; tier: string | null } => {
    const own = price(rates[d].rate, d);
    if (own !== null) return { rate: own, tier: rates[d].tier };
    const fallback = BILLING[d]?.fallback ?? null;
    if (fallback === null)
      throw new ConsumerError(
        'PRICE_MISSING',
        `the call used ${quantity} ${asked} unit(s) but there is no ${asked} price`,
      );
    return rateOf(fallback, quantity, asked);
  };
  for (const d of DIMENSION_NAMES) {
    const billing = BILLING[d];
    if (billing === null) continue;
    const quantity = t[billing.count];
    if (quantity === 0) continue;
    const perToken = dimensionSpec(d).basis === 'per_1m_tokens';
    // A per-request fee is optional (most prices have none); every other used unit must be priced.
    if (d === 'request' && price(rates[d].rate, d) === null) continue;
    const { rate, tier } = rateOf(d, quantity, d);
    if (rates[d].rate === null || rates[d].rate === undefined)
      notes.push(`${d}: no price, ${quantity} tokens billed at the ${fallbackName(d, rates)} rate`);
    if (!perToken && rate.isZero()) continue;
    out.push({
      component: d,
      quantity: String(quantity),
      rate: rate.toFixed(),
      unit: unitOf(d),
      tier,
      cost: (perToken ? rate.times(quantity).dividedBy(MILLION) : rate.times(quantity)).toFixed(),
    });
  }
  return out;
}

/** The dimension whose rate a fallback chain ends at. */
function fallbackName(d: Dimension, rates: Record<Dimension, SelectedRate>): Dimension {
  let at: Dimension = d;
  while (rates[at].rate == null && BILLING[at]?.fallback) at = BILLING[at]!.fallback!;
  return at;
}

function byokFee(catalog: Decimal, o: ByokOptions, notes: string[]): CostComponent | null {
  const free = o.freeRequestsPerMonth ?? 1_000_000;
  if (o.requestsThisMonth < free) {
    notes.push(`byok: request ${o.requestsThisMonth + 1} of the month is within the ${free} free`);
    return null;
  }
  const rate = price(o.feeRate ?? '0.05', 'byok.feeRate')!;
  return {
    component: 'byok_fee',
    quantity: catalog.toFixed(),
    rate: rate.toFixed(),
    unit: 'fraction',
    tier: null,
    cost: catalog.times(rate).toFixed(),
  };
}

/** Cost of a call from already-reduced token counts (pure). */
export function costOfTokens(t: TokenCounts, p: CallPrice, opts: CostOptions = {}): CallCost {
  const selected = selectPrices(
    p,
    { promptTokens: t.promptTotal, ...(opts.at === undefined ? {} : { at: opts.at }) },
    opts.tier,
  );
  const notes = [...selected.notes];
  const parts = components(t, selected.rates, notes);
  const discount = price(selected.rates.discount.rate, 'discount');
  if (discount !== null && !discount.isZero())
    notes.push(
      `discount: the source publishes ${discount.toFixed()} off; not applied, the rates are as listed`,
    );

  let catalog = parts.reduce((s, c) => s.plus(c.cost), new D(0));
  if (opts.byok) {
    const fee = byokFee(catalog, opts.byok, notes);
    if (fee) {
      parts.push(fee);
      catalog = catalog.plus(fee.cost);
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
    components: parts,
    tokens: t,
    tiersApplied: selected.tiersApplied,
    reported,
    notes,
    warnings: [],
  };
}

/** Cost of a call from a provider's usage object at the given prices (pure). */
export function costOfCall(usage: UsageInput, p: CallPrice, opts: CostOptions = {}): CallCost {
  const counts: CallCounts = {
    ...(opts.webSearches === undefined ? {} : { webSearches: opts.webSearches }),
    ...(opts.images === undefined ? {} : { images: opts.images }),
  };
  return costOfTokens(tokenCounts(usage, counts), p, opts);
}
