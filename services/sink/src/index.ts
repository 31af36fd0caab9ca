// What other packages (tests, benchmarks, tools) use of the sink: its pure projection, its stores,
// replay and the table checksums. The service itself starts from main.ts.
export * from './project.ts';
export * from './store.ts';
export { createPostgresStore, type PostgresStoreOptions } from './adapters/postgres.ts';
export { replay, sinkTopics, type ReplayOptions, type ReplayResult } from './replay.ts';
export { SINK_TABLES, tableChecksums } from './checksums.ts';

// used by tests/ and bench/ (and deploy/tests: the env each deployable accepts)
export { sinkEnvSchema } from './config.ts';
export { replayEnvSchema } from './replay-config.ts';
