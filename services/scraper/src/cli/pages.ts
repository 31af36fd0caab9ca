// npm run pages -- <models.json> [--endpoints <endpoints.json>] [--run-id <id>]
// A pages-only run: reads every enabled provider pricing page once (configs/providers.yml, or
// PROVIDERS_CONFIG; PROVIDER_PAGES_BASE_URL moves them to a local server) and publishes the
// provider_site observation of each model of the given catalog that a page covers. Host pages are
// matched against the providers the endpoints file lists for each model. The offline daily run uses it
// on the bundled sample (README "The daily run"). Prints one line per page, then the totals.
// Exit codes: 0 published, 2 usage or unreadable file, 3 the broker failed (rerun: ids are stable).
import { readFileSync } from 'node:fs';
import { priceKey, type RawPriceObserved } from '@llmpt/schemas';
import { createLogger, errorMessage, topics } from '@llmpt/runtime';
import { createKafka, createProducer, kafkaSecurityFromConfig, produceEvents } from '@llmpt/runtime/kafka';
import { loadScraperConfig } from '../config.ts';
import { createPageCache } from '../adapters/page-cache.ts';
import { createPageFetcher } from '../adapters/page-fetcher.ts';
import {
  loadProviderPage,
  observeHostPages,
  observeProviderSite,
  type LoadedPage,
} from '../adapters/provider-site.ts';
import { loadProvidersConfig } from '../adapters/providers-file.ts';
import { catalogModelIds, hostsByModel, pagesRunModel } from '../core/pages/pages-run.ts';
import {
  enabledHostPages,
  enabledProviders,
  fetcherOptionsFrom,
  withBaseUrl,
} from '../core/providers-config.ts';

const USAGE = 'usage: npm run pages -- <models.json> [--endpoints <endpoints.json>] [--run-id <id>]';
const args = process.argv.slice(2);
const VALUED = ['--endpoints', '--run-id'];
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
};
const positional = args.filter((a, i) => !a.startsWith('--') && !VALUED.includes(args[i - 1] ?? ''));
if (positional.length !== 1 || args.some((a) => a.startsWith('--') && !VALUED.includes(a))) {
  process.stderr.write(USAGE + '\n');
  process.exit(2);
}
const config = loadScraperConfig();
const logger = createLogger({ service: 'pages', level: config.LOG_LEVEL });
const print = (line: string) => process.stdout.write(line + '\n');
const runId = option('--run-id') ?? `pages-${new Date().toISOString()}`;

let modelIds: string[];
let hosted: Map<string, Set<string>> | null = null;
try {
  modelIds = catalogModelIds(JSON.parse(readFileSync(positional[0]!, 'utf8')));
  const endpointsFile = option('--endpoints');
  if (endpointsFile !== undefined) hosted = hostsByModel(JSON.parse(readFileSync(endpointsFile, 'utf8')));
} catch (err) {
  process.stderr.write(`pages: cannot read the catalog: ${errorMessage(err)}\n`);
  process.exit(2);
}

let providersConfig = loadProvidersConfig(config.PROVIDERS_CONFIG);
if (config.PROVIDER_PAGES_BASE_URL)
  providersConfig = withBaseUrl(providersConfig, config.PROVIDER_PAGES_BASE_URL);
const authors = enabledProviders(providersConfig);
const hosts = enabledHostPages(providersConfig);
const fetcher = createPageFetcher({
  ...fetcherOptionsFrom(providersConfig),
  allowPrivateAddresses: config.ALLOW_PRIVATE_ADDRESSES,
  logger,
});
const deps = { fetcher, cache: createPageCache<LoadedPage>(), runId, logger };

const observations: RawPriceObserved[] = [];
for (const modelId of modelIds) {
  if (modelId.includes(':')) continue;
  const md = pagesRunModel(modelId, runId, Date.now(), positional[0]!);
  const own = await observeProviderSite(md, authors, deps);
  if (own) observations.push(own);
  observations.push(
    ...(await observeHostPages(md, hosts, hosted?.get(modelId) ?? (hosted ? new Set() : null), deps)),
  );
}

for (const page of [...authors.values(), ...hosts]) {
  const mine = observations.filter((o) => o.provider === page.slug);
  if (mine.length === 0) continue;
  const { page: parsed, fetchStatus } = await loadProviderPage(page, deps);
  const ok = mine.filter((o) => o.status === 'ok').length;
  print(
    `pages: ${page.id} (${page.role}) ${fetchStatus}, ${parsed.prices.length} models priced on the page; ` +
      `${ok} catalog models observed ok, ${mine.length - ok} unavailable` +
      (parsed.prices.length === 0 ? ` (${parsed.problems[0] ?? 'no prices'})` : ''),
  );
}

const kafka = createKafka({
  brokers: config.KAFKA_BROKERS,
  clientId: 'pricing-pages',
  logger,
  security: kafkaSecurityFromConfig(config),
});
const producer = createProducer(kafka, { idempotent: true });
try {
  await producer.connect();
  const topic = config.TOPIC_PREFIX + topics.rawPriceObserved.name;
  for (let i = 0; i < observations.length; i += 200) {
    await produceEvents(
      producer,
      topic,
      observations.slice(i, i + 200).map((o) => ({
        key: priceKey(o.model_id, o.provider, o.source_type),
        name: 'RawPriceObserved' as const,
        event: o,
      })),
    );
  }
  await producer.disconnect();
} catch (err) {
  logger.error({ err }, 'pages run failed');
  process.stderr.write(`pages: publishing failed: ${errorMessage(err)}; rerun the same command\n`);
  await producer.disconnect().catch(() => undefined);
  process.exit(3);
}
const ok = observations.filter((o) => o.status === 'ok').length;
print(
  `pages: run=${runId} published ${observations.length} provider_site observations (${ok} ok, ${observations.length - ok} unavailable)`,
);
process.exit(0);
