import { randomUUID } from 'node:crypto';
import { createKafka, createProducer } from '@llmpt/runtime/kafka';
import { createLogger, errorCode } from '@llmpt/runtime';
import { loadBlocklist } from './blocklist.ts';
import { loadDiscoveryConfig } from './config.ts';
import { formatSummary, runDiscovery } from './run.ts';

// Exit codes the CronJob and the daily script rely on.
const EXIT_UNREACHABLE = 2;
const EXIT_NOT_A_LIST = 3;
const EXIT_OTHER = 1;

const config = loadDiscoveryConfig();
const logger = createLogger({ service: 'discovery', level: config.LOG_LEVEL });
const runId = config.RUN_ID ?? `${new Date().toISOString().slice(0, 19)}Z-${randomUUID().slice(0, 8)}`;
const log = logger.child({ run_id: runId });
const kafka = createKafka({
  brokers: config.KAFKA_BROKERS,
  clientId: config.KAFKA_CLIENT_ID ?? 'pricing-discovery',
  logger: log,
});
const producer = createProducer(kafka, { idempotent: true });

try {
  const blocklist = loadBlocklist(config.MODELS_BLOCKLIST_PATH);
  await producer.connect();
  const summary = await runDiscovery({
    baseUrl: config.OPENROUTER_BASE_URL,
    apiKey: config.OPENROUTER_API_KEY,
    runId,
    blocklist,
    producer,
    topicPrefix: config.TOPIC_PREFIX,
    timeoutMs: config.HTTP_TIMEOUT_MS,
    attempts: config.HTTP_ATTEMPTS,
    logger: log,
  });
  log.info(summary, 'discovery run complete');
  process.stdout.write(formatSummary(summary) + '\n');
  await producer.disconnect();
  process.exit(0);
} catch (err) {
  const code = errorCode(err);
  log.error({ err, code }, 'discovery run failed');
  process.stderr.write(`discovery failed (${code}): ${(err as Error).message}\n`);
  await producer.disconnect().catch(() => undefined);
  process.exit(
    code === 'SOURCE_UNREACHABLE' || code === 'HTTP_4XX'
      ? EXIT_UNREACHABLE
      : code === 'NOT_A_MODELS_LIST'
        ? EXIT_NOT_A_LIST
        : EXIT_OTHER,
  );
}
