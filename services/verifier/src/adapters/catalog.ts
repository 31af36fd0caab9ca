// What a run reads from the database: the (model, provider) pairs the catalog holds, with what the
// sampling order needs, and the price in force for a pair (public.price_at through @llmpt/consumer).
import { callPriceOf, choosePrice, ConsumerError, priceAtPg, type Queryable } from '@llmpt/consumer';
import type { Candidate } from '../core/plan.ts';
import type { PriceLookup } from './run.ts';

// pg gives timestamptz as Date; anything else is a bug in the query.
const iso = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  throw new TypeError(`verifier catalog: expected a timestamptz, got ${typeof v}`);
};

/**
 * Pairs OpenRouter listed in its latest endpoint listings (seen within two days of the newest
 * sighting) and not published as down (status below 0), with the provider's display name, the last
 * price change in force and the last verification. `recentOnly: false` drops the two-day window: the
 * offline daily run probes the bundled sample's pairs, last seen on the sample's own (past) day while
 * its provider pages are observed now.
 */
export async function loadCandidates(
  db: Queryable,
  opts: { readonly recentOnly?: boolean } = {},
): Promise<Candidate[]> {
  const recent =
    opts.recentOnly === false
      ? 'true'
      : `mp.last_seen_at >= (select max(last_seen_at) from public.model_providers) - interval '2 days'`;
  const { rows } = await db.query(
    `select mp.model_id, mp.provider, p.name as provider_name, mp.first_seen_at,
            (select max(coalesce(c.occurred_at, c.current_observed_at))
               from public.price_changes_in_force c
              where c.model_id = mp.model_id and c.provider = mp.provider) as price_changed_at,
            (select max(v.verified_at) from public.byok_verifications v
              where v.model_id = mp.model_id and v.provider = mp.provider) as last_verified_at
       from public.model_providers mp
       left join public.providers p on p.slug = mp.provider
      where ${recent}
        and coalesce(mp.status, 0) >= 0`,
    [],
  );
  return rows.map((r) => ({
    model_id: String(r.model_id),
    provider: String(r.provider),
    provider_name: typeof r.provider_name === 'string' ? r.provider_name : null,
    first_seen_at: iso(r.first_seen_at)!,
    price_changed_at: iso(r.price_changed_at),
    last_verified_at: iso(r.last_verified_at),
  }));
}

/**
 * The price in force for the pair at `at`: the provider's sources in the consumer package's order
 * (OpenRouter's endpoint price first: what a call routed there is billed). Null when none is known or
 * the one in force is not ok (unavailable, removed): such a pair is not probed.
 */
export function priceLookup(db: Queryable): PriceLookup {
  return async (t, at) => {
    const q = { modelId: t.model_id, provider: t.provider, at };
    const rows = await priceAtPg(db, q);
    try {
      const row = choosePrice(rows, q);
      if (row.status !== 'ok') return null;
      return { price: callPriceOf(row), ref: { price_key: row.price_key, event_id: row.event_id } };
    } catch (err) {
      if (err instanceof ConsumerError) return null;
      throw err;
    }
  };
}
