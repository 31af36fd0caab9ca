import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ConfigError } from '@llmpt/core';
import type { Logger } from '@llmpt/runtime';
import { CHANGE_DIGEST_FIELDS, DIMENSION_NAMES } from '@llmpt/schemas';
import { ROW_LISTS, type Rows } from '../core/project.ts';
import { classifyDbError, SinkStoreError, type PriceStore, type WriteResult } from './store.ts';

/**
 * The default store: a direct connection (pg). One transaction per batch, so a batch lands whole or
 * not at all; each table gets one multi-row statement (per chunk of chunkSize rows).
 *
 * Rows travel by COPY (text format) into a temporary table per list, then the table's statement reads them
 * with insert ... select (docs/design.md §1 "sink"): COPY parses rows far faster than
 * jsonb_to_recordset over a JSON parameter, array columns (text[]) work, and money crosses as text
 * cast straight to numeric, so no float ever touches a price. The same statements, reading
 * jsonb_to_recordset(`payload -> '<table>'`) instead of the temporary table, make up the SQL function
 * `sink_write_batch` (migrations/0006-sink-functions.sql, redefined by 0007, 0010, 0013, 0015 and 0016) that the Supabase
 * adapter calls: keep the two in step (adapters.unit.test.ts checks the latest definition, and the
 * shared integration suite runs against both).
 */

export interface PostgresStoreOptions {
  readonly databaseUrl: string;
  readonly logger?: Logger;
  /** Connections in the pool; the sink writes one batch at a time, so the default 2 is plenty. */
  readonly poolSize?: number;
  /** Rows per statement (COPY then insert); a batch's lists are usually far below the default. */
  readonly chunkSize?: number;
  /** Name shown in pg_stat_activity. */
  readonly applicationName?: string;
}

