import {
  createKafka,
  createLogger,
  onShutdown,
  runStage,
  startHealthServer,
  topics,
  type RunningStage,
} from '@llmpt/runtime';
import { createPostgresStore } from './adapters/postgres.ts';
import { createSupabaseStore } from './adapters/supabase.ts';
import { loadSinkConfig } from './config.ts';
import { createSinkHandler, type SinkTotals } from './sink.ts';
import type { PriceStore } from './store.ts';

const config = loadSinkConfig();
const logger = createLogger({ service: 'sink', level: config.LOG_LEVEL });
const store: PriceStore =
  config.STORE === 'supabase'
    ? createSupabaseStore({
        url: config.SUPABASE_URL!,
        serviceRoleKey: config.SUPABASE_SERVICE_ROLE_KEY!,
        logger,
      })
    : createPostgresStore({ databaseUrl: config.DATABASE_URL!, logger, applicationName: 'pricing-sink' });
const kafka = createKafka({
  brokers: config.KAFKA_BROKERS,
  clientId: config.KAFKA_CLIENT_ID ?? 'pricing-sink',
  logger,
});
const p = config.TOPIC_PREFIX;
const totals: SinkTotals = { batches: 0, events: 0, observations: 0, changes: 0 };
let stage: RunningStage | undefined;

const health = await startHealthServer(config.HEALTH_PORT, {
  live: () => true,
  ready: () => stage?.isReady() ?? false,
  details: () => ({ store: config.STORE, ...totals }),
});
onShutdown(
  async () => {
    await stage?.stop();
    await store.close();
    await health.close();
    logger.info(totals, 'sink stopped');
  },
  { logger },
);
stage = await runStage({
  kafka,
  stage: 'sink',
  groupId: config.GROUP_ID,
  // Raw observations carry the endpoint details and provider names of model_providers/providers.
  topics: [
    p + topics.modelDiscovered.name,
    p + topics.rawPriceObserved.name,
    p + topics.normalizedPrice.name,
    p + topics.priceChanged.name,
  ],
  deadLetterTopic: p + topics.deadLetter.name,
  handle: createSinkHandler(store, logger, totals),
  logger,
});
logger.info({ store: config.STORE, health: health.port }, 'sink running');
