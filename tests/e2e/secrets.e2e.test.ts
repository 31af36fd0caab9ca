// Secrets never reach a log line, an error message or an event. The real pipeline runs at LOG_LEVEL=
// debug with known secret values: an OpenRouter API key (discovery and scraper send it as a bearer
// token), a database password (the sink logs in as a dedicated writer role created for this run),
// and the stack's service role key (a second sink writes through PostgREST). The error paths that
// tend to leak run too: upstream 401s and 500s, a sink whose password is wrong, a sink whose key is
// forged, discovery pointed at a dead base URL (also one carrying credentials in the URL). Then every
// log file, every captured stdout/stderr, the written rows and the dead letters are searched for each
// secret, raw and encoded.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCatalog, startFixtureServer, type FixtureServer } from '@llmpt/fixture-server';
import { topics as topicDefs, sinkInputTopics } from '@llmpt/runtime';
import { type Kafka } from '@llmpt/runtime/kafka';
import {
  stackEnv,
  consumeAll,
  createTestTopics,
  deleteTestTopics,
  testKafka,
  type TopicKey,
  repoRoot,
  runDiscoveryJob,
  startService,
  waitForDrain,
  waitForGroups,
  type PipelineSettings,
  type ServiceProcess,
  uniquePrefix,
  waitFor,
} from '@llmpt/testkit';
import { freshDatabase, type FreshDatabase } from './harness.ts';

const hex = (n: number) => randomBytes(n).toString('hex');
const env = stackEnv();

// Distinctive values: a hit can only be a leak. The password has characters that URL-encoding
// changes, so its encoded form is a different string to look for.
const secrets = {
  openRouterKey: `sk-or-v1-${hex(32)}`,
  dbPassword: `Pw${hex(10)}/+@:%`,
  wrongDbPassword: `Wrong${hex(10)}`,
  serviceRoleKey: env.supabaseServiceRoleKey,
  forgedKey: `eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.${randomBytes(32).toString('base64url')}`,
  baseUrlPassword: `Url${hex(10)}`,
} as const;

/** Each secret as it may appear: raw, URL-encoded, base64 (and the signature of a JWT on its own). */
function forms(value: string): string[] {
  const out = new Set([
    value,
    encodeURIComponent(value),
    Buffer.from(value).toString('base64'),
    Buffer.from(value).toString('base64url'),
  ]);
  const sig = value.split('.')[2];
  if (sig && sig.length >= 20) out.add(sig);
  return [...out];
}

/** Every place a secret was found, as "secret name in where (form)". */
function leaks(where: string, text: string): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(secrets))
    for (const f of forms(value))
      if (text.includes(f)) found.push(`${name} in ${where} (as ${f.slice(0, 12)}…)`);
  return found;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [k: string]: unknown;
}

function logLines(file: string): LogLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

async function stop(p: ServiceProcess, graceMs = 30_000): Promise<number | null> {
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  try {
    return await p.stop('SIGTERM');
  } finally {
    clearTimeout(timer);
  }
}

