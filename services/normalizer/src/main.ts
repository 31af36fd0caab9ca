import {
  createKafka,
  createLogger,
  onShutdown,
  runStage,
  startHealthServer,
  topics,
  type RunningStage,
} from '@llmpt/runtime';
import { restoreState } from './adapters/changelog.ts';
import { loadNormalizerConfig } from './config.ts';
import { createNormalizerHandler, type NormalizerCounters } from './handler.ts';

const config = loadNormalizerConfig();
const logger = createLogger({ service: 'normalizer', level: config.LOG_LEVEL });
const kafka = createKafka({
  brokers: config.KAFKA_BROKERS,
  clientId: config.KAFKA_CLIENT_ID ?? 'pricing-normalizer',
  logger,
});
const p = config.TOPIC_PREFIX;
const counters: NormalizerCounters = { observations: 0, changes: 0, alerts: 0 };
let stage: RunningStage | undefined;
let restored = false;

const health = await startHealthServer(config.HEALTH_PORT, {
  live: () => true,
  ready: () => restored && (stage?.isReady() ?? false),
  details: () => ({ ...counters }),
});
onShutdown(
  async () => {
    await stage?.stop();
    await health.close();
    logger.info(counters, 'normalizer stopped');
  },
  { logger },
);
const state = await restoreState(kafka, p + topics.normalizerState.name, logger);
restored = true;
const handler = createNormalizerHandler(
  state,
  {
    normalized: p + topics.normalizedPrice.name,
    changed: p + topics.priceChanged.name,
    changelog: p + topics.normalizerState.name,
  },
  { alertThreshold: config.ALERT_THRESHOLD },
  counters,
);
stage = await runStage({
  kafka,
  stage: 'normalizer',
  groupId: config.GROUP_ID,
  topics: [p + topics.rawPriceObserved.name],
  deadLetterTopic: p + topics.deadLetter.name,
  transactionalId: `${config.TRANSACTIONAL_ID}${p ? `-${p}` : ''}`,
  handle: handler.handle,
  onCommitted: handler.commit,
  logger,
});
logger.info({ keys: state.size, health: health.port }, 'normalizer running');
