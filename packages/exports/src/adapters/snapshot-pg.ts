// The PriceSnapshot of a moment, read from Postgres: every observation at or before it
// (price_observations), the keys removed by then (price_changes, as price_at reads them) and, when
// asked, the catalog's names and context lengths (models_catalog holds only their latest values, so
// an export of a past date leaves them out to stay the same bytes whenever it is made).
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
  /** Carry models_catalog's names and context lengths (their latest values): for the current catalog. */
  readonly withCatalog: boolean;
}

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
         join public.price_changes c
           on c.price_key = l.price_key and c.kind = 'removed' and c.snapshot_date > l.snapshot_date
          and (c.snapshot_date::timestamp at time zone 'UTC') <= $1`,
      [atIso],
    );
    const catalog: CatalogRow[] = opts.withCatalog
      ? (
          await db.query(
            `select model_id, name, context_length from public.models_catalog order by model_id`,
            [],
          )
        ).rows.map((r) => ({
          model_id: String(r.model_id),
          name: (r.name as string | null) ?? null,
          context_length: r.context_length === null ? null : Number(r.context_length),
        }))
      : [];
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
