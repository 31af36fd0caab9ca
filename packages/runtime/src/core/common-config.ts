import { z } from 'zod';
import { env } from './config.ts';
import { kafkaSecurityEnv } from './kafka-security.ts';

/**
 * Variables every service reads: where Kafka is and how to reach it (TLS, SASL: kafkaSecurityEnv,
 * checked together by kafkaSecurityFromConfig), topic prefix, logging and the health port.
 */
export const commonEnv = {
  KAFKA_BROKERS: env.brokers,
  ...kafkaSecurityEnv,
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  TOPIC_PREFIX: z.string().default(''),
  LOG_LEVEL: env.logLevel,
  HEALTH_PORT: env.nonNegativeInt(8080),
};
