import path from 'node:path';
import { sampleCatalogDir, sharedDataDir } from './paths.ts';
import type { FixtureServerOptions } from './server.ts';

/** Options to serve the project's own two-day sample catalog (fixtures/sample-catalog). */
export interface SampleCatalog {
  /** The real date of each day (fixtures/sample-catalog/README.md: the source files' dates). */
  readonly dates: readonly [string, string];
  readonly models: readonly [string, string];
  readonly endpoints: readonly [string, string];
  readonly providers: string;
}

export function sampleCatalog(dir: string = sampleCatalogDir): SampleCatalog & FixtureServerOptions {
  return {
    dates: ['2026-08-01', '2026-08-19'],
    models: [path.join(dir, 'day1.models.json'), path.join(dir, 'day2.models.json')],
    endpoints: [path.join(dir, 'endpoints', 'day1.json'), path.join(dir, 'endpoints', 'day2.json')],
    providers: path.join(dir, 'providers.json'),
  };
}

/** The recorded providers response closest to a date, for runs over the shared data. */
export const recordedProviders: string = path.join(
  sharedDataDir,
  'openrouter',
  'providers',
  'openrouter_providers_aiscanner_2026-05-18.json',
);
