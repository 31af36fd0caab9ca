export * from './generated.ts';
export * from './ids.ts';
