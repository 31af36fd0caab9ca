// @llmpt/exports: our prices in the formats other tools read (see README.md for each mapping).
export * from './core/snapshot.ts';
export * from './core/errors.ts';
export { stableJson } from './core/json.ts';
export * from './core/genai-prices.ts';
export * from './core/litellm.ts';
export * from './core/history.ts';
export * from './core/models-dev.ts';
export * from './core/csv.ts';
export { loadSnapshot, type LoadSnapshotOptions, type Queryable } from './adapters/snapshot-pg.ts';
