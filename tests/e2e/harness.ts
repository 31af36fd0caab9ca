// One pipeline per e2e suite, run the way scripts/daily.ts runs it: scraper, normalizer and sink as
// their own processes on topics of their own (a unique prefix, so groups and transactional ids are
// unique too), discovery as a run-to-completion job per day, then wait until everything is written.
import path from 'node:path';
import pg from 'pg';
import type { Kafka } from '@llmpt/runtime/kafka';
import {
  freshDatabase,
  stackEnv,
  createTestTopics,
  deleteTestTopics,
  testKafka,
  type TopicKey,
  repoRoot,
  runDiscoveryJob,
  startService,
  waitForDrain,
  type PipelineSettings,
  type ServiceProcess,
  uniquePrefix,
} from '@llmpt/testkit';

export { freshDatabase, type FreshDatabase } from '@llmpt/testkit';

export interface PipelineOptions {
  /** Names the prefix, the log folder and the database. */
  readonly name: string;
  readonly store: 'postgres' | 'supabase';
  readonly openRouterBaseUrl: string;
  /** Extra variables for the scraper (e.g. SCRAPE_ENDPOINTS=false). */
  readonly scraperEnv?: Readonly<Record<string, string>>;
  /**
   * A broker of the test's own instead of the shared stack's plaintext one: its addresses, a client
   * on it for the test, and each service's security variables.
   */
  readonly broker?: {
    readonly brokers: string;
    readonly kafka: Kafka;
    readonly serviceEnv: NonNullable<PipelineSettings['kafkaEnv']>;
  };
}

export interface DayRun {
  readonly runId: string;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time of discovery plus the drain. */
  readonly ms: number;
}

export interface E2EPipeline {
  readonly prefix: string;
  readonly topics: Record<TopicKey, string>;
  readonly kafka: Kafka;
  readonly settings: PipelineSettings;
  /** The database the sink writes: a fresh one (postgres store) or the stack's `llmpt` (supabase store). */
  readonly db: pg.Client;
  readonly services: readonly ServiceProcess[];
  /** Runs discovery with this run id and waits until the sink has written everything it caused. */
  runDay(runId: string, extra?: Record<string, string>): Promise<DayRun>;
  stop(): Promise<void>;
}

/** Sends SIGTERM, then SIGKILL if the process has not exited after `graceMs`. */
async function stopProcess(p: ServiceProcess, graceMs = 20_000): Promise<void> {
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  try {
    await p.stop('SIGTERM');
  } finally {
    clearTimeout(timer);
  }
}

export async function startPipeline(opts: PipelineOptions): Promise<E2EPipeline> {
  const env = stackEnv();
  const prefix = uniquePrefix(`e2e-${opts.name}`);
  const kafka = opts.broker?.kafka ?? testKafka(`e2e-${opts.name}`);
  const topics = await createTestTopics(prefix, { kafka });
  const fresh = opts.store === 'postgres' ? await freshDatabase(opts.name) : undefined;
  const settings: PipelineSettings = {
    kafkaBrokers: opts.broker?.brokers ?? env.kafkaBrokers.join(','),
    ...(opts.broker ? { kafkaEnv: opts.broker.serviceEnv } : {}),
    store: opts.store,
    ...(fresh
      ? { databaseUrl: fresh.url }
      : { supabaseUrl: env.supabaseUrl, supabaseServiceRoleKey: env.supabaseServiceRoleKey }),
    topicPrefix: prefix,
    openRouterBaseUrl: opts.openRouterBaseUrl,
    scrapeProviderSites: false,
    logDir: path.join(repoRoot, '.stack', 'logs', 'e2e', prefix.replace(/\.+$/, '')),
    logLevel: 'warn',
  };
  const db = new pg.Client({ connectionString: fresh?.url ?? env.databaseUrl });
  await db.connect();
  const services = [
    startService('scraper', settings, { ...opts.scraperEnv }),
    startService('normalizer', settings),
    startService('sink', settings),
  ];
  const drain = (): Promise<void> => waitForDrain(kafka, prefix, { services, timeoutMs: 240_000 });

  return {
    prefix,
    topics,
    kafka,
    settings,
    db,
    services,
    async runDay(runId, extra = {}) {
      const t0 = Date.now();
      const res = await runDiscoveryJob(settings, runId, extra);
      if (res.code !== 0) {
        throw new Error(
          `discovery ${runId} exited with ${res.code}: ${res.stderr.trim().split('\n').pop() ?? ''}`,
        );
      }
      await drain();
      return { runId, ...res, ms: Date.now() - t0 };
    },
    async stop() {
      await Promise.allSettled(services.map((s) => stopProcess(s)));
      await db.end().catch(() => undefined);
      await fresh?.drop();
      await deleteTestTopics(prefix, { kafka });
    },
  };
}
