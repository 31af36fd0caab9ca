// @llmpt/runtime: the light core every process loads (errors, retry, logger, config, topics, health,
// shutdown). Nothing here imports kafkajs or pg: those live behind ./kafka and ./ops.
export * from './errors.ts';
export * from './retry.ts';
export * from './logger.ts';
export * from './config.ts';
export * from './common-config.ts';
export * from './kafka-security.ts';
export * from './health.ts';
export * from './shutdown.ts';
export * from './topics.ts';