export function createPostgresStore(opts: PostgresStoreOptions): PriceStore {
  if (!/^postgres(ql)?:\/\//.test(opts.databaseUrl))
    throw new ConfigError(
      'createPostgresStore: databaseUrl must be a postgres:// connection string (DATABASE_URL)',
    );
  const chunkSize = opts.chunkSize ?? 20_000;
  if (!Number.isInteger(chunkSize) || chunkSize < 1)
    throw new ConfigError('createPostgresStore: chunkSize must be a positive integer');
  const pool = new pg.Pool({
    connectionString: opts.databaseUrl,
    max: opts.poolSize ?? 2,
    application_name: opts.applicationName ?? 'llmpt-sink',
  });
  // An idle client losing its connection must not crash the process; the next batch reconnects.
  pool.on('error', (err) => opts.logger?.warn({ err }, 'postgres pool: idle client error'));
  // Connections whose temporary tables exist (a new or replaced connection creates them first).
  const prepared = new WeakSet<pg.PoolClient>();

  return {
    async writeBatch(rows: Rows): Promise<WriteResult> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw toStoreError(err, 'connect');
      }
      let broken = false;
      // pg-pool listens for errors only on idle clients. A checked-out client whose connection drops
      // between two queries (Postgres restarted: 57P01, then ECONNRESET) emits 'error' with nobody
      // listening, and that crashed the sink in the outages e2e. Here it only marks the client broken:
      // the query in flight rejects on its own and the batch is retried.
      const onError = (err: Error) => {
        broken = true;
        opts.logger?.warn({ err }, 'postgres: connection lost during a batch');
      };
      client.on('error', onError);
      try {
        if (!prepared.has(client)) {
          // Once per connection, outside any transaction: the tables live as long as the session.
          await client.query(createTempTables);
          prepared.add(client);
        }
        await client.query('begin');
        const result = await writeRows(async (list, all) => {
          let n = 0;
          for (let i = 0; i < all.length; i += chunkSize) {
            // A later chunk starts from an empty table (the earlier one's rows are written).
            if (i > 0) await client.query(`truncate pg_temp.${tempTable(list)}`);
            await copyInto(client, list, all.slice(i, i + chunkSize));
            n += (await client.query(copyStatements[list])).rowCount ?? 0;
          }
          return n;
        }, rows);
        await client.query('commit');
        opts.logger?.debug({ result }, 'sink batch committed');
        return result;
      } catch (err) {
        try {
          await client.query('rollback');
        } catch {
          // The connection is gone: the server rolls back on its own; drop this client from the pool.
          broken = true;
        }
        throw toStoreError(err, 'write batch');
      } finally {
        client.removeListener('error', onError);
        client.release(broken);
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}

/** Writes one list: COPY into its temporary table, then its statement reading from there. */
type WriteList = (list: keyof Rows, rows: readonly object[]) => Promise<number>;

async function writeRows(write: WriteList, rows: Rows): Promise<WriteResult> {
  // Projections first, then facts (the model history last): no foreign keys, but a fixed order keeps
  // lock order stable.
  const count = (list: keyof Rows): Promise<number> =>
    rows[list].length === 0 ? Promise.resolve(0) : write(list, rows[list]);
  const providers = await count('providers');
  const models = await count('models');
  const modelProviders = await count('modelProviders');
  const observations = await count('observations');
  const changes = await count('changes');
  const retractions = await count('retractions');
  const modelVersions = await count('modelVersions');
  const modelSightings = await count('modelSightings');
  const verifications = await count('verifications');
  const discrepancies = await count('discrepancies');
  return {
    inserted: {
      observations,
      changes,
      retractions,
      modelVersions,
      modelSightings,
      verifications,
      discrepancies,
    },
    upserted: { providers, models, modelProviders },
  };
}

function toStoreError(err: unknown, what: string): SinkStoreError {
  if (err instanceof SinkStoreError) return err;
  const e = (err ?? {}) as { code?: unknown; message?: unknown; detail?: unknown };
  let state = typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' ? e.message : String(err);
  // pg reports a dropped socket as a bare Error without a code.
  if (state === undefined && /connection terminated|connection timeout|timeout exceeded/i.test(message))
    state = '08006';
  const { code, retriable } = classifyDbError(state);
  const detail = typeof e.detail === 'string' ? ` (${e.detail})` : '';
  return new SinkStoreError(code, `postgres store: ${what} failed: ${message}${detail}`, {
    retriable,
    ...(state === undefined ? {} : { sqlState: state }),
    cause: err,
  });
}

// ---- SQL ---------------------------------------------------------------------------------------

interface Upsert {
  readonly table: string;
  readonly columns: readonly (readonly [name: string, type: string])[];
  readonly key: readonly string[];
  /** column -> expression over `t` (stored row) and `excluded` (incoming row). */
  readonly set: Readonly<Record<string, string>>;
  /** Extra assignments made only when the row actually changes. */
  readonly touch?: Readonly<Record<string, string>>;
  /** When the stored row changes; default: any merged value differs from the stored one. */
  readonly changed?: string;
}

/** Where a statement reads its rows from: a `select` of the columns, the incoming row aliased `x`. */
type Source = (columns: Upsert['columns']) => string;

/** The rows as one jsonb array (`$1::jsonb`, or `payload -> '<table>'` in sink_write_batch). */
const fromJson =
  (json: string): Source =>
  (columns) => {
    const names = columns.map(([n]) => n).join(', ');
    const defs = columns.map(([n, t]) => `${n} ${t}`).join(', ');
    return `select ${names} from jsonb_to_recordset(${json}) as x(${defs})`;
  };

/** The rows COPYed into the session's temporary table of that list (see copyInto). */
const fromTemp =
  (list: keyof Rows): Source =>
  (columns) =>
    `select ${columns.map(([n]) => n).join(', ')} from pg_temp.${tempTable(list)} as x`;

/**
 * Insert-only: a replayed key is a no-op (an UPDATE would hit the append-only trigger). `unless`: a
 * condition over the incoming row `x` under which it is not inserted either.
 */
function appendSql(
  table: string,
  columns: Upsert['columns'],
  source: Source,
  key: readonly string[] = ['event_id'],
  unless?: string,
): string {
  const where = unless === undefined ? '' : ` where not ${unless}`;
  return `insert into ${table} (${columns.map(([n]) => n).join(', ')}) ${source(columns)}${where} on conflict (${key.join(', ')}) do nothing`;
}

/**
 * Insert or merge. The WHERE compares the merged values with the stored ones, so replaying what is
 * already there updates nothing: rowCount then counts only real changes.
 */
function upsertSql(u: Upsert, source: Source): string {
  const names = Object.keys(u.set);
  const assignments = [
    ...names.map((n) => `${n} = ${u.set[n]}`),
    ...Object.entries(u.touch ?? {}).map(([n, e]) => `${n} = ${e}`),
  ].join(', ');
  const merged = names.map((n) => u.set[n]).join(', ');
  const stored = names.map((n) => `t.${n}`).join(', ');
  const changed = u.changed ?? `(${merged}) is distinct from (${stored})`;
  return (
    `insert into ${u.table} as t (${u.columns.map(([n]) => n).join(', ')}) ${source(u.columns)} ` +
    `on conflict (${u.key.join(', ')}) do update set ${assignments} where ${changed}`
  );
}

const seen = {
  first_seen_at: 'least(t.first_seen_at, excluded.first_seen_at)',
  last_seen_at: 'greatest(t.last_seen_at, excluded.last_seen_at)',
};

// Catalog details (ProviderDiscovered): the newest catalog entry wins; price events carry none
// (catalog_seen_at null) and never erase them.
const catalogNewer =
  'excluded.catalog_seen_at is not null and (t.catalog_seen_at is null or excluded.catalog_seen_at > t.catalog_seen_at ' +
  "or (excluded.catalog_seen_at = t.catalog_seen_at and excluded.raw::text > coalesce(t.raw::text, '')))";
const fromNewerCatalog = (c: string): string =>
  `case when ${catalogNewer} then excluded.${c} else t.${c} end`;
const providerDetailColumns = [
  'privacy_policy_url',
  'terms_of_service_url',
  'status_page_url',
  'headquarters',
  'datacenters',
  'raw',
  'catalog_seen_at',
] as const;

const providerUpsert: Upsert = {
  table: 'public.providers',
  columns: [
    ['slug', 'text'],
    ['name', 'text'],
    ['first_seen_at', 'timestamptz'],
    ['last_seen_at', 'timestamptz'],
    ['privacy_policy_url', 'text'],
    ['terms_of_service_url', 'text'],
    ['status_page_url', 'text'],
    ['headquarters', 'text'],
    ['datacenters', 'jsonb'],
    ['raw', 'jsonb'],
    ['catalog_seen_at', 'timestamptz'],
  ],
  key: ['slug'],
  set: {
    // The slug stands in for an unknown name: it never replaces a known one (see core/project.ts).
    name:
      'case when excluded.name = excluded.slug then t.name when t.name = t.slug then excluded.name ' +
      'when excluded.last_seen_at > t.last_seen_at or (excluded.last_seen_at = t.last_seen_at and excluded.name > t.name) ' +
      'then excluded.name else t.name end',
    ...Object.fromEntries(providerDetailColumns.map((c) => [c, fromNewerCatalog(c)])),
    ...seen,
  },
  touch: { updated_at: 'now()' },
};

// The incoming model event is newer than the stored one: by time, then by event id on a tie.
const modelNewer = `(excluded.last_seen_at, excluded.last_event_id) > (t.last_seen_at, coalesce(t.last_event_id, ''))`;
const fromNewerModel = (c: string): string => `case when ${modelNewer} then excluded.${c} else t.${c} end`;
const modelDetailColumns = [
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
  'last_event_id',
] as const;

const modelUpsert: Upsert = {
  table: 'public.models_catalog',
  columns: [
    ['model_id', 'text'],
    ['canonical_slug', 'text'],
    ['name', 'text'],
    ['description', 'text'],
    ['created_at_source', 'timestamptz'],
    ['context_length', 'bigint'],
    ['modality', 'text'],
    ['input_modalities', 'text[]'],
    ['output_modalities', 'text[]'],
    ['tokenizer', 'text'],
    ['supported_parameters', 'text[]'],
    ['top_provider', 'jsonb'],
    ['raw', 'jsonb'],
    ['expiration_date', 'text'],
    ['first_seen_at', 'timestamptz'],
    ['last_seen_at', 'timestamptz'],
    ['last_event_id', 'text'],
  ],
  key: ['model_id'],
  set: { ...Object.fromEntries(modelDetailColumns.map((c) => [c, fromNewerModel(c)])), ...seen },
  // A newer event always changes the row (its last_event_id at least); an older one only an earlier first_seen_at.
  changed: `${modelNewer} or excluded.first_seen_at < t.first_seen_at`,
};

// Endpoint details: the newest known value; an event without details (null) erases nothing.
const newestKnown = (c: string): string =>
  `case when excluded.last_seen_at >= t.last_seen_at then coalesce(excluded.${c}, t.${c}) else coalesce(t.${c}, excluded.${c}) end`;
const endpointColumns = ['tag', 'context_length', 'max_completion_tokens', 'quantization', 'status'] as const;

const modelProviderUpsert: Upsert = {
  table: 'public.model_providers',
  columns: [
    ['model_id', 'text'],
    ['provider', 'text'],
    ['tag', 'text'],
    ['context_length', 'bigint'],
    ['max_completion_tokens', 'bigint'],
    ['quantization', 'text'],
    ['status', 'integer'],
    ['first_seen_at', 'timestamptz'],
    ['last_seen_at', 'timestamptz'],
  ],
  key: ['model_id', 'provider'],
  set: { ...Object.fromEntries(endpointColumns.map((c) => [c, newestKnown(c)])), ...seen },
};

const money = 'numeric(18, 8)';
const observationColumns: Upsert['columns'] = [
  ['event_id', 'text'],
  ['run_id', 'text'],
  ['caused_by', 'text'],
  ['price_key', 'text'],
  ['model_id', 'text'],
  ['provider', 'text'],
  ['source_type', 'text'],
  ['source_url', 'text'],
  ['snapshot_date', 'date'],
  ['observed_at', 'timestamptz'],
  ['status', 'text'],
  ['unavailable_reason', 'text'],
  ['currency', 'text'],
  // Every registered dimension is a money column of the same name (docs/price-model.md §1).
  ...DIMENSION_NAMES.map((d) => [d, money] as const),
  ['notes', 'text[]'],
  ['base', 'jsonb'],
  ['tiers', 'jsonb'],
  ['unregistered', 'jsonb'],
  // migrations/0013: the fetched bytes' hash (null before NormalizedPrice v3).
  ['content_hash', 'text'],
];

const changeColumns: Upsert['columns'] = [
  ['event_id', 'text'],
  ['run_id', 'text'],
  ['caused_by', 'text'],
  ['price_key', 'text'],
  ['model_id', 'text'],
  ['provider', 'text'],
  ['source_type', 'text'],
  ['kind', 'text'],
  ['changes', 'jsonb'],
  ['previous_observed_at', 'timestamptz'],
  ['current_observed_at', 'timestamptz'],
  ['snapshot_date', 'date'],
  ['alert', 'boolean'],
  ['alert_threshold', 'numeric'],
  ['expiration_date', 'text'],
  // migrations/0013: the event's own occurred_at, so a webhook replay rebuilds the live payload.
  ['occurred_at', 'timestamptz'],
  // migrations/0016: the version's digest (with the id, the row's key) and how it was learned.
  ['digest', 'text'],
  ['backfilled', 'boolean'],
];

/**
 * A row written before migrations/0016 has no digest, and before 0016 an id had one version: an
 * incoming change with that id and the same content (every digest field; that row's occurred_at is
 * null when it was written before 0013) is that row's version again (a redelivery across the upgrade),
 * not a second version. docs/design.md §3.
 */
const storedWithoutDigest = (() => {
  const fields = CHANGE_DIGEST_FIELDS.filter((f) => f !== 'event_id' && f !== 'occurred_at');
  const stored = fields.map((f) => `p.${f}`).join(', ');
  const incoming = fields.map((f) => `x.${f}`).join(', ');
  return (
    `exists (select from public.price_changes p where p.event_id = x.event_id and p.digest is null ` +
    `and (${stored}) is not distinct from (${incoming}) ` +
    `and (p.occurred_at is null or p.occurred_at = x.occurred_at))`
  );
})();

// migrations/0016: one row per PriceChangeRetracted, keyed by its event id.
const retractionColumns: Upsert['columns'] = [
  ['event_id', 'text'],
  ['price_key', 'text'],
  ['retracted_event_id', 'text'],
  ['retracted_digest', 'text'],
  ['retracted', 'boolean'],
  ['revision', 'bigint'],
  ['caused_by', 'text'],
  ['occurred_at', 'timestamptz'],
];

// migrations/0015: the model metadata history. A version carries models_catalog's metadata columns
// (and raw), keyed by the ModelDiscovered id; a sighting says which version a fetch saw.
const modelVersionColumns: Upsert['columns'] = [
  ['event_id', 'text'],
  ...modelUpsert.columns.filter(([n]) => !['first_seen_at', 'last_seen_at', 'last_event_id'].includes(n)),
];

const modelSightingColumns: Upsert['columns'] = [
  ['model_id', 'text'],
  ['fetched_at', 'timestamptz'],
  ['event_id', 'text'],
];

// migrations/0018: the verifier's probes (the original design's byok_verifications, keyed by the
// PriceVerified id from 0018 on) and its discrepancies. Money as unscaled numeric: a charge carries
// up to ~20 decimals (0.0004970133333333333) and is kept exactly.
const verificationColumns: Upsert['columns'] = [
  ['event_id', 'text'],
  ['run_id', 'text'],
  ['model_id', 'text'],
  ['provider', 'text'],
  ['verified_at', 'timestamptz'],
  ['outcome', 'text'],
  ['http_status', 'integer'],
  ['latency_ms', 'bigint'],
  ['served_provider', 'text'],
  ['served_model', 'text'],
  ['generation_id', 'text'],
  ['error_code', 'text'],
  ['error_message', 'text'],
  ['is_byok', 'boolean'],
  ['cost', 'numeric'],
  ['upstream_inference_cost', 'numeric'],
  ['usage', 'jsonb'],
  ['price_key', 'text'],
  ['price_event_id', 'text'],
  ['expected_cost', 'numeric'],
  ['charged_cost', 'numeric'],
  ['difference', 'numeric'],
  ['discrepancy', 'boolean'],
  ['price_matches', 'jsonb'],
  ['notes', 'text'],
];

const discrepancyColumns: Upsert['columns'] = [
  ['event_id', 'text'],
  ['run_id', 'text'],
  ['caused_by', 'text'],
  ['occurred_at', 'timestamptz'],
  ['model_id', 'text'],
  ['provider', 'text'],
  ['price_key', 'text'],
  ['price_event_id', 'text'],
  ['expected_cost', 'numeric'],
  ['charged_cost', 'numeric'],
  ['difference', 'numeric'],
  ['relative_difference', 'numeric'],
  ['tolerance_absolute', 'numeric'],
  ['tolerance_relative', 'numeric'],
  ['is_byok', 'boolean'],
  ['generation_id', 'text'],
];

/**
 * migrations/0017, docs/design.md §3 "Earliest sighting": copies of one NormalizedPrice id are one fact
 * seen more than once; the row keeps the earliest sighting (observed_at, then caused_by), whatever the
 * order the copies arrive in. Only the sighting columns move; the prices made the id.
 */
export const SIGHTING_COLUMNS = ['run_id', 'caused_by', 'source_url', 'observed_at', 'content_hash'] as const;

function observationSql(source: Source): string {
  const set = SIGHTING_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ');
  return (
    `insert into public.price_observations as t (${observationColumns.map(([n]) => n).join(', ')}) ` +
    `${source(observationColumns)} on conflict (event_id) do update set ${set} ` +
    `where (excluded.observed_at, coalesce(excluded.caused_by, '') collate "C") < (t.observed_at, coalesce(t.caused_by, '') collate "C")`
  );
}

/** The statements, with the rows as a jsonb array in `json` (`$1::jsonb` here, `payload -> 'x'` in SQL). */
export function sinkStatements(json: (key: keyof Rows) => string): Readonly<Record<keyof Rows, string>> {
  return statementsFrom((key) => fromJson(json(key)));
}

/** The same statements over any source of rows (a jsonb payload, or the temporary tables). */
function statementsFrom(from: (key: keyof Rows) => Source): Readonly<Record<keyof Rows, string>> {
  return {
    providers: upsertSql(providerUpsert, from('providers')),
    models: upsertSql(modelUpsert, from('models')),
    modelProviders: upsertSql(modelProviderUpsert, from('modelProviders')),
    observations: observationSql(from('observations')),
    changes: appendSql(
      'public.price_changes',
      changeColumns,
      from('changes'),
      ['event_id', 'digest'],
      storedWithoutDigest,
    ),
    retractions: appendSql('public.price_change_retractions', retractionColumns, from('retractions')),
    modelVersions: appendSql('public.model_versions', modelVersionColumns, from('modelVersions')),
    modelSightings: appendSql('public.model_sightings', modelSightingColumns, from('modelSightings'), [
      'model_id',
      'fetched_at',
    ]),
    verifications: appendSql('public.byok_verifications', verificationColumns, from('verifications')),
    discrepancies: appendSql('public.price_discrepancies', discrepancyColumns, from('discrepancies')),
  };
}

/** The columns (and their types) each statement reads from its source. */
const sourceColumns: Readonly<Record<keyof Rows, Upsert['columns']>> = {
  providers: providerUpsert.columns,
  models: modelUpsert.columns,
  modelProviders: modelProviderUpsert.columns,
  observations: observationColumns,
  changes: changeColumns,
  retractions: retractionColumns,
  modelVersions: modelVersionColumns,
  modelSightings: modelSightingColumns,
  verifications: verificationColumns,
  discrepancies: discrepancyColumns,
};

// ---- COPY into temporary tables ----------------------------------------------------------------

/** The session's temporary table a list is COPYed into (unquoted: folded to lower case). */
function tempTable(list: keyof Rows): string {
  return `sink_in_${list.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
}

/**
 * One temporary table per list, with the statement's columns and types and no constraint (a bad row
 * fails in the statement, on the real table, with the error the jsonb path gave). `on commit delete
 * rows`: empty at the start of every transaction; rows of a rolled-back one go with it.
 */
const createTempTables = ROW_LISTS.map(
  (list) =>
    `create temp table if not exists ${tempTable(list)} (${sourceColumns[list]
      .map(([n, t]) => `${n} ${t}`)
      .join(', ')}) on commit delete rows`,
).join(';\n');

const copyStatements = statementsFrom(fromTemp);

/** COPY's text format: a backslash, newline, carriage return or tab in a value is escaped. */
const SPECIAL = /[\\\n\r\t]/;
const escapeText = (s: string): string =>
  SPECIAL.test(s)
    ? s.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'))
    : s;
/** A text[] literal: every element quoted (a backslash or quote in it escaped), null as NULL. */
const arrayLiteral = (xs: readonly unknown[]): string =>
  `{${xs
    .map((x) => {
      if (x === null || x === undefined) return 'NULL';
      const text = typeof x === 'string' ? x : JSON.stringify(x);
      return `"${text.replace(/[\\"]/g, '\\$&')}"`;
    })
    .join(',')}}`;

/** One field for a column of type `type`, in COPY's text format: \N is NULL, as JSON null was. */
function textField(type: string, v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  // A jsonb value (a JSON string included) as the jsonb payload carried it: its JSON text.
  if (type === 'jsonb') return escapeText(JSON.stringify(v));
  if (type === 'text[]') return escapeText(arrayLiteral(v as readonly unknown[]));
  if (typeof v === 'string') return escapeText(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return escapeText(JSON.stringify(v));
}

function textLines(columns: Upsert['columns'], rows: readonly object[]): string {
  let text = '';
  for (const row of rows) {
    const r = row as Record<string, unknown>;
    for (let i = 0; i < columns.length; i++) {
      const [name, type] = columns[i]!;
      text += (i ? '\t' : '') + textField(type, r[name]);
    }
    text += '\n';
  }
  return text;
}

/** COPYs rows into the list's temporary table (text format, pg-copy-streams, in the open transaction). */
async function copyInto(client: pg.PoolClient, list: keyof Rows, rows: readonly object[]): Promise<void> {
  const columns = sourceColumns[list];
  const stream = client.query(
    copyFrom(`copy pg_temp.${tempTable(list)} (${columns.map(([n]) => n).join(', ')}) from stdin`),
  );
  await pipeline(Readable.from([textLines(columns, rows)]), stream);
}
