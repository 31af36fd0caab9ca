import { z } from 'zod';
import { env } from './config.ts';
import { kafkaSecurityEnv } from './kafka-security.ts';

/**
 * How events are framed on the wire (schemas/README.md "Schema Registry framing"): single-object by
 * default; `confluent` needs SCHEMA_REGISTRY_URL (checked when the wire is built). A registry URL alone
 * lets a reader decode Confluent-framed values too. The user and password (a Confluent Cloud API key)
 * are secrets: never logged.
 */
export const registryEnv = {
  EVENT_ENCODING: z.enum(['single-object', 'confluent']).default('single-object'),
  SCHEMA_REGISTRY_URL: env.baseUrl().optional(),
  SCHEMA_REGISTRY_USERNAME: z.string().min(1).optional(),
  SCHEMA_REGISTRY_PASSWORD: z.string().min(1).optional(),
};

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
  // Between polls of the consumer lag gauge (docs/metrics.md); consumers only.
  LAG_POLL_MS: env.positiveInt(30_000),
  ...registryEnv,
};
