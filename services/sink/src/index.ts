// What other packages (tests, benchmarks, tools) use of the sink: its pure projection, its stores,
// replay and the table checksums. The service itself starts from main.ts.
export * from './core/project.ts';
export * from './adapters/store.ts';
export { createPostgresStore, sinkStatements, type PostgresStoreOptions } from './adapters/postgres.ts';
export { replay, sinkTopics, type ReplayOptions, type ReplayResult } from './adapters/replay.ts';
export { SINK_TABLES, tableChecksums } from './adapters/checksums.ts';

// used by tests/ and bench/ (and deploy/tests: the env each deployable accepts)
export { replayEnvSchema, sinkEnvSchema } from './config.ts';
