import {
  createKafka,
  createLogger,
  onShutdown,
  runStage,
  startHealthServer,
  topics,
  type RunningStage,
} from '@llmpt/runtime';
import { loadScraperConfig } from './config.ts';
import { createScraperHandler, type ScraperCounters } from './handler.ts';
import { createHostLimiter } from './fetcher/host-limiter.ts';
import { createPageSource } from './pages-source.ts';

const config = loadScraperConfig();
const logger = createLogger({ service: 'scraper', level: config.LOG_LEVEL });
const kafka = createKafka({
  brokers: config.KAFKA_BROKERS,
  clientId: config.KAFKA_CLIENT_ID ?? 'pricing-scraper',
  logger,
});
const p = config.TOPIC_PREFIX;
const counters: ScraperCounters = { models: 0, observations: 0, unavailable: 0 };
let stage: RunningStage | undefined;

const pages = config.SCRAPE_PROVIDER_SITES ? await createPageSource(config, logger) : undefined;
const health = await startHealthServer(config.HEALTH_PORT, {
  live: () => true,
  ready: () => stage?.isReady() ?? false,
  details: () => ({ ...counters }),
});
onShutdown(
  async () => {
    await stage?.stop();
    await pages?.close();
    await health.close();
    logger.info(counters, 'scraper stopped');
  },
  { logger },
);
stage = await runStage({
  kafka,
  stage: 'scraper',
  groupId: config.GROUP_ID,
  topics: [p + topics.modelDiscovered.name],
  deadLetterTopic: p + topics.deadLetter.name,
  handle: createScraperHandler(
    p + topics.rawPriceObserved.name,
    {
      openRouterBaseUrl: config.OPENROUTER_BASE_URL,
      apiKey: config.OPENROUTER_API_KEY,
      scrapeEndpoints: config.SCRAPE_ENDPOINTS,
      pages: pages?.observe,
      timeoutMs: config.HTTP_TIMEOUT_MS,
      logger,
      concurrency: config.ENDPOINTS_CONCURRENCY,
      limiter: createHostLimiter({
        concurrency: config.ENDPOINTS_CONCURRENCY,
        minIntervalMs: config.OPENROUTER_MIN_INTERVAL_MS,
      }),
    },
    counters,
  ),
  logger,
});
logger.info({ providerSites: config.SCRAPE_PROVIDER_SITES, health: health.port }, 'scraper running');
