import type { Kafka } from 'kafkajs';
import { startHealthServer } from '../core/health.ts';
import { metricsText } from '../core/metrics.ts';
import { startLagGauge } from './lag.ts';
import { checkKafkaAccessOrExit, createKafka, kafkaSecurityFromConfig } from './kafka.ts';
import type { KafkaSecurityVars } from '../core/kafka-security.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { onShutdown } from '../core/shutdown.ts';
import { runStage, type GroupOptions, type RunningStage, type StageOptions } from './stage.ts';
import { topics } from '../core/topics.ts';
import { setUpWire } from './registry-client.ts';
import type { EventEncoding } from './wire.ts';

/** The config fields every consuming service has (see commonEnv). */
export interface ConsumerServiceConfig extends KafkaSecurityVars {
  readonly KAFKA_BROKERS: readonly string[];
  readonly KAFKA_CLIENT_ID?: string | undefined;
  readonly TOPIC_PREFIX: string;
  readonly LOG_LEVEL: string;
  readonly HEALTH_PORT: number;
  readonly GROUP_ID: string;
  /** Between consumer-lag polls for llmpt_consumer_lag (docs/metrics.md); default 30 s. */
  readonly LAG_POLL_MS?: number;
  readonly EVENT_ENCODING?: EventEncoding | undefined;
  readonly SCHEMA_REGISTRY_URL?: string | undefined;
  readonly SCHEMA_REGISTRY_USERNAME?: string | undefined;
  readonly SCHEMA_REGISTRY_PASSWORD?: string | undefined;
}

export interface ConsumerServiceOptions {
  readonly service: string;
  readonly config: ConsumerServiceConfig;
  /** Input topics, without the prefix. */
  readonly inputTopics: readonly string[];
  readonly transactionalId?: string;
  /** Group commit (docs/design.md): several partition batches per commit. Without it, one each. */
  readonly group?: GroupOptions;
  /** Builds the handler once Kafka is reachable (e.g. after restoring state). */
  readonly prepare: (ctx: {
    kafka: Kafka;
    logger: Logger;
    prefix: string;
  }) => Promise<Pick<StageOptions, 'handle' | 'onCommitted'>>;
  /** Figures for /healthz and the final log line. */
  readonly details: () => Record<string, unknown>;
  /** Releases what `prepare` opened (pools, browsers), after the consumer has stopped. */
  readonly close?: () => Promise<void>;
}

/**
 * The shell every consuming service shares: logger, Kafka client, health server, the stage loop and
 * graceful shutdown (SIGTERM: stop consuming, finish and commit the batch, close, exit 0; a second
 * signal forces exit). Each service's main.ts only says what it consumes and how it handles a batch.
 */
export async function runConsumerService(o: ConsumerServiceOptions): Promise<void> {
  const { config } = o;
  const logger = createLogger({ service: o.service, level: config.LOG_LEVEL });
  const prefix = config.TOPIC_PREFIX;
  const security = kafkaSecurityFromConfig(config);
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: config.KAFKA_CLIENT_ID ?? `pricing-${o.service}`,
    logger,
    security,
  });
  let stage: RunningStage | undefined;
  let lag: { stop: () => Promise<void> } | undefined;
  const health = await startHealthServer(config.HEALTH_PORT, {
    live: () => true,
    ready: () => stage?.isReady() ?? false,
    details: o.details,
    metrics: metricsText,
  });
  const shutdown = onShutdown(
    async () => {
      await stage?.stop();
      await lag?.stop();
      await o.close?.();
      await health.close();
      logger.info(o.details(), `${o.service} stopped`);
    },
    { logger },
  );
  // A wrong password or an untrusted certificate ends the start with one line, before any work.
  await checkKafkaAccessOrExit(kafka, security, { logger, name: o.service });
  // Before anything is produced: with EVENT_ENCODING=confluent, every schema is registered here first.
  await setUpWire(config);
  const { handle, onCommitted } = await o.prepare({ kafka, logger, prefix });
  stage = await runStage({
    kafka,
    stage: o.service,
    groupId: config.GROUP_ID,
    topics: o.inputTopics.map((t) => prefix + t),
    deadLetterTopic: prefix + topics.deadLetter.name,
    handle,
    ...(onCommitted ? { onCommitted } : {}),
    ...(o.transactionalId ? { transactionalId: o.transactionalId } : {}),
    ...(o.group ? { group: o.group } : {}),
    logger,
    // A stage that cannot go on (a bug in a batch, a consumer that cannot be replaced) would leave a
    // process alive and idle: exit 1 instead, so Kubernetes restarts the pod and the daily script fails
    // with the service named.
    onFatal: (err) => {
      logger.fatal({ err }, `${o.service} cannot go on, exiting 1`);
      void shutdown('consumer stopped').finally(() => process.exit(1));
    },
  });
  lag = startLagGauge({
    kafka,
    stage: o.service,
    groupId: config.GROUP_ID,
    topics: o.inputTopics.map((t) => prefix + t),
    intervalMs: config.LAG_POLL_MS ?? 30_000,
    logger,
  });
  logger.info({ health: health.port, topics: o.inputTopics }, `${o.service} running`);
}
