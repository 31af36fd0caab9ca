// The original design's way of writing: one row at a time through the REST API (supabase-js over
// PostgREST), delete-then-insert. price_observations is append-only (its trigger rejects DELETE), so
// this runs against a scratch table with the same columns in the main database (PostgREST serves only
// that database's public schema), dropped at the end.
import { createClient, type SupabaseClientOptions } from '@supabase/supabase-js';
import ws from 'ws';
import type { ObservationRow } from '@llmpt/sink';
import { stackEnv, waitFor } from '@llmpt/testkit';
import { cfg, skip } from '../config.ts';
import type { Bench } from '../bench.ts';
import { withClient } from '../infra.ts';
import { fmt, perSecond } from '../report.ts';

/** Naive per-row delete-then-insert through PostgREST on a sample, extrapolated to the history. */
export async function naiveSection(b: Bench): Promise<void> {
  if (skip('naive')) return;
  const { rows, replayWallMs } = b;
  const sample = rows.observations.slice(0, cfg.naiveRows);
  const times: number[] = [];
  for (let i = 0; i < cfg.runs; i++) times.push(await naiveRestWrite(sample));
  const rate = perSecond(sample.length, times);
  const rowsPerS = rate.value;
  const factRows = rows.observations.length + rows.changes.length;
  const extrapolatedMs = (factRows / rowsPerS) * 1000;
  b.report.record({
    section: 'naive',
    figure: `naive REST delete+insert per row (sample ${sample.length} rows)`,
    ...rate,
    unit: 'rows/s',
    note: `extrapolated to the ${factRows} observation+change rows: ${fmt(extrapolatedMs / 1000)} s${replayWallMs[1] ? `; replay is ${(extrapolatedMs / replayWallMs[1]).toFixed(1)}x faster` : ''}`,
  });
  b.result.naiveExtrapolatedMs = extrapolatedMs;
}

const TABLE = 'bench_naive_observations';
type Transport = NonNullable<NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']>;

/** Writes `rows` one by one (delete then insert per row); returns the wall time (ms). */
export async function naiveRestWrite(rows: readonly ObservationRow[]): Promise<number> {
  const env = stackEnv();
  await withClient(env.databaseUrl, async (c) => {
    await c.query(`drop table if exists public.${TABLE}`);
    await c.query(`create table public.${TABLE} (like public.price_observations including all)`);
    await c.query(`grant all on public.${TABLE} to service_role`);
    await c.query(`notify pgrst, 'reload schema'`);
  });
  const client = createClient(env.supabaseUrl, env.supabaseServiceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: ws as unknown as Transport },
  });
  try {
    // DDL makes PostgREST reload its schema cache (maybe more than once): until the reloads settle a
    // request can still see the old cache (404), so wait for several probe writes in a row to succeed.
    const probe = rows[0];
    let ok = 0;
    if (probe)
      await waitFor(
        async () => {
          const ins = await client.from(TABLE).insert(probe);
          const del = await client.from(TABLE).delete().eq('event_id', probe.event_id);
          ok = ins.error || del.error ? 0 : ok + 1;
          return ok >= 5;
        },
        { timeoutMs: 60_000, intervalMs: 200, message: `PostgREST to serve ${TABLE}` },
      );
    const t0 = Date.now();
    for (const row of rows) {
      const del = await client.from(TABLE).delete().eq('event_id', row.event_id);
      if (del.error) throw new Error(`naive delete: ${JSON.stringify(del.error)}`);
      const ins = await client.from(TABLE).insert(row);
      if (ins.error) throw new Error(`naive insert: ${JSON.stringify(ins.error)} (HTTP ${ins.status})`);
    }
    return Date.now() - t0;
  } finally {
    await client.removeAllChannels();
    await withClient(env.databaseUrl, async (c) => {
      await c.query(`drop table if exists public.${TABLE}`);
      await c.query(`notify pgrst, 'reload schema'`);
    });
  }
}
