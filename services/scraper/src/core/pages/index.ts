export * from './types.ts';
export * from './parse.ts';
export * from './observations.ts';
export { cellValues, normalizeModelName } from './text.ts';
