// The backfill command into a fresh install (docs/design.md "Backfill", the in-order case): five days
// of the shared 63-day series (2026-03-02 → 03-06, the Qwen price cut of 03-04 among them) packed as
// a .tar.xz, published by `npm run backfill`'s entry point as its own process, carried by the REAL
// scraper, normalizer and sink processes into a fresh database. The oracle is the archive itself, read
// here: price_at just after each capture equals that day's published routed price (USD per token x
// 10^6, exact), nothing is known before the first capture, each model's metadata as of each capture
// is that day's entry (model_sightings -> model_versions), and the same archive again adds no row and
// no PriceChanged.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@llmpt/runtime';
import {
  consumeAll,
  createTestTopics,
  deleteTestTopics,
  freshDatabase,
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

const series = sharedData('openrouter', 'series', 'skissue_daily_series_2026-02-27_to_2026-05-01.tar.xz');
const DAYS = ['20260302', '20260303', '20260304', '20260305', '20260306'];

interface Entry {
  readonly id: string;
  readonly name: string;
  readonly context_length?: number | null;
  readonly pricing: Record<string, unknown>;
  readonly architecture?: { input_modalities?: string[] };
}
interface Day {
  readonly file: string;
  readonly at: number;
  readonly entries: Entry[];
}

/** The capture time the member's name states (skissue_YYYYMMDD-HHMM_sha8.json), read independently. */
function captureOf(file: string): number {
  const m = /_(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})_/.exec(file)!;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
}

const PER_MILLION = new Decimal(1_000_000);

/** The routed price per 1M tokens the file publishes, when it is an exact plain price (else null). */
function perMillion(raw: unknown): Decimal | null {
  if (typeof raw !== 'string' || !/^\d+(\.\d+)?$/.test(raw)) return null;
  const d = new Decimal(raw).times(PER_MILLION);
  return d.decimalPlaces() <= 8 ? d : null;
}

let work: string;
let days: Day[];
let archive: string;
let membersDir: string;
let memberNames: string[];
let settings: PipelineSettings;
let fresh: FreshDatabase;
let db: pg.Client;
let services: ServiceProcess[];
const prefix = uniquePrefix('backfill');
const kafka = testKafka('backfill-int');

function backfill(source = archive, topicPrefix = prefix): Promise<ProcessRun> {
  return runBackfillCommand({ kafkaBrokers: settings.kafkaBrokers, topicPrefix }, source);
}

async function counts(client: pg.Client = db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of [
    'price_observations',
    'price_changes',
    'model_versions',
    'model_sightings',
    'models_catalog',
  ]) {
    const { rows } = await client.query<{ n: string }>(`select count(*)::text as n from public.${t}`);
    out[t] = Number(rows[0]!.n);
  }
  return out;
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'llmpt-backfill-int-'));
  const all = path.join(work, 'all');
  mkdirSync(all);
  execFileSync('tar', ['-xJf', series, '-C', all]);
  const members = readdirSync(path.join(all, 'skissue_daily'))
    .filter((f) => DAYS.some((d) => f.includes(`_${d}-`)))
    .sort();
  expect(members).toHaveLength(DAYS.length);
  days = members.map((file) => {
    const body = JSON.parse(readFileSync(path.join(all, 'skissue_daily', file), 'utf8')) as
      Entry[] | { data: Entry[] };
    return { file, at: captureOf(file), entries: Array.isArray(body) ? body : body.data };
  });
  membersDir = path.join(all, 'skissue_daily');
  memberNames = members;
  archive = path.join(work, 'five-days.tar.xz');
  // Members in reverse name order inside the archive: the command must order them by capture time.
  execFileSync('tar', ['-cJf', archive, '-C', path.join(all, 'skissue_daily'), ...[...members].reverse()]);

  const env = stackEnv();
  await createTestTopics(prefix, { kafka });
  fresh = await freshDatabase('backfill');
  settings = {
    kafkaBrokers: env.kafkaBrokers.join(','),
    store: 'postgres',
    databaseUrl: fresh.url,
    topicPrefix: prefix,
    // Nothing listens here: a live fetch by the scraper would show as an `unavailable` observation.
    openRouterBaseUrl: 'http://127.0.0.1:9',
    scrapeProviderSites: false,
    logDir: path.join(repoRoot, '.stack', 'logs', 'int', prefix.replace(/\.+$/, '')),
    logLevel: 'warn',
  };
  db = new pg.Client({ connectionString: fresh.url });
  await db.connect();
  services = [
    startService('scraper', settings),
    startService('normalizer', settings),
    startService('sink', settings),
  ];
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(services.map((s) => s.stop('SIGTERM')));
  await db?.end().catch(() => undefined);
  await fresh?.drop();
  await deleteTestTopics(prefix, { kafka });
  rmSync(work, { recursive: true, force: true });
}, 120_000);

