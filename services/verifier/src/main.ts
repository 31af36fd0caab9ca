import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createKafka, createProducer, kafkaSecurityFromConfig } from '@llmpt/runtime/kafka';
import { createLogger, errorCode } from '@llmpt/runtime';
import { loadCandidates, priceLookup } from './adapters/catalog.ts';
import { createProbeClient } from './adapters/openrouter.ts';
import { kafkaPublisher } from './adapters/publish.ts';
import { runVerification } from './adapters/run.ts';
import { loadVerifierConfig } from './config.ts';
import { formatSummary } from './core/summary.ts';

const config = loadVerifierConfig();
const logger = createLogger({ service: 'verifier', level: config.LOG_LEVEL });
const runId = config.RUN_ID ?? `verify-${new Date().toISOString()}-${randomUUID().slice(0, 8)}`;
const log = logger.child({ run_id: runId });

// Off without a key: nothing is read, nothing is sent, nothing is spent.
const apiKey = config.OPENROUTER_API_KEY?.trim() ?? '';
if (apiKey === '') {
  log.warn('OPENROUTER_API_KEY is not set: the verifier is off');
  process.stdout.write('verifier: off (no OPENROUTER_API_KEY), no request sent\n');
  process.exit(0);
}

const pool = new pg.Pool({
  connectionString: config.DATABASE_URL,
  max: 2,
  application_name: 'llmpt-verifier',
});
const kafka = createKafka({
  brokers: config.KAFKA_BROKERS,
  clientId: config.KAFKA_CLIENT_ID ?? 'pricing-verifier',
  logger: log,
  security: kafkaSecurityFromConfig(config),
});
const producer = createProducer(kafka, { idempotent: true });

try {
  await producer.connect();
  const summary = await runVerification({
    runId,
    client: createProbeClient({
      baseUrl: config.OPENROUTER_BASE_URL,
      apiKey,
      timeoutMs: config.HTTP_TIMEOUT_MS,
    }),
    candidates: await loadCandidates(pool),
    priceOf: priceLookup(pool),
    publish: kafkaPublisher(producer, config.TOPIC_PREFIX),
    k: config.VERIFIER_SAMPLE_SIZE,
    recentDays: config.VERIFIER_RECENT_DAYS,
    spendCap: config.VERIFIER_SPEND_CAP_USD,
    promptTokenBound: config.VERIFIER_PROMPT_TOKEN_BOUND,
    tolerance: { absolute: config.VERIFIER_TOLERANCE_USD, relative: config.VERIFIER_TOLERANCE_RELATIVE },
    now: () => new Date(),
    logger: log,
  });
  log.info(summary, 'verifier run complete');
  process.stdout.write(formatSummary(summary) + '\n');
  await producer.disconnect();
  await pool.end();
  process.exit(0);
} catch (err) {
  const code = errorCode(err);
  log.error({ err, code }, 'verifier run failed');
  process.stderr.write(`verifier failed (${code}): ${(err as Error).message}\n`);
  await producer.disconnect().catch(() => undefined);
  await pool.end().catch(() => undefined);
  process.exit(1);
}
