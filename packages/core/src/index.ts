export * from './guards.ts';
export * from './errors.ts';
