export { startFixtureServer } from './server.ts';
export type { EndpointsSource, Fault, FixtureServer, FixtureServerOptions, ModelsSource } from './server.ts';
export { defaultSeriesArchive, seriesDays } from './series.ts';
export type { SeriesDay } from './series.ts';
export { endpointsFromDerivedMap, floatToDecimalString } from './derived-map.ts';
export type { EndpointEntry, EndpointsByModel } from './derived-map.ts';
export { repoRoot, sampleCatalogDir, sharedDataDir } from './paths.ts';
export { sampleCatalog } from './sample-catalog.ts';
export type { SampleCatalog } from './sample-catalog.ts';
export { sampleArchive, writeSampleArchive } from './sample-archive.ts';
export type { SampleArchive } from './sample-archive.ts';
// Rebuilds fixtures/sample-catalog from the recorded data (fixtures/sample-catalog/build.ts runs it).
export { buildSampleCatalog } from './build-sample-catalog.ts';
