// The API's reads, through a pg pool connected as (a login granted) api_reader. Every price comes from
// price_at (migrations/0010), the unregistered components from the observation it names.
import pg from 'pg';
import { ConfigError } from '@llmpt/core';
import type { CatalogModelRow, EndpointRow } from '../core/catalog.ts';

export interface CatalogReader {
  /** Whether the database answers (readiness). */
  ping(): Promise<void>;
  /** Every model with a routed price in force at `at` (not removed), by id. */
  models(at: Date): Promise<CatalogModelRow[]>;
  /** One model (null: unknown, or no routed price in force at `at`). */
  model(id: string, at: Date): Promise<CatalogModelRow | null>;
  /** The model's endpoint prices in force at `at` (not removed), by provider. */
  endpoints(id: string, at: Date): Promise<EndpointRow[]>;
  close(): Promise<void>;
}

const MODEL_SELECT = `
  select m.model_id, m.canonical_slug, m.name, m.description,
         extract(epoch from m.created_at_source)::bigint::float8 as created,
         m.context_length::float8 as context_length, m.modality, m.input_modalities, m.output_modalities,
         m.tokenizer, m.supported_parameters, m.top_provider, m.raw,
         p.status, p.observed_at, p.base, p.tiers, o.unregistered
    from public.models_catalog m
    cross join lateral public.price_at(m.model_id, $1::timestamptz, null, 'openrouter_api') p
    join public.price_observations o on o.event_id = p.event_id
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
    async endpoints(id, at) {
      const { rows } = await pool.query<EndpointRow>(ENDPOINTS_SELECT, [id, at]);
      return rows;
    },
    close: () => pool.end(),
  };
}
