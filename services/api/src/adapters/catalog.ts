// The API's reads, through a pg pool connected as (a login granted) api_reader. Every price comes from
// price_at (migrations/0010, 0016), the unregistered components from the observation it names. Changes
// and removals are read from price_changes_in_force (migrations/0016): the versions not retracted
// (docs/price-model.md §4.4), never the table itself.
import pg from 'pg';
import { ConfigError } from '@llmpt/core';
import { DIMENSION_NAMES } from '@llmpt/schemas';
import { ExportError, loadSnapshot, type PriceSnapshot } from '@llmpt/exports';
import type { CatalogModelRow, EndpointRow } from '../core/catalog.ts';
import {
  LISTED_DIMENSIONS,
  type ListingChangeRow,
  type ListingInput,
  type ListingModelRow,
  type ListingPriceRow,
} from '../core/catalog-listing.ts';
import type { HistoryObservation, HistoryRemoval } from '../core/history.ts';
import type { Position } from '../core/paging.ts';
import type { Change } from '../schemas.ts';
import { priceAtPg, type PriceAtQuery, type PriceInForce } from '@llmpt/consumer/pricing';

export interface CatalogReader {
  /** Whether the database answers (readiness). */
  ping(): Promise<void>;
  /** Every model with a routed price in force at `at` (not removed), by id. */
  models(at: Date): Promise<CatalogModelRow[]>;
  /** One model (null: unknown, or no routed price in force at `at`). */
  model(id: string, at: Date): Promise<CatalogModelRow | null>;
  /**
   * What GET /v1/catalog lists at `at` (README "The catalog in one answer"): every price in force and
   * not removed, the catalog entry in force of each model with a routed price among them, and each
   * model's newest change in force at or before `at`; read in one read-only snapshot.
   */
  listing(at: Date): Promise<ListingInput>;
  /** The model's endpoint prices in force at `at` (not removed), by provider. */
  endpoints(id: string, at: Date): Promise<EndpointRow[]>;
  /** Every observation of the model (optionally of one provider / source) and its keys' removals. */
  history(
    id: string,
    filter: { provider?: string | null; source?: string },
  ): Promise<{ observations: HistoryObservation[]; removals: HistoryRemoval[] }>;
  /**
   * Changes matching the filter, at most `limit`, after `after` (an exclusive position) in the order
   * asked: oldest first (after = later), or newest first (after = earlier).
   */
  changes(filter: ChangesFilter): Promise<Change[]>;
  /**
   * The prices in force at `at` with their history and the metadata in force then (packages/exports'
   * loadSnapshot); `fallbackToLatest`: models_catalog's newest values for a model with no sighting.
   */
  snapshot(at: Date, fallbackToLatest: boolean): Promise<PriceSnapshot>;
  /** price_at through the consumer's priceAtPg (the /v1/cost lookup). */
  priceAt(q: PriceAtQuery): Promise<PriceInForce[]>;
  /** The source URL of each observation (by event id) that is found. */
  sourceUrls(eventIds: readonly string[]): Promise<Map<string, string>>;
  /** Whether the model has any observation at all (unknown model vs no price at a time). */
  modelObserved(id: string): Promise<boolean>;
  close(): Promise<void>;
}

export interface ChangesFilter {
  readonly model?: string;
  /** undefined: any; null: the routed price. */
  readonly provider?: string | null;
  readonly alertsOnly: boolean;
  readonly since?: Date;
  readonly after?: Position;
  readonly limit: number;
  /** Newest first (the Atom feed, /v1/changes?order=newest); default oldest first. */
  readonly newestFirst?: boolean;
}

