export * from './errors.ts';
export * from './core/units.ts';
export * from './core/state.ts';
export * from './core/normalize.ts';
export * from './core/changes.ts';
export * from './core/valid-time.ts';
export * from './core/key-history.ts';
export { rebuildChanges } from './core/rebuild.ts';

// used by tests/ and bench/
export { restoreState, stateFromChangelog } from './adapters/changelog.ts';
export {
  createNormalizerHandler,
  emptyCounters,
  emptyNormalizerState,
  type NormalizerCounters,
  type NormalizerState,
  type NormalizerTopics,
} from './adapters/handler.ts';
export { normalizerEnvSchema } from './config.ts';
