export * from './errors.ts';
export * from './retry.ts';
export * from './logger.ts';
export * from './config.ts';
export * from './health.ts';
export * from './shutdown.ts';
export * from './topics.ts';
export * from "./stage.ts";
