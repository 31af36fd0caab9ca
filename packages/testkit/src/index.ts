export { repoRoot, sharedDataDir, stackDir } from './paths.ts';
export { readStackEnvFile, stackEnv, type StackEnv } from './env.ts';
export { uniquePrefix, waitFor, type WaitForOptions } from './wait.ts';
export {
  consumeAll,
  createTestTopics,
  deleteTestTopics,
  testKafka,
  type ConsumeAllOptions,
  type ConsumedEvent,
  type TopicKey,
} from './kafka.ts';
export { freshDatabase, withClient, withDatabase, type FreshDatabase } from './db.ts';
export * from './pipeline.ts';
export * from './spec.ts';