const changesSelect = (order: 'asc' | 'desc') => `
  with c as (
    select c.*, coalesce(c.current_observed_at, c.snapshot_date::timestamp at time zone 'UTC') as effective_at
      from public.price_changes_in_force c
  )
  select event_id, price_key, model_id, provider, source_type as source, kind,
         to_char(effective_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, changes,
         to_char(previous_observed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as previous_observed_at,
         to_char(current_observed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as current_observed_at,
         snapshot_date::text as snapshot_date, alert, expiration_date
    from c
   where ($1::text is null or model_id = $1)
     and ($2::boolean is false or provider is not distinct from $3)
     and ($4::boolean is false or alert)
     and ($5::timestamptz is null or effective_at >= $5)
     and ($6::timestamptz is null or (effective_at, event_id) ${order === 'asc' ? '>' : '<'} ($6::timestamptz, $7::text))
   order by effective_at ${order}, event_id ${order}
   limit $8`;
const CHANGES_OLDEST_FIRST = changesSelect('asc');
const CHANGES_NEWEST_FIRST = changesSelect('desc');

// provider: undefined = any, null = the routed price (no provider).
const HISTORY_SELECT = `
  select o.event_id, o.price_key, o.provider, o.source_type, o.source_url, o.snapshot_date::text as snapshot_date,
         o.observed_at, o.status, o.unavailable_reason, o.currency,
         jsonb_build_object(${DIMENSION_NAMES.map((d) => `'${d}', o.${d}::text`).join(', ')}) as dimensions,
         o.base, o.tiers, o.unregistered, o.content_hash
    from public.price_observations o
   where o.model_id = $1
     and ($2::boolean is false or o.provider is not distinct from $3)
     and ($4::text is null or o.source_type = $4)
   order by o.price_key, o.observed_at, o.event_id`;

const REMOVALS_SELECT = `
  select c.price_key, c.snapshot_date::text as snapshot_date
    from public.price_changes_in_force c
   where c.model_id = $1 and c.kind = 'removed'`;

// The model's metadata in force at $1 (docs/design.md §3, "Model metadata history"): the version of
// its latest sighting at or before $1, else of its earliest sighting, else (no sighting at all: a
// database filled before migration 0015) models_catalog's newest. Each branch is one index probe on
// model_sightings' primary key (model_id, fetched_at).
const METADATA_COLUMNS = [
  'canonical_slug',
  'name',
  'description',
  'created_at_source',
  'context_length',
  'modality',
  'input_modalities',
  'output_modalities',
  'tokenizer',
  'supported_parameters',
  'top_provider',
  'raw',
  'expiration_date',
] as const;
const versionColumns = METADATA_COLUMNS.map((c) => `v.${c}`).join(', ');
const METADATA_AT = `
  select * from (
    (select ${versionColumns}, 1 as pref
       from public.model_sightings s join public.model_versions v on v.event_id = s.event_id
      where s.model_id = m.model_id and s.fetched_at <= $1::timestamptz
      order by s.fetched_at desc limit 1)
    union all
    (select ${versionColumns}, 2 as pref
       from public.model_sightings s join public.model_versions v on v.event_id = s.event_id
      where s.model_id = m.model_id and s.fetched_at > $1::timestamptz
      order by s.fetched_at asc limit 1)
    union all
    select ${METADATA_COLUMNS.map((c) => `m.${c}`).join(', ')}, 3 as pref
  ) c order by pref limit 1`;

const MODEL_SELECT = `
  select m.model_id, d.canonical_slug, d.name, d.description,
         extract(epoch from d.created_at_source)::bigint::float8 as created,
         d.context_length::float8 as context_length, d.modality, d.input_modalities, d.output_modalities,
         d.tokenizer, d.supported_parameters, d.top_provider, d.raw, d.expiration_date,
         p.status, p.observed_at, p.base, p.tiers, o.unregistered
    from public.models_catalog m
    cross join lateral public.price_at(m.model_id, $1::timestamptz, null, 'openrouter_api') p
    join public.price_observations o on o.event_id = p.event_id
    cross join lateral (${METADATA_AT}) d
   where p.status <> 'removed'`;

