// Typed clients of the SQL function public.price_at (migrations 0008, 0010): the prices in force for a
// model at a moment of history, through PostgREST (supabase-js) or straight from Postgres, with every
// dimension, the base and the typed tiers (docs/price-model.md). No code here reads notes.
import type { SupabaseClient } from '@supabase/supabase-js';
import Decimal from 'decimal.js';
import {
  DIMENSION_NAMES,
  isDimension,
  type DimensionPrice,
  type DimensionValues,
  type SourceType,
  type TierConditions,
} from '@llmpt/schemas';
import {
  costOfCall,
  type CallCost,
  type CallPrice,
  type CallTier,
  type CostOptions,
  type DimensionPrices,
} from './cost/compute.ts';
import { ConsumerError } from './cost/errors.ts';
import type { UsageInput } from './cost/usage.ts';

/** A tier as price_at returns it: its conditions, label and the prices it sets. */
export interface PriceInForceTier extends TierConditions {
  readonly label: string;
  readonly prices: readonly DimensionPrice[];
}

/**
 * One row of price_at. Every dimension is a decimal string (scale 8) or null: USD per 1M tokens, per
 * unit for request/image/web_search, a ratio for discount. The columns hold the highest value over the
 * base and every tier; `base` and `tiers` hold the structure (empty in rows written before v2).
 */
export interface PriceInForce extends DimensionValues {
  readonly price_key: string;
  readonly model_id: string;
  readonly provider: string | null;
  readonly source_type: SourceType;
  /** ok, unavailable (published as unknown/variable), or removed (no longer listed). */
  readonly status: 'ok' | 'unavailable' | 'removed';
  readonly unavailable_reason: string | null;
  /** The first observation of these values (or the start of the removal day). */
  readonly effective_from: string;
  /** The latest observation at or before the asked time. */
  readonly observed_at: string;
  readonly event_id: string;
  readonly currency: string;
  readonly base: readonly DimensionPrice[];
  readonly tiers: readonly PriceInForceTier[];
}

export interface PriceAtQuery {
  readonly modelId: string;
  readonly at: Date | string | number;
  /** null or absent: every provider of the source (the routed openrouter_api price has none). */
  readonly provider?: string | null;
  /**
   * null: every source. Absent: openrouter_api (OpenRouter's routed price) when no provider is given,
   * and every source of the provider when one is (see SOURCE_PREFERENCE).
   */
  readonly source?: SourceType | null;
}

function isoOf(at: Date | string | number): string {
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) throw new ConsumerError('TIME_INVALID', `not a time: ${String(at)}`);
  return d.toISOString();
}

function params(q: PriceAtQuery) {
  const provider = q.provider ?? null;
  return {
    model_id: q.modelId,
    at: isoOf(q.at),
    provider,
    source: q.source !== undefined ? q.source : provider === null ? 'openrouter_api' : null,
  };
}

function invalid(r: Record<string, unknown>, what: string): never {
  throw new ConsumerError('PRICE_ROW_INVALID', `price_at row ${String(r.price_key)}: ${what}`);
}

function amountsOf(r: Record<string, unknown>, value: unknown, where: string): DimensionPrice[] {
  if (!Array.isArray(value)) invalid(r, `${where} is not a list`);
  return value.map((e: unknown) => {
    const { dimension, amount } = (e ?? {}) as Record<string, unknown>;
    // Amounts are text in the jsonb: a JSON number would already have passed through a float.
    if (typeof dimension !== 'string' || !isDimension(dimension) || typeof amount !== 'string')
      invalid(r, `${where} has ${JSON.stringify(e)}, not a registered dimension with a text amount`);
    return { dimension, amount };
  });
}

const intOrNull = (r: Record<string, unknown>, v: unknown, field: string): number | null => {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    invalid(r, `tier ${field} ${JSON.stringify(v)}`);
  return v;
};

function tiersOf(r: Record<string, unknown>, value: unknown): PriceInForceTier[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) invalid(r, 'tiers is not a list');
  return value.map((e: unknown, i) => {
    const t = (e ?? {}) as Record<string, unknown>;
    if (typeof t.label !== 'string') invalid(r, `tier ${i} has no label`);
    const other = t.other ?? [];
    if (!Array.isArray(other) || other.some((o) => typeof o !== 'string'))
      invalid(r, `tier ${t.label} other`);
    if (t.variant !== null && t.variant !== undefined && typeof t.variant !== 'string')
      invalid(r, `tier ${t.label} variant`);
    return {
      label: t.label,
      prompt_tokens_gte: intOrNull(r, t.prompt_tokens_gte, 'prompt_tokens_gte'),
      prompt_tokens_gt: intOrNull(r, t.prompt_tokens_gt, 'prompt_tokens_gt'),
      utc_start: intOrNull(r, t.utc_start, 'utc_start'),
      utc_end: intOrNull(r, t.utc_end, 'utc_end'),
      variant: t.variant ?? null,
      other: other.map(String),
      prices: amountsOf(r, t.prices ?? [], `tier ${t.label} prices`),
    };
  });
}

