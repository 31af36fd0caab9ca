import type pg from 'pg';

/** The tables the sink writes, with the key that orders their rows. */
export const SINK_TABLES = {
  providers: 'slug',
  models_catalog: 'model_id',
  model_providers: 'model_id, provider',
  price_observations: 'event_id',
  // migrations/0016: one row per version (event id and digest), and the retraction records.
  price_changes: 'event_id, digest',
  price_change_retractions: 'event_id',
  // migrations/0015: the model metadata history.
  model_versions: 'event_id',
  model_sightings: 'model_id, fetched_at',
  // migrations/0018: the verifier's probes (keyed by event id from 0018 on) and discrepancies.
  byok_verifications: 'event_id',
  price_discrepancies: 'event_id',
} as const;

// Set by the database at write time, not by the events: a replay cannot (and need not) reproduce them.
// byok_verifications.id is an identity: numbered in write order, which a replay need not repeat.
const WRITE_TIME_COLUMNS = new Set(['inserted_at', 'updated_at', 'id']);

/**
 * A content checksum per table: md5 over every row in key order, all columns but the write-time
 * ones. Two databases built from the same events have the same checksums.
 */
export async function tableChecksums(
  db: pg.ClientBase,
): Promise<Record<string, { rows: number; md5: string }>> {
  const out: Record<string, { rows: number; md5: string }> = {};
  for (const [table, key] of Object.entries(SINK_TABLES)) {
    const cols = await db.query<{ column_name: string }>(
      `select column_name from information_schema.columns
        where table_schema = 'public' and table_name = $1 order by ordinal_position`,
      [table],
    );
    const content = cols.rows
      .map((c) => c.column_name)
      .filter((c) => !WRITE_TIME_COLUMNS.has(c))
      .map((c) => `t.${c}`)
      .join(', ');
    const res = await db.query<{ rows: string; md5: string | null }>(
      `select count(*)::text as rows, md5(coalesce(string_agg(row(${content})::text, E'\\n' order by ${key
        .split(', ')
        .map((k) => `t.${k}`)
        .join(', ')}), '')) as md5
         from public.${table} t`,
    );
    out[table] = { rows: Number(res.rows[0]!.rows), md5: res.rows[0]!.md5 ?? '' };
  }
  return out;
}
