// Issue 14, valid time apart from arrival order (docs/price-model.md §4), through the REAL scraper,
// normalizer and sink processes, each pipeline on its own topics and its own fresh database:
//
// - IN ORDER: the shared 63-day series backfilled (`npm run backfill`, capture-time order), then two
//   more days run live (discovery's own run, its clock at each day's capture time, against a fixture
//   server serving that day's recorded /models): all 65 days reach the normalizer in time order.
// - LATE: the same two live days first, then the same series backfilled newest capture first with the
//   normalizer killed (-9) in the middle and restarted, then the whole series published once more.
//
// The rule (§4.1): the PriceChanged versions in force are a function of the SET of inputs, never of
// their arrival order. So LATE must end with IN ORDER's history: the same observations, the same
// versions in force (id and digest, §4.3), the same price_at at a dozen past instants; on its way it
// retracted what the live days had published before their history arrived, and everything it learned
// late is marked backfilled (§4.5). The archive itself is the oracle for price_at (its published
// routed prices), read here independently of the pipeline.
//
// One exception, documented in §4.2: a NormalizedPrice's identity within a UTC day chains on the key's
// previous observation of that day, so two captures of one day with DIFFERENT prices that arrive
// newest first get another id for the later one than an in-order run gives. The series has one such
// day (2026-02-27: three captures, two models repriced between them); those models are found from the
// archive here, left out of the equalities, and every difference between the two databases must lie
// within them.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, topics } from '@llmpt/runtime';
import { createProducer } from '@llmpt/runtime/kafka';
import { parseBlocklist, readBackfillSource, runBackfill, runDiscovery } from '@llmpt/discovery';
import { startFixtureServer, type FixtureServer } from '@llmpt/fixture-server';
import { tableChecksums } from '@llmpt/sink';
import { changeDigest } from '@llmpt/normalizer';
import {
  consumeAll,
  createTestTopics,
  deleteTestTopics,
  freshDatabase,
  groupIds,
  repoRoot,
  runBackfillCommand,
  sharedData,
  stackEnv,
  startService,
  testKafka,
  uniquePrefix,
  waitForDrain,
  type FreshDatabase,
  type PipelineSettings,
  type ProcessRun,
  type ServiceProcess,
} from '@llmpt/testkit';

const SLOW = 900_000;
const series = sharedData('openrouter', 'series', 'skissue_daily_series_2026-02-27_to_2026-05-01.tar.xz');
/** Two later whole catalogs (SOURCES.md), run live at 06:00Z of their day, after the series ends. */
const LIVE = ['2026-05-07', '2026-05-18'].map((day) => ({
  day,
  file: sharedData('openrouter', 'models', `openrouter_models_aiscanner_${day}.json`),
  providers: sharedData('openrouter', 'providers', `openrouter_providers_aiscanner_${day}.json`),
  at: Date.parse(`${day}T06:00:00Z`),
}));
const SOURCE_URL = 'https://openrouter.ai/api/v1/models';
const logger = createLogger({ service: 'valid-time-int', level: 'warn' });
const kafka = testKafka('valid-time-int');
const blocklist = parseBlocklist(
  readFileSync(path.join(repoRoot, 'configs', 'models_blocklist.yml'), 'utf8'),
);

interface Entry {
  readonly id: string;
  readonly pricing: Record<string, unknown>;
  readonly context_length?: number | null;
  readonly architecture?: { input_modalities?: string[] };
}
interface Capture {
  readonly at: number;
  readonly entries: Entry[];
}

/** skissue_YYYYMMDD-HHMM_sha8.json: the capture time its name states, read independently. */
function captureTimeOf(file: string): number {
  const m = /_(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})_/.exec(file)!;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
}

const entriesOf = (body: unknown): Entry[] =>
  Array.isArray(body) ? (body as Entry[]) : (body as { data: Entry[] }).data;

/** The routed price per 1M tokens a capture publishes, when it is an exact plain price (else null). */
function perMillion(raw: unknown): Decimal | null {
  if (typeof raw !== 'string' || !/^\d+(\.\d+)?$/.test(raw)) return null;
  const d = new Decimal(raw).times(1_000_000);
  return d.decimalPlaces() <= 8 ? d : null;
}