/** A price_at row, whichever path it took (pg gives Date and parsed jsonb, PostgREST text and JSON). */
export function normalizeRow(r: Record<string, unknown>): PriceInForce {
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
  const money = Object.fromEntries(
    DIMENSION_NAMES.map((d) => {
      const v = r[d];
      if (v !== null && v !== undefined && typeof v !== 'string') invalid(r, `${d} is not text`);
      return [d, v ?? null];
    }),
  ) as unknown as DimensionValues;
  return {
    price_key: String(r.price_key),
    model_id: String(r.model_id),
    provider: (r.provider as string | null | undefined) ?? null,
    source_type: r.source_type as SourceType,
    status: r.status as PriceInForce['status'],
    unavailable_reason: (r.unavailable_reason as string | null | undefined) ?? null,
    effective_from: iso(r.effective_from),
    observed_at: iso(r.observed_at),
    event_id: String(r.event_id),
    currency: String(r.currency),
    ...money,
    base: r.base === null || r.base === undefined ? [] : amountsOf(r, r.base, 'base'),
    tiers: tiersOf(r, r.tiers),
  };
}

/** Through PostgREST: POST /rest/v1/rpc/price_at. [] means unknown (nothing observed before `at`). */
export async function priceAtRest(client: SupabaseClient, q: PriceAtQuery): Promise<PriceInForce[]> {
  const res = await client.rpc('price_at', params(q));
  if (res.error)
    throw new ConsumerError('PRICE_AT_FAILED', `price_at via PostgREST: ${res.error.message}`, {
      cause: res.error,
    });
  const rows = (res.data ?? []) as Record<string, unknown>[];
  return rows.map(normalizeRow).sort(byKey);
}

/** Anything with pg's query(): a Client, a Pool or a PoolClient. */
export interface Queryable {
  query(
    text: string,
    values: unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount?: number | null }>;
}

const byKey = (a: PriceInForce, b: PriceInForce) =>
  a.price_key < b.price_key ? -1 : a.price_key > b.price_key ? 1 : 0;

/** Straight from Postgres. [] means unknown (nothing observed before `at`). */
export async function priceAtPg(db: Queryable, q: PriceAtQuery): Promise<PriceInForce[]> {
  const p = params(q);
  const { rows } = await db.query(`select * from public.price_at($1, $2, $3, $4) order by price_key`, [
    p.model_id,
    p.at,
    p.provider,
    p.source,
  ]);
  return rows.map(normalizeRow);
}

function pricesOf(amounts: readonly DimensionPrice[]): DimensionPrices {
  return Object.fromEntries(amounts.map((a) => [a.dimension, a.amount]));
}

/**
 * The cost calculator's price from a price_at row: its base and its tiers. A row written before v2
 * has an empty base and no tiers: its columns are the price.
 */
export function callPriceOf(row: PriceInForce, tiersOf: readonly PriceInForceTier[] = row.tiers): CallPrice {
  if (row.status !== 'ok')
    throw new ConsumerError(
      'PRICE_NOT_IN_FORCE',
      `${row.price_key} is ${row.status} since ${row.effective_from}`,
    );
  const base: DimensionPrices =
    row.base.length === 0 && row.tiers.length === 0
      ? Object.fromEntries(DIMENSION_NAMES.map((d) => [d, row[d]]))
      : pricesOf(row.base);
  const tiers: CallTier[] = tiersOf.map(({ prices, ...conditions }) => ({
    ...conditions,
    prices: pricesOf(prices),
  }));
  return { ...base, tiers };
}

/**
 * Which source answers when the caller names a provider but no source: OpenRouter's endpoint price for
 * that provider (what a call routed there is billed), then the provider's own page, then the fallback
 * scrape. A price in force (status ok) is preferred over one that is not.
 */
export const SOURCE_PREFERENCE: readonly SourceType[] = [
  'openrouter_endpoints',
  'provider_site',
  'web_fallback',
  'openrouter_api',
];

const rank = (r: PriceInForce) => (r.status === 'ok' ? 0 : 10) + SOURCE_PREFERENCE.indexOf(r.source_type);

/**
 * The one price of a query's rows. Several rows of one provider (one per source) are chosen from by
 * SOURCE_PREFERENCE unless `strict`; several providers, or strict with several sources, is
 * PRICE_AMBIGUOUS listing them.
 */
export function choosePrice(rows: readonly PriceInForce[], q: PriceAtQuery, strict = false): PriceInForce {
  if (rows.length === 0)
    throw new ConsumerError('PRICE_UNKNOWN', `no price of ${q.modelId} observed at or before ${isoOf(q.at)}`);
  if (rows.length === 1) return rows[0]!;
  const providers = new Set(rows.map((r) => r.provider));
  if (strict || providers.size > 1)
    throw new ConsumerError(
      'PRICE_AMBIGUOUS',
      `${rows.length} prices of ${q.modelId} at ${isoOf(q.at)} (${rows.map((r) => r.price_key).join(', ')}): ` +
        (providers.size > 1 ? 'name the provider' : 'name the source'),
    );
  return [...rows].sort((a, b) => rank(a) - rank(b))[0]!;
}

