// Typed clients of the SQL function public.price_at (migrations/0008-price-at.sql): the prices in force
// for a model at a moment of history, through PostgREST (supabase-js) or straight from Postgres.
import type { SupabaseClient } from '@supabase/supabase-js';
import type { MoneyValues, SourceType } from '@llmpt/schemas';
import {
  costOfCall,
  priceDimensions,
  type CallCost,
  type CallPrice,
  type CostOptions,
  type PriceDimension,
} from './cost/compute.ts';
import { ConsumerError } from './cost/errors.ts';
import type { UsageInput } from './cost/usage.ts';

/** One row of price_at: money as decimal strings (USD per 1M tokens, per unit for request/image/web_search). */
export interface PriceInForce extends MoneyValues {
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
  /** The observation's notes: how the normalizer resolved tiers (read by callPriceOf). */
  readonly notes: readonly string[];
}

export interface PriceAtQuery {
  readonly modelId: string;
  readonly at: Date | string | number;
  /** null or absent: every provider of the source (the routed openrouter_api price has none). */
  readonly provider?: string | null;
  /** Default openrouter_api (OpenRouter's routed price); null: every source. */
  readonly source?: SourceType | null;
}

function isoOf(at: Date | string | number): string {
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) throw new ConsumerError('TIME_INVALID', `not a time: ${String(at)}`);
  return d.toISOString();
}

function params(q: PriceAtQuery) {
  return {
    model_id: q.modelId,
    at: isoOf(q.at),
    provider: q.provider ?? null,
    source: q.source === undefined ? 'openrouter_api' : q.source,
  };
}

/** Timestamps as ISO strings whichever path the row took (pg gives Date, PostgREST gives text). */
function normalizeRow(r: Record<string, unknown>): PriceInForce {
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
  return {
    ...(r as unknown as PriceInForce),
    effective_from: iso(r.effective_from),
    observed_at: iso(r.observed_at),
  };
}

/** Through PostgREST: POST /rest/v1/rpc/price_at. [] means unknown (nothing observed before `at`). */
export async function priceAtRest(client: SupabaseClient, q: PriceAtQuery): Promise<PriceInForce[]> {
  const res = await client.rpc('price_at', params(q));
  const data = res.data as unknown;
  const error = res.error;
  if (error)
    throw new ConsumerError('PRICE_AT_FAILED', `price_at via PostgREST: ${error.message}`, { cause: error });
  const rows = (data ?? []) as Record<string, unknown>[];
  if (rows.length === 0) return [];
  // The tier notes live on the observation (anon may read price_observations).
  const notes = await client
    .from('price_observations')
    .select('event_id, notes')
    .in(
      'event_id',
      rows.map((r) => String(r.event_id)),
    );
  if (notes.error)
    throw new ConsumerError('PRICE_AT_FAILED', `notes via PostgREST: ${notes.error.message}`, {
      cause: notes.error,
    });
  const byId = new Map(
    (notes.data as { event_id: string; notes: string[] }[]).map((n) => [n.event_id, n.notes]),
  );
  return rows.map((r) => normalizeRow({ ...r, notes: byId.get(String(r.event_id)) ?? [] }));
}

/** Anything with pg's query(): a Client, a Pool or a PoolClient. */
export interface Queryable {
  query(
    text: string,
    values: unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount?: number | null }>;
}

/** Straight from Postgres. [] means unknown (nothing observed before `at`). */
export async function priceAtPg(db: Queryable, q: PriceAtQuery): Promise<PriceInForce[]> {
  const p = params(q);
  const { rows } = await db.query(
    `select p.*, o.notes from public.price_at($1, $2, $3, $4) p
       join public.price_observations o on o.event_id = p.event_id
      order by p.price_key`,
    [p.model_id, p.at, p.provider, p.source],
  );
  return rows.map(normalizeRow);
}

const TIER_NOTE = /^(\w+): highest of \d+ tiers is "[^"]*" \((.*)\)$/;
const PROMPT_TIER = /^min_prompt_tokens>=(\d+)$/;

