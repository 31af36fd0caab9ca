export * from './errors.ts';
export * from './units.ts';
export * from './state.ts';
export * from './normalize.ts';
export * from './changes.ts';

// used by tests/ and bench/
export { restoreState } from './adapters/changelog.ts';
export { normalizerEnvSchema } from './config.ts';