describe('a full run with known secrets', () => {
  const prefix = uniquePrefix('e2e-secrets');
  const runId = `e2e-secrets-${hex(4)}`;
  const logRoot = path.join(repoRoot, '.stack', 'logs', 'e2e', prefix.replace(/\.+$/, ''));
  const writerRole = `llmpt_e2e_writer_${hex(4)}`;
  const captured: { where: string; text: string }[] = [];
  let server: FixtureServer;
  let kafka: Kafka;
  let fresh: FreshDatabase;
  let db: pg.Client;
  let settings: PipelineSettings;
  const services: ServiceProcess[] = [];
  let pipeline: ServiceProcess[] = [];
  let supabaseSink: ServiceProcess;
  let badPasswordSink: ServiceProcess;
  let forgedKeySink: ServiceProcess;
  const exits: Record<string, number | null> = {};
  let discovery: Awaited<ReturnType<typeof runDiscoveryJob>>;
  let deadBase: Awaited<ReturnType<typeof runDiscoveryJob>>;
  let credentialBase: Awaited<ReturnType<typeof runDiscoveryJob>>;

  const logDirOf = (variant: string) => path.join(logRoot, variant);
  const withLogs = (variant: string): PipelineSettings => ({ ...settings, logDir: logDirOf(variant) });
  /** The supabase store's settings: no DATABASE_URL at all. */
  const viaRest = (variant: string, key: string): PipelineSettings => {
    const { databaseUrl: _unused, ...rest } = withLogs(variant);
    return { ...rest, store: 'supabase', supabaseUrl: env.supabaseUrl, supabaseServiceRoleKey: key };
  };

  beforeAll(async () => {
    server = await startFixtureServer({
      ...sampleCatalog(),
      faults: {
        // Upstream refusals and failures while the API key is on every request.
        '/api/v1/models/anthropic/*': { status: 401 },
        '/api/v1/models/google/*': { status: 500 },
        '/api/v1/providers': { status: 503, times: 1 },
      },
    });
    kafka = testKafka('e2e-secrets');
    await createTestTopics(prefix, { kafka });
    fresh = await freshDatabase('secrets');
    db = new pg.Client({ connectionString: fresh.url });
    await db.connect();
    // The writer the sink logs in as: a login role in service_role (its grants and RLS policies),
    // with the password under test.
    await db.query(
      `create role ${writerRole} login password ${db.escapeLiteral(secrets.dbPassword)} in role service_role`,
    );
    const writerUrl = (password: string) => {
      const u = new URL(fresh.url);
      u.username = writerRole;
      u.password = encodeURIComponent(password);
      return u.toString();
    };
    settings = {
      kafkaBrokers: env.kafkaBrokers.join(','),
      store: 'postgres',
      databaseUrl: writerUrl(secrets.dbPassword),
      topicPrefix: prefix,
      openRouterBaseUrl: server.url,
      scrapeProviderSites: false,
      logDir: logDirOf('pipeline'),
      logLevel: 'debug',
    };
    const apiKey = { OPENROUTER_API_KEY: secrets.openRouterKey };
    pipeline = [
      startService('scraper', settings, apiKey),
      startService('normalizer', settings),
      startService('sink', settings),
    ];
    supabaseSink = startService('sink', viaRest('sink-supabase', secrets.serviceRoleKey), {
      GROUP_ID: `${prefix}sink-supabase`,
    });
    badPasswordSink = startService('sink', withLogs('sink-bad-password'), {
      DATABASE_URL: writerUrl(secrets.wrongDbPassword),
      GROUP_ID: `${prefix}sink-bad-password`,
    });
    forgedKeySink = startService('sink', viaRest('sink-forged-key', secrets.forgedKey), {
      GROUP_ID: `${prefix}sink-forged-key`,
    });
    services.push(...pipeline, supabaseSink, badPasswordSink, forgedKeySink);

    discovery = await runDiscoveryJob(settings, runId, apiKey);
    captured.push({ where: 'discovery stdout', text: discovery.stdout });
    captured.push({ where: 'discovery stderr', text: discovery.stderr });
    const fast = { ...apiKey, HTTP_ATTEMPTS: '2', HTTP_TIMEOUT_MS: '3000' };
    deadBase = await runDiscoveryJob(
      { ...settings, openRouterBaseUrl: 'http://127.0.0.1:1' },
      `${runId}-dead`,
      fast,
    );
    captured.push({ where: 'dead-base discovery stdout', text: deadBase.stdout });
    captured.push({ where: 'dead-base discovery stderr', text: deadBase.stderr });
    credentialBase = await runDiscoveryJob(
      { ...settings, openRouterBaseUrl: `http://tracker:${secrets.baseUrlPassword}@127.0.0.1:1` },
      `${runId}-cred`,
      fast,
    );
    captured.push({ where: 'credential-base discovery stdout', text: credentialBase.stdout });
    captured.push({ where: 'credential-base discovery stderr', text: credentialBase.stderr });

    await waitForDrain(kafka, prefix, { services: pipeline, timeoutMs: 300_000 });
    // The supabase sink, which is not one of the pipeline's groups, catches up too.
    const sinkTopics = sinkInputTopics.map((t) => prefix + t);
    await waitForGroups(kafka, [[`${prefix}sink-supabase`, sinkTopics]], {
      timeoutMs: 240_000,
      intervalMs: 500,
    });
    // The failing sinks have met their failure once it is in their log.
    const logged = (variant: string, re: RegExp) => () => {
      try {
        return re.test(readFileSync(path.join(logDirOf(variant), 'sink.log'), 'utf8'));
      } catch {
        return false;
      }
    };
    await waitFor(logged('sink-bad-password', /password authentication failed/), {
      timeoutMs: 120_000,
      message: 'the wrong-password sink to log its failure',
    });
    await waitFor(logged('sink-forged-key', /PGRST301|JWSInvalidSignature/), {
      timeoutMs: 120_000,
      message: 'the forged-key sink to log its failure',
    });
    // SIGTERM: each service writes its final line (the sink's totals) and exits.
    for (const s of services) exits[`${s.name}@${s.child.pid}`] = await stop(s);
  });

  afterAll(async () => {
    await Promise.allSettled(services.map((s) => stop(s, 5_000)));
    await db?.end().catch(() => undefined);
    await fresh?.drop();
    const admin = new pg.Client({ connectionString: env.databaseUrl });
    await admin.connect();
    try {
      await admin.query(`drop role if exists ${writerRole}`);
      // The supabase sink wrote this run's facts into the stack's shared database: take them out
      // (append-only for every role; the superuser skips triggers only in replication mode).
      await admin.query('begin');
      await admin.query('set local session_replication_role = replica');
      await admin.query('delete from price_observations where run_id = $1', [runId]);
      await admin.query('delete from price_changes where run_id = $1', [runId]);
      await admin.query('commit');
    } finally {
      await admin.end();
    }
    await server?.close();
    await deleteTestTopics(prefix, { kafka });
  });

  it('the run happened: discovery, every service and the failing sinks all logged their work', async () => {
    expect(discovery.code).toBe(0);
    expect(discovery.stdout).toMatch(new RegExp(`^discovery run=${runId} models=33 sent=33 `, 'm'));
    expect(deadBase.code).toBe(2);
    expect(deadBase.stderr).toMatch(/^discovery failed \(SOURCE_UNREACHABLE\): .*127\.0\.0\.1:1/m);
    // A base URL carrying credentials is refused at start, naming the variable, not its value.
    expect(credentialBase.code).toBe(1);
    expect(credentialBase.stderr).toContain(
      'OPENROUTER_BASE_URL: must not carry credentials (user:password@): put the key in its own variable (set)',
    );

    const sinkLines = logLines(path.join(logDirOf('pipeline'), 'sink.log'));
    const totals = sinkLines.find((l) => l.msg === 'sink stopped');
    expect(totals, 'the sink logs its totals on SIGTERM').toBeDefined();
    const { rows } = await db.query<{ n: string }>(
      'select count(*)::text n from price_observations where run_id = $1',
      [runId],
    );
    expect(Number(rows[0]?.n)).toBeGreaterThan(33);
    expect(totals?.['observations']).toBe(Number(rows[0]?.n));
    // Debug lines were written (the level under test), and the upstream faults were met.
    expect(sinkLines.some((l) => l.level === 20)).toBe(true);
    const scraperLines = logLines(path.join(logDirOf('pipeline'), 'scraper.log'));
    const unavailable = scraperLines.filter((l) => l.msg === 'endpoints unavailable');
    expect(unavailable.map((l) => String(l['model']).split('/')[0]).sort()).toEqual([
      'anthropic',
      'anthropic',
      'anthropic',
      'google',
      'google',
      'google',
    ]);
    const supabaseTotals = logLines(path.join(logDirOf('sink-supabase'), 'sink.log')).find(
      (l) => l.msg === 'sink stopped',
    );
    // Through PostgREST into the shared database (ids already there from other runs count 0).
    expect(Number(supabaseTotals?.['events'])).toBeGreaterThan(33);
    // The wrong password and the forged key: retried with backoff, nothing written, nothing
    // dead-lettered, a clean stop.
    for (const variant of ['sink-bad-password', 'sink-forged-key']) {
      const lines = logLines(path.join(logDirOf(variant), 'sink.log'));
      const retries = lines.filter((l) => l.msg === 'batch failed, retrying');
      expect(retries.length, variant).toBeGreaterThan(0);
      expect(
        lines.filter((l) => l.msg.startsWith('dead-lettered')),
        variant,
      ).toEqual([]);
      expect(
        lines.find((l) => l.msg === 'sink stopped'),
        variant,
      ).toMatchObject({ batches: 0, events: 0 });
    }
    console.info('[e2e secrets] run', {
      observations: rows[0]?.n,
      sinkTotals: totals,
      exits,
      scraperLines: scraperLines.length,
      sinkLines: sinkLines.length,
    });
  });

  it('no secret appears in any log file or captured output', () => {
    const files = filesUnder(logRoot);
    expect(files.length).toBeGreaterThanOrEqual(6);
    const all = [
      ...files.map((f) => ({ where: path.relative(logRoot, f), text: readFileSync(f, 'utf8') })),
      ...captured,
    ];
    let bytes = 0;
    for (const { text } of all) bytes += text.length;
    for (const { where, text } of files.map((f) => ({ where: f, text: readFileSync(f, 'utf8') })))
      expect(text.length, `${where} is empty`).toBeGreaterThan(0);
    expect(all.flatMap(({ where, text }) => leaks(where, text))).toEqual([]);
    console.info('[e2e secrets] scanned', { files: files.length, captured: captured.length, bytes });
  });

  it('no secret was written to the database or to an event (error reasons included)', async () => {
    const { rows } = await db.query<{ t: string }>(
      `select string_agg(row_to_json(o)::text, E'\\n') t from price_observations o
       union all select string_agg(row_to_json(c)::text, E'\\n') from price_changes c
       union all select string_agg(row_to_json(m)::text, E'\\n') from models_catalog m`,
    );
    const dbText = rows.map((r) => r.t).join('\n');
    expect(dbText).toMatch(/HTTP_4XX: GET .*anthropic.* answered 401/);
    expect(leaks('database', dbText)).toEqual([]);
    const keys: TopicKey[] = ['deadLetter', 'rawPriceObserved'];
    for (const key of keys) {
      const events = await consumeAll(kafka, prefix + topicDefs[key].name);
      // Bad credentials are retried, never dead-lettered: the failing sinks sent nothing there.
      if (key === 'deadLetter')
        expect(events.filter((e) => (e.event as { stage?: string }).stage === 'sink')).toEqual([]);
      const text = JSON.stringify(events, (_k, v: unknown) =>
        typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v,
      );
      if (key === 'rawPriceObserved') expect(events.length).toBeGreaterThan(100);
      expect(leaks(`topic ${key}`, text)).toEqual([]);
    }
  });
});
