// @llmpt/notifier: webhook deliveries of PriceChanged (README.md has the rules).
export * from './core/filters.ts';
export * from './core/payload.ts';
export * from './core/schedule.ts';
export * from './core/outcome.ts';
export * from './core/plan.ts';
export * from './core/sign.ts';
export * from './core/replay.ts';
export * from './core/retractions.ts';
export * from './adapters/store.ts';
export * from './adapters/guard.ts';
export * from './adapters/handler.ts';
export * from './adapters/sender.ts';
export * from './adapters/delivery-loop.ts';
export * from './adapters/replay-loop.ts';
export { loadNotifierConfig, notifierEnvSchema, type NotifierConfig } from './config.ts';
