// GET /v1/catalog (services/api/README.md "The catalog in one answer"): the rows the reader fetched
// (the prices in force, the catalog entries in force, each model's newest change) → one entry per
// listed model. Pure: no I/O, no clock; the unit tests are written from the README, not from this code.
import { Decimal } from 'decimal.js';
import type { StoredAmount } from './openrouter.ts';

/** The four amounts the listing shows, in this order; the stored columns of the same names. */
export const LISTED_DIMENSIONS = ['prompt', 'completion', 'input_cache_read', 'input_cache_write'] as const;
export type ListedDimension = (typeof LISTED_DIMENSIONS)[number];
export type Amounts = Record<ListedDimension, string | null>;

/** A price in force at the instant asked and not removed (any key: routed, endpoints, pages). */
export interface ListingPriceRow {
  readonly model_id: string;
  /** null: the routed price (with source openrouter_api). */
  readonly provider: string | null;
  readonly source: string;
  readonly status: string;
  readonly observed_at: Date;
  readonly base: readonly StoredAmount[];
  readonly tier_count: number;
  /** The stored columns (the highest amount per dimension over the base and every tier), scale 8. */
  readonly columns: Amounts;
}

/** A model's catalog entry in force at the instant asked. */
export interface ListingModelRow {
  readonly model_id: string;
  readonly name: string;
  readonly created: number | null;
  readonly context_length: number | null;
  readonly input_modalities: readonly string[] | null;
  readonly output_modalities: readonly string[] | null;
  readonly expiration_date: string | null;
}

/** A model's newest change in force at or before the instant asked. */
export interface ListingChangeRow {
  readonly model_id: string;
  /** ISO instant, as /v1/changes writes `at`. */
  readonly at: string;
  readonly kind: string;
  readonly alert: boolean;
  readonly provider: string | null;
}

export interface ListingInput {
  readonly prices: readonly ListingPriceRow[];
  readonly models: readonly ListingModelRow[];
  /** One per model at most (models not listed may be among them: a removed model's last change). */
  readonly lastChanges: readonly ListingChangeRow[];
}

export interface ListedProvider extends Amounts {
  readonly provider: string;
  readonly source: string;
  readonly status: string;
  readonly has_tiers: boolean;
  readonly observed_at: string;
}

export interface ListingEntry {
  readonly id: string;
  readonly name: string;
  readonly created: number | null;
  readonly context_length: number | null;
  readonly input_modalities: string[];
  readonly output_modalities: string[];
  readonly expiration_date: string | null;
  readonly routed: Amounts | null;
  readonly free: boolean;
  readonly providers: ListedProvider[];
  readonly has_tiers: boolean;
  readonly last_change: { at: string; kind: string; alert: boolean; provider: string | null } | null;
}

export interface Listing {
  readonly data: ListingEntry[];
  readonly providers: string[];
}

const ROUTED_SOURCE = 'openrouter_api';

/** Code-unit order, whatever the database's collation. */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const isRouted = (p: ListingPriceRow): boolean => p.provider === null && p.source === ROUTED_SOURCE;

/**
 * The amounts a price shows (README): none when unavailable; the base's when it has a base; the stored
 * columns (highest over the tiers) when the base is empty.
 */
export function amountsOf(p: ListingPriceRow): Amounts {
  const none: Amounts = { prompt: null, completion: null, input_cache_read: null, input_cache_write: null };
  if (p.status !== 'ok') return none;
  if (p.base.length === 0) return { ...p.columns };
  const out = { ...none };
  for (const d of LISTED_DIMENSIONS) out[d] = p.base.find((a) => a.dimension === d)?.amount ?? null;
  return out;
}

const isZero = (amount: string | null): boolean => amount !== null && new Decimal(amount).isZero();

/** The listing of the models whose routed price is in force, with their other prices and last change. */
export function catalogListing(input: ListingInput): Listing {
  const pricesOf = new Map<string, ListingPriceRow[]>();
  for (const p of input.prices) {
    const list = pricesOf.get(p.model_id) ?? [];
    list.push(p);
    pricesOf.set(p.model_id, list);
  }
  const changeOf = new Map(input.lastChanges.map((c) => [c.model_id, c]));
  const slugs = new Set<string>();
  const data: ListingEntry[] = [];
  for (const m of [...input.models].sort((a, b) => byText(a.model_id, b.model_id))) {
    const prices = pricesOf.get(m.model_id) ?? [];
    const routedPrice = prices.find(isRouted);
    if (routedPrice === undefined) continue;
    const routed = routedPrice.status === 'ok' ? amountsOf(routedPrice) : null;
    const providers = prices
      .filter((p): p is ListingPriceRow & { provider: string } => p.provider !== null)
      .sort((a, b) => byText(a.provider, b.provider) || byText(a.source, b.source))
      .map((p): ListedProvider => ({
        provider: p.provider,
        source: p.source,
        status: p.status,
        ...amountsOf(p),
        has_tiers: p.tier_count > 0,
        observed_at: p.observed_at.toISOString(),
      }));
    for (const p of providers) slugs.add(p.provider);
    const change = changeOf.get(m.model_id);
    data.push({
      id: m.model_id,
      name: m.name,
      created: m.created,
      context_length: m.context_length,
      input_modalities: [...(m.input_modalities ?? [])],
      output_modalities: [...(m.output_modalities ?? [])],
      expiration_date: m.expiration_date,
      routed,
      free: routed !== null && isZero(routed.prompt) && isZero(routed.completion),
      providers,
      has_tiers: prices.some((p) => (isRouted(p) || p.provider !== null) && p.tier_count > 0),
      last_change: change
        ? { at: change.at, kind: change.kind, alert: change.alert, provider: change.provider }
        : null,
    });
  }
  return { data, providers: [...slugs].sort(byText) };
}

/**
 * Last-Modified of a listing (README): the newest observation among the prices listed and the newest
 * change in force among `changes` (every model's, removed ones included), or null for none.
 */
export function listingLastModified(
  listing: Listing,
  prices: readonly ListingPriceRow[],
  changes: readonly ListingChangeRow[],
): Date | null {
  const listed = new Set(listing.data.map((e) => e.id));
  let newest: number | null = null;
  const see = (t: number) => {
    if (newest === null || t > newest) newest = t;
  };
  for (const p of prices) if (listed.has(p.model_id)) see(p.observed_at.getTime());
  for (const c of changes) see(Date.parse(c.at));
  return newest === null ? null : new Date(newest);
}
