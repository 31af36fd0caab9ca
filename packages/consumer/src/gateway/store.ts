// Writes PricingUpdates to public.model_pricing (migration 0009). Each write is guarded by the event
// time, so an old event replayed after a newer one changes nothing, and a replayed event rewrites the
// same values: applying the stream twice, or from any committed offset, ends in the same table.
import type { Queryable } from '../price-at.ts';
import { pricingColumns, type PricingUpdate } from './model-pricing.ts';

export async function applyPricingUpdate(db: Queryable, u: PricingUpdate): Promise<void> {
  const cols = pricingColumns;
  // new: the columns it names, null for the rest; changed/removed: only what it names.
  const values = cols.map((c) => (c in u.set ? (u.set[c] ?? null) : null));
  const touched = cols.map((c) => c in u.set || u.resetOthers);
  const setList = cols
    .map((c, i) => (touched[i] ? `${c} = excluded.${c}` : null))
    .filter((s): s is string => s !== null);
  for (const name of u.modelNames) {
    await db.query(
      `insert into public.model_pricing as t (model_name, model_id, ${cols.join(', ')}, listed, last_event_at, last_event_id, updated_at)
       values ($1, $2, ${cols.map((_, i) => `$${i + 3}`).join(', ')}, $${cols.length + 3}, to_timestamp($${cols.length + 4}::double precision / 1000), $${cols.length + 5}, now())
       on conflict (model_name) do update set
         ${[...setList, 'model_id = excluded.model_id', 'listed = excluded.listed', 'last_event_at = excluded.last_event_at', 'last_event_id = excluded.last_event_id', 'updated_at = now()'].join(',\n         ')}
       where (t.last_event_at, t.last_event_id) <= (excluded.last_event_at, excluded.last_event_id)`,
      [name, u.modelId, ...values, u.listed, u.eventAt, u.eventId],
    );
  }
}