/** Where the tiers applied to a call came from, when not from the price that priced it. */
export interface TiersFrom {
  readonly source: SourceType;
  readonly price_key: string;
}

export interface CostAtOptions extends CostOptions {
  /** Fail with PRICE_AMBIGUOUS instead of choosing among a provider's sources by SOURCE_PREFERENCE. */
  readonly strictSource?: boolean;
}

export type CallCostAt = CallCost & {
  readonly price: PriceInForce;
  /** Set when the chosen price publishes no tiers and another source's tiers were applied. */
  readonly tiersFrom: TiersFrom | null;
};

/** The same base values for every dimension the tiers name: the other source's tiers fit this price. */
function sameBase(a: CallPrice, b: CallPrice, tiers: readonly CallTier[]): boolean {
  const dims = new Set(tiers.flatMap((t) => DIMENSION_NAMES.filter((d) => t.prices[d] != null)));
  return [...dims].every((d) => {
    const x = a[d];
    const y = b[d];
    return x != null && y != null && new Decimal(x).equals(y);
  });
}

/**
 * Tiers for a price that publishes none (OpenRouter's /endpoints never does): another source of the same
 * model and provider, else the routed openrouter_api price. They are applied only when that source's
 * base equals this one for every dimension they set; otherwise the caller is warned.
 */
async function borrowTiers(
  lookup: (q: PriceAtQuery) => Promise<PriceInForce[]>,
  q: PriceAtQuery,
  chosen: PriceInForce,
  siblings: readonly PriceInForce[],
): Promise<{ donor: PriceInForce; applies: boolean } | null> {
  const routed =
    chosen.source_type === 'openrouter_api'
      ? []
      : await lookup({ modelId: q.modelId, at: q.at, provider: null, source: 'openrouter_api' });
  const donors = [...siblings, ...routed].filter(
    (r) => r.price_key !== chosen.price_key && r.status === 'ok' && r.tiers.length > 0,
  );
  const donor = donors.sort((a, b) => rank(a) - rank(b))[0];
  if (!donor) return null;
  const mine = callPriceOf(chosen, []);
  const theirs = callPriceOf(donor);
  return { donor, applies: sameBase(mine, theirs, theirs.tiers ?? []) };
}

/**
 * The cost of a call at the price in force when it was made (the call's time is `q.at`, which also
 * selects time-of-day tiers). `lookup` is priceAtRest or priceAtPg bound to a client. The breakdown
 * says which source's tiers it applied (`tiersFrom`), or warns that the chosen source publishes none.
 */
export async function costOfCallAt(
  lookup: (q: PriceAtQuery) => Promise<PriceInForce[]>,
  q: PriceAtQuery,
  usage: UsageInput,
  opts: CostAtOptions = {},
): Promise<CallCostAt> {
  const rows = await lookup(q);
  const row = choosePrice(rows, q, opts.strictSource ?? false);
  const { strictSource: _strict, ...costOpts } = opts;
  const at = costOpts.at ?? q.at;
  const notes: string[] = [];
  if (rows.length > 1)
    notes.push(
      `${row.source_type} chosen among ${rows.map((r) => r.source_type).join(', ')} (SOURCE_PREFERENCE)`,
    );
  if (row.tiers.length > 0 || opts.tier === null) {
    const cost = costOfCall(usage, callPriceOf(row), { ...costOpts, at });
    return { ...cost, notes: [...notes, ...cost.notes], price: row, tiersFrom: null };
  }
  const borrowed = await borrowTiers(lookup, q, row, rows);
  if (borrowed?.applies) {
    const cost = costOfCall(usage, callPriceOf(row, borrowed.donor.tiers), { ...costOpts, at });
    notes.push(
      `${row.source_type} publishes no tiers; the tiers of ${borrowed.donor.price_key} (same base prices) were applied`,
    );
    return {
      ...cost,
      notes: [...notes, ...cost.notes],
      price: row,
      tiersFrom: { source: borrowed.donor.source_type, price_key: borrowed.donor.price_key },
    };
  }
  const cost = costOfCall(usage, callPriceOf(row), { ...costOpts, at });
  const warnings = borrowed
    ? [
        `${row.source_type} publishes no tiers; ${borrowed.donor.price_key} has ${borrowed.donor.tiers.map((t) => `"${t.label}"`).join(', ')} ` +
          'over other base prices, not applied: this call may be billed at a tier this total does not include',
      ]
    : [];
  return { ...cost, notes: [...notes, ...cost.notes], warnings, price: row, tiersFrom: null };
}
