// Replay through the Supabase store (supabase-js over PostgREST) on a smaller history under a
// namespace, since it writes into the main database; the namespaced rows are removed around each run.
import { createTestTopics, withClient } from '@llmpt/testkit';
import { cfg, endpointsFile, modelsFile, skip } from '../config.ts';
import type { Bench } from '../bench.ts';
import { generateHistory } from '../history.ts';
import { load, median, produceAll } from '../infra.ts';
import { fmt } from '../report.ts';
import { replay, sinkItems, type ReplayRun } from '../sink-replay.ts';

export async function supabaseSection(b: Bench): Promise<void> {
  if (skip('supabase')) return;
  const { env, kafka } = b;
  const ns = 'zzbench-';
  const small = generateHistory({
    modelsFile,
    endpointsFile,
    days: cfg.supabaseDays,
    seed: cfg.seed,
    namespace: ns,
  });
  const sp = b.newPrefix('supabase');
  await createTestTopics(sp, { kafka, partitions: cfg.partitions });
  const items = sinkItems(small, sp);
  await produceAll(kafka, items);
  const runs: ReplayRun[] = [];
  const obsIds = new Set(small.normalized.map((e) => e.event_id)).size;
  const chIds = new Set(small.changed.map((e) => e.event_id)).size;
  const countNs = async () =>
    withClient(env.databaseUrl, async (c) => {
      const r = await c.query<{ o: string; c: string }>(
        `select (select count(*) from price_observations where model_id like $1)::text o,
                  (select count(*) from price_changes where model_id like $1)::text c`,
        [`${ns}%`],
      );
      return { observations: Number(r.rows[0]!.o), changes: Number(r.rows[0]!.c) };
    });
  try {
    for (let i = 0; i < cfg.runs; i++) {
      await cleanNamespace(env.databaseUrl, ns);
      const r = await replay(b, sp, 1, 'supabase', undefined, `sb-${i}`, countNs);
      if (r.observations !== obsIds || r.changes !== chIds)
        throw new Error(
          `supabase replay: ${r.observations}/${obsIds} observations, ${r.changes}/${chIds} changes`,
        );
      runs.push(r);
    }
  } finally {
    await cleanNamespace(env.databaseUrl, ns);
  }
  b.report.loads.push(`supabase: ${load()}`);
  const eps = runs.map((r) => items.length / (r.wallMs / 1000));
  b.report.record({
    section: 'replay',
    figure: `replay -> supabase/PostgREST (1 sink, ${cfg.supabaseDays}-day sample)`,
    value: median(eps),
    unit: 'events/s',
    runs: eps,
    note: `${items.length} events; steady ${fmt(median(runs.map((r) => items.length / (r.steadyMs / 1000))))} ev/s; peak RSS ${fmt(median(runs.map((r) => r.peakRssKb / 1024)))} MiB`,
  });
}

async function cleanNamespace(databaseUrl: string, ns: string): Promise<void> {
  // The append-only triggers guard against the application; this session (superuser) skips them to
  // remove only the bench's namespaced rows.
  await withClient(databaseUrl, async (c) => {
    await c.query('begin');
    await c.query(`set local session_replication_role = replica`);
    for (const table of [
      'price_observations',
      'price_changes',
      'model_providers',
      'models_catalog',
      'model_versions',
      'model_sightings',
    ])
      await c.query(`delete from public.${table} where model_id like $1`, [`${ns}%`]);
    await c.query(`delete from public.providers where slug like $1`, [`${ns}%`]);
    await c.query('commit');
  });
}