const ENDPOINTS_SELECT = `
  select p.provider, pr.name as provider_name, mp.tag, mp.context_length::float8 as context_length,
         mp.max_completion_tokens::float8 as max_completion_tokens, mp.quantization,
         mp.status as endpoint_status, p.status, p.observed_at, p.base, p.tiers, o.unregistered
    from public.price_at($1, $2::timestamptz, null, 'openrouter_endpoints') p
    join public.price_observations o on o.event_id = p.event_id
    left join public.model_providers mp on mp.model_id = p.model_id and mp.provider = p.provider
    left join public.providers pr on pr.slug = p.provider
   where p.status <> 'removed' and p.provider is not null
   order by p.provider`;

// /v1/catalog, in three set-based statements (README "The catalog in one answer").
//
// Every price key's observation in force at $1: a loose index scan over
// price_observations_key_observed_idx (price_key, observed_at) lists the keys (one probe each), then one
// backward probe per key finds its newest observation at or before $1, as price_at's `latest` does
// (ties by event_id). Its cost follows the number of keys, not the days of history; a removal in force
// (price_at's rule: a `removed` change after the observation's snapshot date, effective by $1) drops
// the key. `run_start` of price_at is not needed: the listing shows observed_at, not effective_from.
const LISTING_PRICES = `
  with recursive keys(price_key) as (
    (select o.price_key from public.price_observations o order by o.price_key limit 1)
    union all
    select (select o.price_key from public.price_observations o
             where o.price_key > k.price_key order by o.price_key limit 1)
      from keys k
     where k.price_key is not null
  )
  select l.model_id, l.provider, l.source_type as source, l.status, l.observed_at, l.base,
         jsonb_array_length(l.tiers) as tier_count,
         ${LISTED_DIMENSIONS.map((d) => `l.${d}::text as ${d}`).join(', ')}
    from keys k
    cross join lateral (
      select o.* from public.price_observations o
       where o.price_key = k.price_key and o.observed_at <= $1::timestamptz
       order by o.observed_at desc, o.event_id desc
       limit 1
    ) l
   where k.price_key is not null
     and not exists (
       select from public.price_changes_in_force c
        where c.price_key = l.price_key and c.kind = 'removed' and c.snapshot_date > l.snapshot_date
          and (c.snapshot_date::timestamp at time zone 'UTC') <= $1::timestamptz)`;

// The catalog entry in force at $1 of each listed model ($2), by the rule of /v1/models (METADATA_AT).
const LISTING_MODELS = `
  select m.model_id, d.name, extract(epoch from d.created_at_source)::bigint::float8 as created,
         d.context_length::float8 as context_length, d.input_modalities, d.output_modalities,
         d.expiration_date
    from public.models_catalog m
    cross join lateral (${METADATA_AT}) d
   where m.model_id = any($2::text[])`;

// Each model's newest change in force at or before $1, `at` as /v1/changes computes it.
const LISTING_CHANGES = `
  select distinct on (c.model_id) c.model_id,
         to_char(c.effective_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at,
         c.kind, c.alert, c.provider
    from (select c.*, coalesce(c.current_observed_at, c.snapshot_date::timestamp at time zone 'UTC') as effective_at
            from public.price_changes_in_force c) c
   where c.effective_at <= $1::timestamptz
   order by c.model_id, c.effective_at desc, c.event_id desc`;

type ListingPriceDbRow = Omit<ListingPriceRow, 'columns'> &
  Record<(typeof LISTED_DIMENSIONS)[number], string | null>;

export interface CatalogReaderOptions {
  readonly databaseUrl: string;
  readonly poolSize?: number;
  readonly onIdleError?: (err: Error) => void;
}