interface Pipeline {
  readonly name: string;
  readonly prefix: string;
  readonly settings: PipelineSettings;
  readonly fresh: FreshDatabase;
  readonly db: pg.Client;
  readonly services: Map<'scraper' | 'normalizer' | 'sink', ServiceProcess>;
}

async function startPipeline(name: string, work: string): Promise<Pipeline> {
  const prefix = uniquePrefix(`vt-${name}`);
  await createTestTopics(prefix, { kafka });
  const fresh = await freshDatabase(`valid_time_${name}`);
  const settings: PipelineSettings = {
    kafkaBrokers: stackEnv().kafkaBrokers.join(','),
    store: 'postgres',
    databaseUrl: fresh.url,
    topicPrefix: prefix,
    // Nothing listens here, and the scraper fetches no endpoints: every observation is a routed price
    // at its run's capture time, the same in both pipelines.
    openRouterBaseUrl: 'http://127.0.0.1:9',
    scrapeProviderSites: false,
    logDir: path.join(work, 'logs', name),
    logLevel: 'warn',
  };
  const db = new pg.Client({ connectionString: fresh.url });
  await db.connect();
  const p: Pipeline = { name, prefix, settings, fresh, db, services: new Map() };
  for (const s of ['scraper', 'normalizer', 'sink'] as const) start(p, s);
  return p;
}

function start(p: Pipeline, service: 'scraper' | 'normalizer' | 'sink'): void {
  p.services.set(service, startService(service, p.settings, { SCRAPE_ENDPOINTS: 'false' }));
}

const running = (p: Pipeline) => [...p.services.values()];
const drain = (p: Pipeline) => waitForDrain(kafka, p.prefix, { services: running(p), timeoutMs: 600_000 });

/** `npm run backfill`'s entry point as its own process, paced on this pipeline's groups. */
function backfillCommand(p: Pipeline, extra: readonly string[] = []): Promise<ProcessRun> {
  return runBackfillCommand(p.settings, series, extra);
}

/** A live day: discovery's run (the CronJob's code) with its clock at the day's capture time. */
async function liveDay(p: Pipeline, day: (typeof LIVE)[number]): Promise<void> {
  // One server per day for both pipelines: the observations carry its URL (source_url).
  const server = servers.get(day.day)!;
  const producer = createProducer(kafka, { idempotent: true });
  await producer.connect();
  try {
    await runDiscovery({
      baseUrl: server.url,
      runId: `live-${day.day}`,
      blocklist,
      producer,
      topicPrefix: p.prefix,
      timeoutMs: 20_000,
      attempts: 2,
      logger,
      now: () => day.at,
    });
  } finally {
    await producer.disconnect();
  }
}

/** The versions in force (price_changes_in_force), as `event_id:digest` lines, but `except`'s models. */
async function inForce(p: Pipeline, except: ReadonlySet<string> = new Set()): Promise<string[]> {
  const { rows } = await p.db.query<{ v: string }>(
    `select event_id || ':' || digest as v from public.price_changes_in_force
      where not (model_id = any($1::text[])) order by 1`,
    [[...except]],
  );
  return rows.map((r) => r.v);
}

/** md5 of a table's rows (all columns but the write-time ones) in key order, but `except`'s models. */
async function tableDigest(p: Pipeline, table: string, key: string, except: ReadonlySet<string>) {
  const cols = (
    await p.db.query<{ c: string }>(
      `select column_name as c from information_schema.columns
        where table_schema = 'public' and table_name = $1 and column_name not in ('inserted_at', 'updated_at')
        order by ordinal_position`,
      [table],
    )
  ).rows.map((r) => `t.${r.c}`);
  const { rows } = await p.db.query<{ n: string; md5: string }>(
    `select count(*)::text as n, md5(coalesce(string_agg(row(${cols.join(', ')})::text, E'\\n' order by ${key}), '')) as md5
       from public.${table} t where not (t.model_id = any($1::text[]))`,
    [[...except]],
  );
  return rows[0]!;
}

/** The sink's tables a PriceChanged's marker or a retraction does not touch: equal content expected. */
const SAME_TABLES = [
  'providers',
  'models_catalog',
  'model_providers',
  'price_observations',
  'model_versions',
  'model_sightings',
];

async function sameTableChecksums(p: Pipeline) {
  const all = await tableChecksums(p.db);
  return Object.fromEntries(SAME_TABLES.map((t) => [t, all[t]]));
}