/**
 * The pipeline publishes the highest tier of a tiered price in the dimension's column and lists every
 * tier in a note, e.g. `prompt: highest of 2 tiers is "min_prompt_tokens>=200000" (base=1.25000000,
 * min_prompt_tokens>=200000=2.50000000)`. A base plus one prompt-length tier becomes the base price and
 * a long-context tier; other tiers (time windows...) keep the published, highest, value.
 */
export function pricesFromNotes(notes: readonly string[]): {
  base: Partial<Record<PriceDimension, string>>;
  longContext: CallPrice['long_context'];
} {
  const base: Partial<Record<PriceDimension, string>> = {};
  const tier: Partial<Record<PriceDimension, string>> = {};
  let threshold: number | null = null;
  for (const note of notes) {
    const m = TIER_NOTE.exec(note);
    if (!m || !(priceDimensions as readonly string[]).includes(m[1]!)) continue;
    const dim = m[1] as PriceDimension;
    const parts = m[2]!.split(', ').map((p) => {
      const i = p.lastIndexOf('=');
      return { label: p.slice(0, i), value: p.slice(i + 1) };
    });
    const b = parts.find((p) => p.label === 'base');
    const others = parts.filter((p) => p.label !== 'base');
    const t = others.length === 1 ? PROMPT_TIER.exec(others[0]!.label) : null;
    if (!b || !t || !/^\d+(\.\d+)?$/.test(b.value) || !/^\d+(\.\d+)?$/.test(others[0]!.value)) continue;
    const n = Number(t[1]);
    if (threshold !== null && threshold !== n) return { base: {}, longContext: null }; // mixed thresholds: keep as published
    threshold = n;
    base[dim] = b.value;
    tier[dim] = others[0]!.value;
  }
  return { base, longContext: threshold === null ? null : { min_prompt_tokens: threshold, prices: tier } };
}

/** The cost calculator's price from a price_at row, long-context tier included when its notes give one. */
export function callPriceOf(row: PriceInForce): CallPrice {
  if (row.status !== 'ok')
    throw new ConsumerError(
      'PRICE_NOT_IN_FORCE',
      `${row.price_key} is ${row.status} since ${row.effective_from}`,
    );
  const { base, longContext } = pricesFromNotes(row.notes);
  return {
    prompt: row.prompt,
    completion: row.completion,
    internal_reasoning: row.internal_reasoning,
    input_cache_read: row.input_cache_read,
    input_cache_write: row.input_cache_write,
    request: row.request,
    web_search: row.web_search,
    ...base,
    long_context: longContext,
  };
}

/**
 * The cost of a call at the price in force when it was made. `lookup` is priceAtRest or priceAtPg bound
 * to a client; the query must select one price (give the provider for per-provider sources).
 */
export async function costOfCallAt(
  lookup: (q: PriceAtQuery) => Promise<PriceInForce[]>,
  q: PriceAtQuery,
  usage: UsageInput,
  opts: CostOptions & { readonly longContext?: CallPrice['long_context'] } = {},
): Promise<CallCost & { readonly price: PriceInForce }> {
  const rows = await lookup(q);
  if (rows.length === 0)
    throw new ConsumerError('PRICE_UNKNOWN', `no price of ${q.modelId} observed at or before ${isoOf(q.at)}`);
  if (rows.length > 1)
    throw new ConsumerError(
      'PRICE_AMBIGUOUS',
      `${rows.length} prices of ${q.modelId} at ${isoOf(q.at)} (${rows.map((r) => r.price_key).join(', ')}): name the provider`,
    );
  const row = rows[0]!;
  const { longContext, ...costOpts } = opts;
  // An explicit tier (or null: none) overrides what the observation's notes say.
  const price = callPriceOf(row);
  return {
    ...costOfCall(
      usage,
      longContext === undefined ? price : { ...price, long_context: longContext },
      costOpts,
    ),
    price: row,
  };
}
