// @llmpt/runtime/kafka: kafkajs clients, the stage runner, topic admin, lag and read-to-end helpers.
export * from './kafka.ts';
export * from './stage.ts';
export * from './service.ts';
export * from './admin.ts';
export * from './lag.ts';
export * from './read-to-end.ts';
export { MAX_SEND_BYTES, sendsIn } from './stage-publisher.ts';
