import { runConsumerService, topics } from '@llmpt/runtime';
import { restoreState } from './adapters/changelog.ts';
import { loadNormalizerConfig } from './config.ts';
import { createNormalizerHandler, type NormalizerCounters } from './handler.ts';

const config = loadNormalizerConfig();
const counters: NormalizerCounters = { observations: 0, changes: 0, alerts: 0 };
const prefix = config.TOPIC_PREFIX;

await runConsumerService({
  service: 'normalizer',
  config,
  inputTopics: [topics.rawPriceObserved.name],
  // One transactional id per deployment (and per test prefix): a restarted instance fences its zombie.
  transactionalId: `${config.TRANSACTIONAL_ID}${prefix ? `-${prefix}` : ''}`,
  prepare: async ({ kafka, logger }) => {
    // State comes from the compacted changelog, never from the database: the topics are the truth.
    const state = await restoreState(kafka, prefix + topics.normalizerState.name, logger);
    const handler = createNormalizerHandler(
      state,
      {
        normalized: prefix + topics.normalizedPrice.name,
        changed: prefix + topics.priceChanged.name,
        changelog: prefix + topics.normalizerState.name,
      },
      { alertThreshold: config.ALERT_THRESHOLD },
      counters,
    );
    return { handle: handler.handle, onCommitted: handler.commit };
  },
  details: () => ({ ...counters }),
});
