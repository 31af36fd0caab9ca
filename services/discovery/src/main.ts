import { randomUUID } from 'node:crypto';
import {
  checkKafkaAccessOrExit,
  createKafka,
  createProducer,
  kafkaSecurityFromConfig,
} from '@llmpt/runtime/kafka';
import { createLogger, errorCode } from '@llmpt/runtime';
import { loadBlocklist } from './adapters/blocklist-file.ts';
import { runDiscovery } from './adapters/run.ts';
import { loadDiscoveryConfig } from './config.ts';
import { exitCodeOf, formatSummary, runIdOf } from './core/job.ts';

const config = loadDiscoveryConfig();
const logger = createLogger({ service: 'discovery', level: config.LOG_LEVEL });
const runId = config.RUN_ID ?? runIdOf(Date.now(), randomUUID());
const log = logger.child({ run_id: runId });
const security = kafkaSecurityFromConfig(config);
const kafka = createKafka({
  brokers: config.KAFKA_BROKERS,
  clientId: config.KAFKA_CLIENT_ID ?? 'pricing-discovery',
  logger: log,
  security,
});
// A wrong password or an untrusted certificate ends the run with one line, before any request.
await checkKafkaAccessOrExit(kafka, security, { logger: log, name: 'discovery' });
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
  process.exit(exitCodeOf(code));
}