const servers = new Map<string, FixtureServer>();
let work: string;
let captures: Capture[];
/** Models whose routed price differs between two captures of one UTC day (§4.2's exception). */
let sameDayMovers: Set<string>;
let inOrder: Pipeline;
let late: Pipeline;

beforeAll(async () => {
  for (const d of LIVE)
    servers.set(d.day, await startFixtureServer({ models: d.file, providers: d.providers }));
  work = mkdtempSync(path.join(tmpdir(), 'llmpt-valid-time-int-'));
  const dir = path.join(work, 'series');
  mkdirSync(dir);
  execFileSync('tar', ['-xJf', series, '-C', dir]);
  const members = readdirSync(path.join(dir, 'skissue_daily')).sort();
  expect(members).toHaveLength(63);
  captures = [
    ...members.map((file) => ({
      at: captureTimeOf(file),
      entries: entriesOf(JSON.parse(readFileSync(path.join(dir, 'skissue_daily', file), 'utf8'))),
    })),
    ...LIVE.map((d) => ({ at: d.at, entries: entriesOf(JSON.parse(readFileSync(d.file, 'utf8'))) })),
  ].sort((a, b) => a.at - b.at);
  const byDay = new Map<string, Capture[]>();
  for (const c of captures) {
    const day = new Date(c.at).toISOString().slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), c]);
  }
  sameDayMovers = new Set(
    [...byDay.values()].flatMap((cs) => {
      const prices = new Map<string, Set<string>>();
      for (const c of cs)
        for (const e of c.entries)
          prices.set(e.id, (prices.get(e.id) ?? new Set()).add(JSON.stringify(e.pricing)));
      return [...prices].filter(([, p]) => p.size > 1).map(([id]) => id);
    }),
  );
  [inOrder, late] = await Promise.all([startPipeline('inorder', work), startPipeline('late', work)]);
}, 180_000);

afterAll(async () => {
  for (const p of [inOrder, late]) {
    if (!p) continue;
    await Promise.allSettled(running(p).map((s) => s.stop('SIGTERM')));
    await p.db.end().catch(() => undefined);
    await p.fresh.drop();
    await deleteTestTopics(p.prefix, { kafka });
  }
  for (const s of servers.values()) await s.close();
  rmSync(work, { recursive: true, force: true });
}, 180_000);

