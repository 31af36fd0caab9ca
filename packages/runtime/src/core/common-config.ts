import { z } from 'zod';
import { env } from './config.ts';

/** Variables every service reads: where Kafka is, topic prefix, logging and the health port. */
export const commonEnv = {
  KAFKA_BROKERS: env.brokers,
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  TOPIC_PREFIX: z.string().default(''),
  LOG_LEVEL: env.logLevel,
  HEALTH_PORT: env.nonNegativeInt(8080),
  // Between polls of the consumer lag gauge (docs/metrics.md); consumers only.
  LAG_POLL_MS: env.positiveInt(30_000),
};
