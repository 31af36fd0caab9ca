// The machine's limit for writing the same rows: COPY ... FROM STDIN (CSV, pg-copy-streams) of the
// rows the sink's own projection yields for the whole history, one transaction, into an empty schema.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createPostgresStore, rowCount, type Rows } from '@llmpt/sink';
import { cfg, skip } from '../config.ts';
import type { Bench } from '../bench.ts';
import { sampleCpu } from '../cpu.ts';
import { freshDatabase, median } from '../infra.ts';
import { fmt, perSecond } from '../report.ts';

export async function copySection(b: Bench): Promise<void> {
  if (skip('copy')) return;
  const { events, rows, replayWallMs } = b;
  const times: number[] = [];
  for (let i = 0; i < cfg.runs; i++) {
    const db = await freshDatabase('copy');
    try {
      times.push(await copyRows(db.url, rows));
    } finally {
      await db.drop();
    }
  }
  const copyMs = median(times);
  b.report.record({
    section: 'limits',
    figure: 'COPY FROM STDIN of the same rows (pg-copy-streams, CSV)',
    ...perSecond(events, times),
    unit: 'events/s eq.',
    note: `${rowCount(rows)} rows in ${fmt(copyMs)} ms${replayWallMs[1] ? `; replay = ${(copyMs / replayWallMs[1]).toFixed(2)}x COPY` : ''}`,
  });
  b.result.copyMs = copyMs;

  // The floor of the sink's own write path: its store (COPY into temporary tables, then the idempotent
  // insert ... select / on conflict statements) given every row at once, one transaction, no Kafka.
  const storeTimes: number[] = [];
  const storeCpu: number[] = [];
  for (let i = 0; i < cfg.runs; i++) {
    const db = await freshDatabase('store');
    const store = createPostgresStore({ databaseUrl: db.url });
    try {
      const before = sampleCpu();
      const t0 = Date.now();
      await store.writeBatch(rows);
      storeTimes.push(Date.now() - t0);
      storeCpu.push(sampleCpu().postgres - before.postgres);
    } finally {
      await store.close();
      await db.drop();
    }
  }
  const storeMs = median(storeTimes);
  b.report.record({
    section: 'limits',
    figure: "the sink's store alone: every row in one writeBatch (one transaction, no Kafka)",
    ...perSecond(events, storeTimes),
    unit: 'events/s eq.',
    note: `${fmt(storeMs)} ms = ${(storeMs / copyMs).toFixed(2)}x COPY's time; Postgres CPU ${fmt(median(storeCpu))} s; replay at 0.5x COPY would leave ${fmt(2 * copyMs - storeMs)} ms for everything else`,
  });
  b.result.storeMs = storeMs;
}

const TABLES: readonly [keyof Rows, string][] = [
  ['providers', 'public.providers'],
  ['models', 'public.models_catalog'],
  ['modelProviders', 'public.model_providers'],
  ['observations', 'public.price_observations'],
  ['changes', 'public.price_changes'],
  ['retractions', 'public.price_change_retractions'],
  ['modelVersions', 'public.model_versions'],
  ['modelSightings', 'public.model_sightings'],
];
const JSONB = new Set(['raw', 'top_provider', 'datacenters', 'changes']);
const ARRAYS = new Set(['input_modalities', 'output_modalities', 'supported_parameters', 'notes']);

const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;
const arrayLiteral = (xs: readonly string[]): string =>
  `{${xs.map((x) => `"${x.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;

function csvField(column: string, v: unknown): string {
  if (v === null || v === undefined) return '';
  if (JSONB.has(column)) return quote(JSON.stringify(v));
  if (ARRAYS.has(column)) return quote(arrayLiteral(v as string[]));
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return quote(JSON.stringify(v));
}

function* csvLines(rows: readonly object[], columns: readonly string[]): Generator<string> {
  let buf = '';
  for (const row of rows) {
    const r = row as Record<string, unknown>;
    buf += columns.map((c) => csvField(c, r[c])).join(',') + '\n';
    if (buf.length > 1 << 20) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

/** COPYs every row into the tables of `databaseUrl` in one transaction; returns the wall time (ms). */
export async function copyRows(databaseUrl: string, rows: Rows): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const t0 = Date.now();
    await client.query('begin');
    for (const [key, table] of TABLES) {
      const list = rows[key] as readonly object[];
      if (list.length === 0) continue;
      const columns = Object.keys(list[0]!);
      const stream = client.query(
        copyFrom(`copy ${table} (${columns.join(', ')}) from stdin with (format csv)`),
      );
      await pipeline(Readable.from(csvLines(list, columns)), stream);
    }
    await client.query('commit');
    return Date.now() - t0;
  } finally {
    await client.end();
  }
}