describe('valid time: 63 archived days and 2 live days, in order and late (docs/price-model.md §4)', () => {
  let liveOnly: string[];

  it(
    'IN ORDER backfills the series then runs two days live; LATE runs the live days, then the series newest first with the normalizer killed -9 mid-way, then the series again',
    async () => {
      const inOrderRun = (async () => {
        const run = await backfillCommand(inOrder);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('files=63 ');
        for (const day of LIVE) {
          await drain(inOrder);
          await liveDay(inOrder, day);
        }
        await drain(inOrder);
      })();

      const lateRun = (async () => {
        for (const day of LIVE) {
          await liveDay(late, day);
          await drain(late);
        }
        liveOnly = await inForce(late);
        const backfill = backfillCommand(late, ['--newest-first']);
        // Kill the normalizer once it has consumed part of the backfill (its group moved on the raw topic).
        const raw = late.prefix + topics.rawPriceObserved.name;
        const admin = kafka.admin();
        await admin.connect();
        try {
          const committed = async () => {
            const offs = await admin.fetchOffsets({
              groupId: groupIds(late.prefix).normalizer,
              topics: [raw],
            });
            return offs.flatMap((t) => t.partitions).reduce((n, x) => n + Math.max(0, Number(x.offset)), 0);
          };
          const atStart = await committed();
          const deadline = Date.now() + 300_000;
          while ((await committed()) < atStart + 5_000) {
            if (Date.now() > deadline)
              throw new Error('the normalizer never consumed 5,000 backfilled observations');
            await new Promise((r) => setTimeout(r, 250));
          }
        } finally {
          await admin.disconnect();
        }
        const code = await late.services.get('normalizer')!.stop('SIGKILL');
        expect(code).toBeNull();
        start(late, 'normalizer');
        const run = await backfill;
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('files=63 ');
        await drain(late);
        // The whole archive once more, every file republished (the command itself would skip them):
        // the adapter the command runs, without its skip list and without pacing.
        const producer = createProducer(kafka, { idempotent: true });
        await producer.connect();
        try {
          const again = await runBackfill({
            source: readBackfillSource(series),
            sourceUrl: SOURCE_URL,
            blocklist,
            producer,
            topicPrefix: late.prefix,
            now: Date.now(),
            logger,
            progress: () => undefined,
          });
          expect(again.published).toBe(true);
          expect(again.skipped).toBe(0);
        } finally {
          await producer.disconnect();
        }
        await drain(late);
      })();

      await Promise.all([inOrderRun, lateRun]);
    },
    SLOW,
  );

  it('LATE ends with IN ORDER history: the same tables and the same PriceChanged versions in force', async () => {
    expect([...sameDayMovers].sort()).toEqual([
      'deepseek/deepseek-chat-v3-0324',
      'deepseek/deepseek-r1-0528',
    ]);
    // The tables no marker or retraction touches: equal, whole.
    const others = (all: Awaited<ReturnType<typeof sameTableChecksums>>) => {
      const { price_observations: _observations, ...rest } = all;
      return rest;
    };
    expect(others(await sameTableChecksums(late))).toEqual(others(await sameTableChecksums(inOrder)));
    // Observations: equal but for the §4.2 exception's models.
    const observations = (p: Pipeline) => tableDigest(p, 'price_observations', 't.event_id', sameDayMovers);
    const expectedObservations = await observations(inOrder);
    expect(Number(expectedObservations.n)).toBeGreaterThan(20_000);
    const lateObservations = await observations(late);
    if (lateObservations.md5 !== expectedObservations.md5) {
      // Name the rows that differ (a few), column by column, rather than two hashes.
      const rowsOf = async (p: Pipeline) =>
        new Map(
          (
            await p.db.query<{ event_id: string; j: Record<string, unknown> }>(
              `select event_id, to_jsonb(t) - 'inserted_at' as j from public.price_observations t
                where not (model_id = any($1::text[]))`,
              [[...sameDayMovers]],
            )
          ).rows.map((r) => [r.event_id, r.j]),
        );
      const [want, got] = [await rowsOf(inOrder), await rowsOf(late)];
      const diffs = [...want]
        .filter(([id, row]) => JSON.stringify(row) !== JSON.stringify(got.get(id)))
        .slice(0, 3)
        .map(([id, row]) => {
          const other = got.get(id) ?? {};
          return Object.keys(row)
            .filter((k) => JSON.stringify(row[k]) !== JSON.stringify(other[k]))
            .map((k) => `${id} ${k}: in order ${JSON.stringify(row[k])}, late ${JSON.stringify(other[k])}`);
        });
      expect(diffs).toEqual([]);
    }
    expect(lateObservations).toEqual(expectedObservations);
    // Every difference lies within the exception's models: the rows of the one database the other lacks.
    const ids = async (p: Pipeline) =>
      new Map(
        (
          await p.db.query<{ event_id: string; model_id: string }>(
            'select event_id, model_id from public.price_observations',
          )
        ).rows.map((r) => [r.event_id, r.model_id]),
      );
    const [a, b] = [await ids(inOrder), await ids(late)];
    const differing = new Set([
      ...[...a].filter(([id]) => !b.has(id)).map(([, m]) => m),
      ...[...b].filter(([id]) => !a.has(id)).map(([, m]) => m),
    ]);
    for (const m of differing) expect(sameDayMovers.has(m), m).toBe(true);
    const expected = await inForce(inOrder, sameDayMovers);
    expect(expected.length).toBeGreaterThan(400);
    expect(await inForce(late, sameDayMovers)).toEqual(expected);
    // No id in force twice, in either database.
    for (const p of [inOrder, late]) {
      const { rows } = await p.db.query(
        `select event_id from public.price_changes_in_force group by event_id having count(*) > 1`,
      );
      expect(rows, p.name).toEqual([]);
    }
    // IN ORDER never had to correct itself.
    const { rows } = await inOrder.db.query<{ n: string }>(
      'select count(*)::text as n from public.price_change_retractions',
    );
    expect(rows[0]!.n).toBe('0');
  });

  it("the topics say the same: PriceChanged minus PriceChangeRetracted (§4.4's reader) is the view in force", async () => {
    for (const p of [inOrder, late]) {
      const changes = await consumeAll(kafka, p.prefix + topics.priceChanged.name);
      const retractions = await consumeAll(kafka, p.prefix + topics.priceChangeRetracted.name);
      const last = new Map<string, { revision: number; retracted: boolean }>();
      for (const r of retractions) {
        if (r.name !== 'PriceChangeRetracted') throw new Error(`unexpected ${r.name}`);
        const v = `${r.event.retracted_event_id}:${r.event.retracted_digest}`;
        if ((last.get(v)?.revision ?? -1) < r.event.revision) last.set(v, r.event);
      }
      const versions = new Set<string>();
      for (const c of changes) {
        if (c.name !== 'PriceChanged') throw new Error(`unexpected ${c.name}`);
        versions.add(`${c.event.event_id}:${changeDigest(c.event)}`);
      }
      const topicInForce = [...versions].filter((v) => !last.get(v)?.retracted).sort();
      expect(topicInForce, p.name).toEqual(await inForce(p));
    }
  });

  it('LATE corrected what the live days published before their history: retracted, and the late changes marked backfilled', async () => {
    // The live days alone made every routed price of 05-07 `new`; with 63 earlier days, most are not.
    const nowInForce = new Set(await inForce(late));
    const retractedLive = liveOnly.filter((v) => !nowInForce.has(v));
    expect(retractedLive.length).toBeGreaterThan(100);
    const { rows: records } = await late.db.query<{ v: string; retracted: boolean; revision: string }>(
      `select retracted_event_id || ':' || retracted_digest as v, retracted, revision::text
         from public.price_change_retractions`,
    );
    const lastOf = new Map<string, { retracted: boolean; revision: number }>();
    for (const r of records) {
      const rev = Number(r.revision);
      if ((lastOf.get(r.v)?.revision ?? -1) < rev) lastOf.set(r.v, { retracted: r.retracted, revision: rev });
    }
    for (const v of retractedLive) expect(lastOf.get(v)?.retracted, v).toBe(true);

    // Backfilled (§4.5): what LATE learned after the live days is marked; the live days' own
    // changes still in force are not. IN ORDER: the series' changes are marked, the live days' not.
    const marked = async (p: Pipeline) =>
      (
        await p.db.query<{ v: string; backfilled: boolean; snapshot_date: Date }>(
          `select event_id || ':' || digest as v, backfilled, snapshot_date from public.price_changes_in_force`,
        )
      ).rows;
    const liveSet = new Set(liveOnly);
    for (const r of await marked(late)) expect(r.backfilled, r.v).toBe(!liveSet.has(r.v));
    const liveDays = new Set(LIVE.map((d) => d.day));
    for (const r of await marked(inOrder))
      expect(r.backfilled, r.v).toBe(!liveDays.has(r.snapshot_date.toISOString().slice(0, 10)));
  });

  it("price_at at a dozen past instants: both databases answer the archive's published price", async () => {
    // Twelve instants spread over the 65 captures, one hour after each chosen capture.
    const picks = Array.from(
      { length: 12 },
      (_, i) => captures[Math.round((i * (captures.length - 1)) / 11)]!,
    );
    let checked = 0;
    for (const c of picks) {
      const at = new Date(c.at + 3_600_000).toISOString();
      for (const e of c.entries.slice(0, 40)) {
        const prompt = perMillion(e.pricing.prompt);
        const completion = perMillion(e.pricing.completion);
        const speech = e.context_length === 0 && !(e.architecture?.input_modalities ?? []).includes('text');
        if (!prompt || !completion || speech || sameDayMovers.has(e.id)) continue;
        const answers = await Promise.all(
          [inOrder, late].map(
            async (p) =>
              (
                await p.db.query<{ prompt: string; completion: string; effective_from: Date }>(
                  'select prompt, completion, effective_from from public.price_at($1, $2)',
                  [e.id, at],
                )
              ).rows,
          ),
        );
        expect(answers[1], `${e.id} at ${at}`).toEqual(answers[0]);
        expect(answers[0], `${e.id} at ${at}`).toHaveLength(1);
        expect(new Decimal(answers[0]![0]!.prompt).eq(prompt), `${e.id} prompt at ${at}`).toBe(true);
        expect(new Decimal(answers[0]![0]!.completion).eq(completion), `${e.id} completion at ${at}`).toBe(
          true,
        );
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(300);
  });
});