describe('backfill of five archived days into a fresh install', () => {
  let first: Record<string, number>;

  it('publishes the five files in capture-time order and the stages write them', async () => {
    const run = await backfill();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const progress = run.stdout.split('\n').filter((l) => l.startsWith('['));
    expect(progress.map((l) => /\] (\S+) /.exec(l)![1])).toEqual(days.map((d) => d.file));
    const models = new Set(days.flatMap((d) => d.entries.map((e) => e.id)));
    expect(run.stdout).toContain(`files=5 days=5 models=${models.size} `);
    await waitForDrain(kafka, prefix, { services, timeoutMs: 240_000 });
    first = await counts();
    expect(first.model_sightings).toBe(
      days.reduce((n, d) => n + new Set(d.entries.map((e) => e.id)).size, 0),
    );
  }, 300_000);

  it('fetched nothing live: every observation is a routed price at a capture time', async () => {
    const { rows } = await db.query<{ source_type: string; status: string; observed_at: Date }>(
      'select distinct source_type, status, observed_at from public.price_observations',
    );
    // Only routed prices; `unavailable` only where the archive itself says "-1" (rule 1: a variable
    // price, the openrouter/* routers), never a failed live fetch.
    expect(new Set(rows.map((r) => r.source_type))).toEqual(new Set(['openrouter_api']));
    const { rows: unavailable } = await db.query<{ model_id: string; unavailable_reason: string }>(
      `select model_id, unavailable_reason from public.price_observations where status = 'unavailable'`,
    );
    expect(unavailable.length).toBeGreaterThan(0);
    for (const u of unavailable) {
      expect(u.unavailable_reason).toBe('variable price (-1)');
      const entries = days.flatMap((d) => d.entries).filter((e) => e.id === u.model_id);
      expect(
        entries.some((e) => e.pricing.prompt === '-1'),
        u.model_id,
      ).toBe(true);
    }
    const captures = new Set(days.map((d) => d.at));
    for (const r of rows) expect(captures.has(r.observed_at.getTime())).toBe(true);
  });

  it("price_at just after each capture is that day's published routed price; before the first, unknown", async () => {
    let checked = 0;
    for (const day of days) {
      const at = new Date(day.at + 3_600_000).toISOString();
      for (const e of day.entries) {
        const prompt = perMillion(e.pricing.prompt);
        const completion = perMillion(e.pricing.completion);
        const speech = e.context_length === 0 && !(e.architecture?.input_modalities ?? []).includes('text');
        if (!prompt || !completion || speech) continue;
        const { rows } = await db.query<{ prompt: string; completion: string; effective_from: Date }>(
          'select prompt, completion, effective_from from public.price_at($1, $2)',
          [e.id, at],
        );
        expect(rows, `${e.id} at ${at}`).toHaveLength(1);
        expect(new Decimal(rows[0]!.prompt).eq(prompt), `${e.id} prompt at ${at}`).toBe(true);
        expect(new Decimal(rows[0]!.completion).eq(completion), `${e.id} completion at ${at}`).toBe(true);
        expect(rows[0]!.effective_from.getTime()).toBeLessThanOrEqual(day.at);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1500);
    const before = new Date(days[0]!.at - 60_000).toISOString();
    const { rows } = await db.query('select * from public.price_at($1, $2)', [
      days[0]!.entries[0]!.id,
      before,
    ]);
    expect(rows).toEqual([]);
  });

  it('the price cut of 2026-03-04 is one change, effective at that capture', async () => {
    // A model whose prompt price differs between the 03-03 and 03-04 files, both exact.
    const [d3, d4] = [days[1]!, days[2]!];
    const before = new Map(d3.entries.map((e) => [e.id, perMillion(e.pricing.prompt)]));
    const moved = d4.entries.filter((e) => {
      const p = perMillion(e.pricing.prompt);
      const q = before.get(e.id);
      return p && q && !p.eq(q);
    });
    expect(moved.length).toBeGreaterThan(0);
    for (const e of moved) {
      const { rows } = await db.query<{ effective_from: Date }>(
        'select effective_from from public.price_at($1, $2)',
        [e.id, new Date(d4.at + 60_000).toISOString()],
      );
      expect(rows[0]!.effective_from.getTime(), e.id).toBe(d4.at);
    }
  });

  it('removes exactly the models absent from two consecutive snapshots after a sighting (rule 5)', async () => {
    // Oracle from the files: a model priced in some file and absent from the next two.
    const listed = days.map((d) => new Set(d.entries.map((e) => e.id)));
    const expected = new Set<string>();
    days.forEach((d, j) => {
      if (j + 2 >= days.length) return;
      for (const e of d.entries)
        if (e.pricing.prompt !== '-1' && !listed[j + 1]!.has(e.id) && !listed[j + 2]!.has(e.id))
          expected.add(e.id);
    });
    const { rows } = await db.query<{ model_id: string }>(
      `select distinct model_id from public.price_changes where kind = 'removed' and source_type = 'openrouter_api'`,
    );
    expect(new Set(rows.map((r) => r.model_id))).toEqual(expected);
    expect(expected.size).toBeGreaterThan(0);
  });

  it("each model's metadata as of each capture is that day's entry", async () => {
    for (const day of days)
      for (const e of day.entries.slice(0, 60)) {
        const { rows } = await db.query<{ name: string; context_length: string | null; fetched_at: Date }>(
          `select v.name, v.context_length::text, s.fetched_at
             from public.model_sightings s join public.model_versions v on v.event_id = s.event_id
            where s.model_id = $1 and s.fetched_at <= $2
            order by s.fetched_at desc limit 1`,
          [e.id, new Date(day.at + 3_600_000).toISOString()],
        );
        expect(rows, `${e.id} at ${day.file}`).toHaveLength(1);
        expect(rows[0]!.fetched_at.getTime()).toBe(day.at);
        expect(rows[0]!.name).toBe(e.name);
        expect(rows[0]!.context_length).toBe(
          typeof e.context_length === 'number' ? String(e.context_length) : null,
        );
      }
  });

  it('the same archive again adds no row and no PriceChanged', async () => {
    const changesBefore = await consumeAll(kafka, prefix + topics.priceChanged.name);
    const run = await backfill();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('skipped=5');
    await waitForDrain(kafka, prefix, { services, timeoutMs: 240_000 });
    expect(await counts()).toEqual(first);
    const changesAfter = await consumeAll(kafka, prefix + topics.priceChanged.name);
    expect(changesAfter.length).toBe(changesBefore.length);
    expect(changesBefore.length).toBeGreaterThan(0);
  }, 300_000);
});

