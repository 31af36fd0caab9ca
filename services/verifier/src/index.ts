// What other packages and tests use of the verifier: its pure core, the run, and its environment.
export * from './core/verify.ts';
export * from './core/plan.ts';
export * from './core/events.ts';
export { runVerification, type RunOptions, type RunSummary, type VerifierEvents } from './adapters/run.ts';
export { createProbeClient, type ProbeClient } from './adapters/openrouter.ts';
export { verifierEnvSchema } from './config.ts';
export { loadCandidates, priceLookup } from './adapters/catalog.ts';
export { kafkaPublisher } from './adapters/publish.ts';
export * from './core/summary.ts';
