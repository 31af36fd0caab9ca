// Runs the example gateway consumer until SIGTERM/SIGINT.
//   KAFKA_BROKERS=... DATABASE_URL=... [TOPIC_PREFIX=...] [GROUP_ID=gateway-model-pricing]
//   [MODEL_ALIASES='{"my-gpt":"openai/gpt-4o"}'] npx tsx packages/consumer/src/cli/gateway-sync.ts
// CRASH_AFTER=n kills the process (SIGKILL) right after the n-th event is applied and before it is
// committed: the worst moment for at-least-once, used by the restart test.
import pg from 'pg';
import { pino } from 'pino';
import { z } from 'zod';
import { kafkaSecurityEnv, registryEnv } from '@llmpt/runtime';
import {
  checkKafkaAccessOrExit,
  createKafka,
  kafkaSecurityFromConfig,
  setUpWire,
} from '@llmpt/runtime/kafka';
import { startGatewaySync } from '../gateway/sync.ts';

const env = z
  .object({
    KAFKA_BROKERS: z.string().min(1, 'set KAFKA_BROKERS, e.g. 127.0.0.1:39092'),
    ...registryEnv,
    ...kafkaSecurityEnv,
    DATABASE_URL: z
      .string()
      .min(1, 'set DATABASE_URL, e.g. postgres://postgres:postgres@127.0.0.1:54322/llmpt'),
    TOPIC_PREFIX: z.string().default(''),
    GROUP_ID: z.string().default('gateway-model-pricing'),
    MODEL_ALIASES: z.string().default('{}'),
    CRASH_AFTER: z.coerce.number().int().positive().optional(),
    LOG_LEVEL: z.string().default('info'),
  })
  .parse(process.env);

const logger = pino({ name: 'gateway-sync', level: env.LOG_LEVEL });
await setUpWire(env);
const aliases = z.record(z.string(), z.string()).parse(JSON.parse(env.MODEL_ALIASES));
const security = kafkaSecurityFromConfig(env);
const kafka = createKafka({
  brokers: env.KAFKA_BROKERS.split(','),
  clientId: 'gateway-sync',
  logger,
  security,
});
await checkKafkaAccessOrExit(kafka, security, { logger, name: 'gateway-sync' });
const db = new pg.Client({ connectionString: env.DATABASE_URL });
await db.connect();
let applied = 0;
const sub = await startGatewaySync({
  kafka,
  db,
  groupId: env.GROUP_ID,
  topicPrefix: env.TOPIC_PREFIX,
  aliases,
  logger,
  afterApply: () => {
    applied++;
    if (env.CRASH_AFTER !== undefined && applied >= env.CRASH_AFTER) process.kill(process.pid, 'SIGKILL');
  },
});
logger.info({ groupId: env.GROUP_ID, aliases: Object.keys(aliases).length }, 'gateway sync running');

const shutdown = async () => {
  await sub.stop();
  await db.end();
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
sub.crashed.catch(async (err: unknown) => {
  logger.fatal({ err }, 'gateway sync crashed');
  await db.end().catch(() => undefined);
  process.exitCode = 1;
});