// A crash of the command after three files and in the middle of the fourth (some of its
// ModelDiscovered out, not its snapshot: emulated by a file of the same name and capture time holding
// part of the entries with the full total_count, which discovery publishes without a snapshot), then
// the same command over the whole archive: the same tables and PriceChanged as the straight run above.
describe('backfill resumed after a crash', () => {
  const prefix2 = uniquePrefix('backfill-resume');
  let fresh2: FreshDatabase;
  let db2: pg.Client;
  let services2: ServiceProcess[];

  beforeAll(async () => {
    await createTestTopics(prefix2, { kafka });
    fresh2 = await freshDatabase('backfill_resume');
    const settings2: PipelineSettings = { ...settings, databaseUrl: fresh2.url, topicPrefix: prefix2 };
    db2 = new pg.Client({ connectionString: fresh2.url });
    await db2.connect();
    services2 = [
      startService('scraper', settings2),
      startService('normalizer', settings2),
      startService('sink', settings2),
    ];
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(services2.map((s) => s.stop('SIGTERM')));
    await db2?.end().catch(() => undefined);
    await fresh2?.drop();
    await deleteTestTopics(prefix2, { kafka });
  }, 120_000);

  it('ends with the same rows and the same PriceChanged ids as the straight run', async () => {
    const crashed = path.join(work, 'crashed');
    mkdirSync(crashed);
    for (const m of memberNames.slice(0, 3))
      writeFileSync(path.join(crashed, m), readFileSync(path.join(membersDir, m)));
    const fourth = days[3]!;
    writeFileSync(
      path.join(crashed, fourth.file),
      JSON.stringify({ data: fourth.entries.slice(0, 100), total_count: fourth.entries.length }),
    );
    const partial = await backfill(crashed, prefix2);
    expect(partial.code).toBe(0);
    expect(partial.stdout).toContain('files=4 ');
    await waitForDrain(kafka, prefix2, { services: services2, timeoutMs: 240_000 });

    const resumed = await backfill(archive, prefix2);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('skipped=3');
    await waitForDrain(kafka, prefix2, { services: services2, timeoutMs: 240_000 });

    expect(await counts(db2)).toEqual(await counts(db));
    const ids = async (client: pg.Client) =>
      (await client.query<{ event_id: string }>('select event_id from public.price_changes order by 1')).rows;
    expect(await ids(db2)).toEqual(await ids(db));
    const topicIds = async (p: string) =>
      (await consumeAll(kafka, p + topics.priceChanged.name)).map((e) => e.event.event_id).sort();
    const straight = await topicIds(prefix);
    expect(await topicIds(prefix2)).toEqual(straight);
    expect(new Set(straight).size).toBe(straight.length);
  }, 400_000);
});
