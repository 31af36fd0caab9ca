// Micro-measurement of the sink's Postgres writes (writeBatch), in process, no broker: the bench's
// deterministic history cut per topic into batches of 1,000 and 5,000 events as a consumer receives
// them, projected, then written into a fresh database by the current store (COPY into temporary
// tables, then insert ... select) and by the statements as they were before (one jsonb_to_recordset
// statement per 500 rows, the same SQL otherwise), interleaved round by round in one process.
// Besides wall time (noisy on a shared machine), the CPU each variant used: this process's, and the
// Postgres backend's (from /proc: Linux, with the stack's Postgres on this machine).
// Figures only: nothing here asserts a time. Needs the local stack's Postgres (STACK_DIR).
//   STACK_SKIP=1 STACK_DIR=... node --import tsx bench/src/micro/sink-write.ts [days] [rounds]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import {
  createPostgresStore,
  emptyRows,
  project,
  ROW_LISTS,
  rowCount,
  sinkStatements,
  type DecodedEvent,
  type Rows,
} from '@llmpt/sink';
import { endpointsFile, modelsFile } from '../config.ts';
import { generateHistory } from '../history.ts';
import { freshDatabase, load, median } from '../infra.ts';
import { sinkItems } from '../sink-replay.ts';

const days = Number(process.argv[2] ?? 20);
const rounds = Math.max(5, Number(process.argv[3] ?? 5));
const out = (line: string) => process.stdout.write(`${line}\n`);

const history = generateHistory({ modelsFile, endpointsFile, days, seed: 42 });
const items = sinkItems(history, '');

function batchesOf(size: number): Rows[] {
  const byTopic = new Map<string, DecodedEvent[]>();
  for (const item of items) {
    const list = byTopic.get(item.topic) ?? [];
    list.push({ name: item.name, event: item.event } as DecodedEvent);
    byTopic.set(item.topic, list);
  }
  const batches: Rows[] = [];
  for (const list of byTopic.values())
    for (let i = 0; i < list.length; i += size) batches.push(project(list.slice(i, i + size)));
  return batches;
}

interface Took {
  readonly wall: number;
  /** CPU ms of this process (building the rows' text) and of the Postgres backend. */
  readonly client: number;
  readonly server: number;
}

/** CPU ms a process has used so far (utime + stime, in clock ticks of 10 ms). */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function measured(backend: number, fn: () => Promise<void>): Promise<Took> {
  const server = cpuOf(backend);
  const client = process.cpuUsage();
  const wall = performance.now();
  await fn();
  const used = process.cpuUsage(client);
  return {
    wall: performance.now() - wall,
    client: (used.user + used.system) / 1000,
    server: cpuOf(backend) - server,
  };
}

/** The postgres store's writes before COPY: one statement per 500 rows, rows as a jsonb parameter. */
async function writeBefore(databaseUrl: string, batches: readonly Rows[]): Promise<Took> {
  const statements = sinkStatements(() => '$1::jsonb');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const backend = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    return await measured(backend, async () => {
      for (const rows of batches) {
        await client.query('begin');
        for (const list of ROW_LISTS)
          for (let i = 0; i < rows[list].length; i += 500)
            await client.query(statements[list], [JSON.stringify(rows[list].slice(i, i + 500))]);
        await client.query('commit');
      }
    });
  } finally {
    await client.end();
  }
}

async function writeAfter(databaseUrl: string, batches: readonly Rows[]): Promise<Took> {
  const applicationName = `sink-write-bench-${process.pid}`;
  const store = createPostgresStore({ databaseUrl, poolSize: 1, applicationName });
  const probe = new pg.Client({ connectionString: databaseUrl });
  await probe.connect();
  try {
    // The store's one connection, opened (and its temporary tables made) before the clock starts.
    await store.writeBatch(emptyRows);
    const backend = (
      await probe.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [
        applicationName,
      ])
    ).rows[0]!.pid;
    return await measured(backend, async () => {
      for (const rows of batches) await store.writeBatch(rows);
    });
  } finally {
    await probe.end();
    await store.close();
  }
}

const variants = { before: writeBefore, after: writeAfter } as const;
out(`sink writeBatch micro-bench: ${days} days, ${items.length} events, ${rounds} rounds; load ${load()}`);
for (const size of [1000, 5000]) {
  const batches = batchesOf(size);
  const rows = batches.reduce((n, b) => n + rowCount(b), 0);
  const runs: Record<keyof typeof variants, Took[]> = { before: [], after: [] };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? (['after', 'before'] as const) : (['before', 'after'] as const);
    for (const which of order) {
      const db = await freshDatabase(`sinkwrite-${which}`);
      try {
        runs[which].push(await variants[which](db.url, batches));
      } finally {
        await db.drop();
      }
    }
  }
  const eps = (ms: number) => Math.round(items.length / (ms / 1000)).toLocaleString('en-US');
  const med = (which: keyof typeof variants, f: keyof Took) => median(runs[which].map((t) => t[f]));
  const line = (which: keyof typeof variants) =>
    `${which} ${eps(med(which, 'wall'))} ev/s by wall (runs ${runs[which].map((t) => Math.round(t.wall)).join(', ')} ms), ` +
    `CPU ms: server ${Math.round(med(which, 'server'))}, client ${Math.round(med(which, 'client'))}`;
  out(`batches of ${size}: ${batches.length} batches, ${rows} rows`);
  out(`  ${line('before')}`);
  out(`  ${line('after')}`);
  out(
    `  after/before: wall ×${(med('before', 'wall') / med('after', 'wall')).toFixed(2)} faster, ` +
      `server CPU ×${(med('after', 'server') / med('before', 'server')).toFixed(2)}, ` +
      `client CPU ×${(med('after', 'client') / med('before', 'client')).toFixed(2)}`,
  );
}
out(`load ${load()}`);
process.exit(0);
