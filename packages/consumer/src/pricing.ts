// The consumer's pricing alone (usage → token counts → cost at the price in force): what a service that
// prices calls imports (services/api's /v1/cost), without the Kafka subscriber, the tail CLI, the
// gateway sync or their npm dependencies, which the package's main entry also loads.
export * from './cost/errors.ts';
export * from './cost/usage.ts';
export * from './cost/compute.ts';
export * from './price-at.ts';
