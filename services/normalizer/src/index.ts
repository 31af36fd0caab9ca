export * from './errors.ts';
export * from './units.ts';
export * from './state.ts';
export * from './normalize.ts';
export * from './changes.ts';
