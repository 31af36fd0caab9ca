// The PriceSnapshot of a moment, read from Postgres: every observation at or before it
// (price_observations), the keys removed by then (the removals in force, price_changes_in_force of
// migrations/0016, as price_at reads them) and the models' names and context lengths in force then
// (model_sightings -> model_versions, migrations/0015; the rule is docs/design.md §3 "Model metadata
// history"). Those rows are append-only, so a past date's export is the same bytes whenever it is made,
// unless late inputs (a backfill, docs/price-model.md §4) add to that past; only the current export
// may fall back to models_catalog's newest values, for a model with no sighting at all (a database
// filled before 0015).
import { DIMENSION_NAMES, type DimensionPrice, type PriceTier, type SourceType } from '@llmpt/schemas';
import { ExportError } from '../core/errors.ts';
import { snapshotFromRows, type CatalogRow, type ObservationRow } from '../core/history.ts';
import type { PriceSnapshot } from '../core/snapshot.ts';

/** Anything with pg's query(): a Client, a Pool or a PoolClient. */
export interface Queryable {
  query(text: string, values: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());

function rowOf(r: Record<string, unknown>): ObservationRow {
  return {
    event_id: String(r.event_id),
    price_key: String(r.price_key),
    model_id: String(r.model_id),
    provider: (r.provider as string | null) ?? null,
    source_type: r.source_type as SourceType,
    source_url: (r.source_url as string | null) ?? null,
    observed_at: iso(r.observed_at),
    status: String(r.status),
    columns: Object.fromEntries(DIMENSION_NAMES.map((d) => [d, (r[d] as string | null) ?? null])),
    base: (r.base ?? []) as DimensionPrice[],
    tiers: (r.tiers ?? []) as PriceTier[],
  };
}

export interface LoadSnapshotOptions {
  readonly at: Date | string;
  /**
   * For a model with no sighting at all, take models_catalog's newest name and context length (for
   * the current catalog only: those values change, so a past date's file must not read them).
   */
  readonly fallbackToLatest: boolean;
}

// The version of the model's latest sighting at or before $1, else of its earliest one; with $2,
// models_catalog's own row when the model has no sighting (one index probe per branch).
const METADATA_AT = `
  select m.model_id, d.name, d.context_length
    from public.models_catalog m
    cross join lateral (
      select * from (
        (select v.name, v.context_length, 1 as pref
           from public.model_sightings s join public.model_versions v on v.event_id = s.event_id
          where s.model_id = m.model_id and s.fetched_at <= $1
          order by s.fetched_at desc limit 1)
        union all
        (select v.name, v.context_length, 2 as pref
           from public.model_sightings s join public.model_versions v on v.event_id = s.event_id
          where s.model_id = m.model_id and s.fetched_at > $1
          order by s.fetched_at asc limit 1)
        union all
        select m.name, m.context_length, 3 as pref where $2::boolean
      ) c order by pref limit 1
    ) d
   order by m.model_id`;

export async function loadSnapshot(db: Queryable, opts: LoadSnapshotOptions): Promise<PriceSnapshot> {
  const at = opts.at instanceof Date ? opts.at : new Date(opts.at);
  if (Number.isNaN(at.getTime())) throw new ExportError('TIME_INVALID', `not a time: ${String(opts.at)}`);
  const atIso = at.toISOString();
  const dims = DIMENSION_NAMES.map((d) => `o.${d}::text as ${d}`).join(', ');
  try {
    const { rows } = await db.query(
      `select o.event_id, o.price_key, o.model_id, o.provider, o.source_type, o.source_url, o.observed_at,
              o.status, ${dims}, o.base, o.tiers
         from public.price_observations o
        where o.observed_at <= $1
        order by o.price_key, o.observed_at, o.event_id`,
      [atIso],
    );
    const removed = await db.query(
      `select distinct l.price_key
         from (select distinct on (o.price_key) o.price_key, o.snapshot_date
                 from public.price_observations o
                where o.observed_at <= $1
                order by o.price_key, o.observed_at desc, o.event_id desc) l
         join public.price_changes_in_force c
           on c.price_key = l.price_key and c.kind = 'removed' and c.snapshot_date > l.snapshot_date
          and (c.snapshot_date::timestamp at time zone 'UTC') <= $1`,
      [atIso],
    );
    const catalog: CatalogRow[] = (await db.query(METADATA_AT, [atIso, opts.fallbackToLatest])).rows.map(
      (r) => ({
        model_id: String(r.model_id),
        name: (r.name as string | null) ?? null,
        context_length: r.context_length === null ? null : Number(r.context_length),
      }),
    );
    return snapshotFromRows(
      atIso,
      rows.map(rowOf),
      new Set(removed.rows.map((r) => String(r.price_key))),
      catalog,
    );
  } catch (err) {
    if (err instanceof ExportError) throw err;
    throw new ExportError('SNAPSHOT_READ_FAILED', `reading the prices at ${atIso}: ${String(err)}`, {
      cause: err,
    });
  }
}
