// Serves recorded OpenRouter data on 127.0.0.1 for manual runs:
//   npx tsx packages/fixture-server/src/cli.ts --series --day 2026-03-04 [--port 8787]
//   npx tsx packages/fixture-server/src/cli.ts --sample --day 1
//   npx tsx packages/fixture-server/src/cli.ts --models file.json [--endpoints map.json] [--providers p.json]
// Point discovery at the printed URL (its base URL setting). Ctrl-C stops it.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '@llmpt/core';
import { sharedDataDir } from './paths.ts';
import { recordedProviders, sampleCatalog } from './sample-catalog.ts';
import { startFixtureServer } from './server.ts';
import type { FixtureServerOptions } from './server.ts';

const { values } = parseArgs({
  options: {
    series: { type: 'boolean', default: false },
    sample: { type: 'boolean', default: false },
    day: { type: 'string' },
    models: { type: 'string' },
    endpoints: { type: 'string' },
    providers: { type: 'string' },
    port: { type: 'string', default: '0' },
  },
});

const derivedMap = path.join(
  sharedDataDir,
  'openrouter',
  'endpoints',
  'openrouter_endpoints-derived-map_aiscanner_2026-05-18.json',
);

function options(): FixtureServerOptions {
  const port = Number(values.port);
  if (values.sample) return { ...sampleCatalog(), port };
  if (values.series) {
    return {
      models: { series: true },
      endpoints: values.endpoints ?? derivedMap,
      providers: values.providers ?? recordedProviders,
      port,
    };
  }
  if (!values.models) throw new ConfigError('give --series, --sample or --models <file>');
  return {
    models: values.models,
    ...(values.endpoints ? { endpoints: values.endpoints } : {}),
    ...(values.providers ? { providers: values.providers } : {}),
    port,
  };
}

const server = await startFixtureServer(options());
if (values.day !== undefined) {
  const byLabel = server.days.indexOf(values.day);
  // --day takes a date of the series or a 1-based day number.
  server.setDay(byLabel >= 0 ? byLabel : Number(values.day) - 1);
}
process.stdout.write(
  `fixture server on ${server.url} (day ${server.currentDay() + 1}/${server.dayCount}: ${server.days[server.currentDay()] ?? ''})\n` +
    `  ${server.url}/api/v1/models\n  ${server.url}/api/v1/providers\n  ${server.url}/api/v1/models/{author}/{slug}/endpoints\n`,
);
const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
