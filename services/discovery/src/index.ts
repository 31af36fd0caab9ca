// What other packages and tests use of discovery: the pure mapping of a `/models` response to events
// (an oracle harness turns recorded JSON into the same events the job publishes) and the blocklist.
export {
  canonicalJson,
  discoverModels,
  parseModelsResponse,
  splitPricing,
  utcDate,
  type DiscoverContext,
  type DiscoveryResult,
  type ModelsList,
  type RejectedEntry,
  type RejectCode,
} from './core/discover.ts';
export {
  catalogSnapshotOf,
  catalogVerdict,
  type CatalogContext,
  type CatalogVerdict,
  type IncompleteReason,
} from './core/catalog.ts';
export { createBlocklist, emptyBlocklist, parseBlocklist, type Blocklist } from './core/blocklist.ts';
export { DiscoveryError, type DiscoveryErrorCode } from './errors.ts';
export { discoverProviders } from './core/providers.ts';

// used by tests/ and bench/ (and deploy/tests: the env each deployable accepts)
export { discoveryEnvSchema } from './config.ts';
// The job's run with its clock passed in: tests run a live day at a chosen time (tests/int/pipeline).
export { runDiscovery, type DiscoveryRunOptions } from './adapters/run.ts';
// The backfill command's adapter and source reader: tests publish an archive again without the
// command's skip list (every file republished), bench/ times it.
export { runBackfill, type BackfillOptions, type BackfillOutcome } from './adapters/backfill.ts';
export { readBackfillSource, type BackfillSource } from './adapters/backfill-source.ts';
