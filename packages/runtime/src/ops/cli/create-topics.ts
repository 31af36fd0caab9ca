// Creates the pipeline's topics (packages/runtime/src/core/topics.ts) and checks existing ones; exits 1 on a
// config mismatch. The topics job in deploy/ and scripts/stack/topics.sh run this.
//   KAFKA_BROKERS=127.0.0.1:39092 [TOPIC_PREFIX=] [KAFKA_PARTITIONS=3] [KAFKA_REPLICATION_FACTOR=1] tsx create-topics.ts
import { z } from 'zod';
import { ensureTopics, TopicMismatchError } from '../../kafka/admin.ts';
import { env, loadConfig } from '../../core/config.ts';
import { ConfigError, errorMessage } from '../../core/errors.ts';
import { checkKafkaAccessOrExit, createKafka, kafkaSecurityFromConfig } from '../../kafka/kafka.ts';
import { kafkaSecurityEnv } from '../../core/kafka-security.ts';
import { createLogger } from '../../core/logger.ts';
import { prefixedTopics } from '../../core/topics.ts';

const config = loadConfig(
  z.object({
    KAFKA_BROKERS: env.brokers,
    ...kafkaSecurityEnv,
    TOPIC_PREFIX: z.string().default(''),
    KAFKA_PARTITIONS: env.positiveInt(3),
    KAFKA_REPLICATION_FACTOR: env.positiveInt(1),
    LOG_LEVEL: env.logLevel,
  }),
);

const logger = createLogger({ service: 'create-topics', level: config.LOG_LEVEL });

try {
  const security = kafkaSecurityFromConfig(config);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'create-topics', logger, security });
  await checkKafkaAccessOrExit(kafka, security, { logger, name: 'create-topics' });
  const res = await ensureTopics(kafka, prefixedTopics(config.TOPIC_PREFIX), {
    partitions: config.KAFKA_PARTITIONS,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    logger,
  });
  console.log(
    `topics: ${res.created.length} created, ${res.existing.length} already there, all configs as specified`,
  );
} catch (err) {
  if (err instanceof TopicMismatchError || err instanceof ConfigError) console.error(err.message);
  else console.error(`create-topics failed: ${errorMessage(err)}`);
  process.exitCode = 1;
}