export function createCatalogReader(opts: CatalogReaderOptions): CatalogReader {
  if (!/^postgres(ql)?:\/\//.test(opts.databaseUrl))
    throw new ConfigError('createCatalogReader: databaseUrl must be a postgres:// URL (DATABASE_URL)');
  const pool = new pg.Pool({
    connectionString: opts.databaseUrl,
    max: opts.poolSize ?? 10,
    application_name: 'llmpt-api',
    // A query that runs away must not hold a connection: the API answers 503 instead.
    statement_timeout: 10_000,
  });
  pool.on('error', (err) => opts.onIdleError?.(err));
  return {
    async ping() {
      await pool.query('select 1');
    },
    async models(at) {
      const { rows } = await pool.query<CatalogModelRow>(`${MODEL_SELECT} order by m.model_id`, [at]);
      return rows;
    },
    async model(id, at) {
      const { rows } = await pool.query<CatalogModelRow>(`${MODEL_SELECT} and m.model_id = $2`, [at, id]);
      return rows[0] ?? null;
    },
    async listing(at) {
      const client = await pool.connect();
      let failed = false;
      try {
        // One snapshot for the three reads: a sink batch committed in between cannot show a change
        // whose price is not listed yet.
        await client.query('begin isolation level repeatable read read only');
        const prices = (await client.query<ListingPriceDbRow>(LISTING_PRICES, [at])).rows.map(
          ({ prompt, completion, input_cache_read, input_cache_write, ...p }): ListingPriceRow => ({
            ...p,
            columns: { prompt, completion, input_cache_read, input_cache_write },
          }),
        );
        const routedModels = [
          ...new Set(
            prices.filter((p) => p.provider === null && p.source === 'openrouter_api').map((p) => p.model_id),
          ),
        ];
        const models = (await client.query<ListingModelRow>(LISTING_MODELS, [at, routedModels])).rows;
        const lastChanges = (await client.query<ListingChangeRow>(LISTING_CHANGES, [at])).rows;
        await client.query('commit');
        return { prices, models, lastChanges };
      } catch (err) {
        failed = true;
        throw err;
      } finally {
        // A client whose transaction failed is not given back to the pool in that state.
        client.release(failed);
      }
    },
    async endpoints(id, at) {
      const { rows } = await pool.query<EndpointRow>(ENDPOINTS_SELECT, [id, at]);
      return rows;
    },
    async history(id, filter) {
      const byProvider = filter.provider !== undefined;
      const [obs, rem] = await Promise.all([
        pool.query<HistoryObservation>(HISTORY_SELECT, [
          id,
          byProvider,
          filter.provider ?? null,
          filter.source ?? null,
        ]),
        pool.query<HistoryRemoval>(REMOVALS_SELECT, [id]),
      ]);
      return { observations: obs.rows, removals: rem.rows };
    },
    async changes(f) {
      const { rows } = await pool.query<Change>(f.newestFirst ? CHANGES_NEWEST_FIRST : CHANGES_OLDEST_FIRST, [
        f.model ?? null,
        f.provider !== undefined,
        f.provider ?? null,
        f.alertsOnly,
        f.since ?? null,
        f.after?.at ?? null,
        f.after?.eventId ?? null,
        f.limit,
      ]);
      return rows;
    },
    async snapshot(at, fallbackToLatest) {
      try {
        return await loadSnapshot(pool, { at, fallbackToLatest });
      } catch (err) {
        // The database's own error (unavailable or not), not the export package's wrapping of it.
        if (err instanceof ExportError && err.cause instanceof Error) throw err.cause;
        throw err;
      }
    },
    priceAt: (q) => priceAtPg(pool, q),
    async sourceUrls(eventIds) {
      const { rows } = await pool.query<{ event_id: string; source_url: string }>(
        'select event_id, source_url from public.price_observations where event_id = any($1::text[])',
        [[...eventIds]],
      );
      return new Map(rows.map((r) => [r.event_id, r.source_url]));
    },
    async modelObserved(id) {
      const { rows } = await pool.query<{ found: boolean }>(
        'select exists (select 1 from public.price_observations where model_id = $1) as found',
        [id],
      );
      return rows[0]?.found === true;
    },
    close: () => pool.end(),
  };
}
