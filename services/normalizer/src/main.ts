import { normalizerInputTopics, topics } from '@llmpt/runtime';
import { runConsumerService } from '@llmpt/runtime/kafka';
import { restoreState } from './adapters/changelog.ts';
import { createNormalizerHandler, emptyCounters } from './adapters/handler.ts';
import { loadNormalizerConfig } from './config.ts';

const config = loadNormalizerConfig();
const counters = emptyCounters();
const prefix = config.TOPIC_PREFIX;

await runConsumerService({
  service: 'normalizer',
  config,
  // Observations, and the catalog snapshots the model lifecycle (removals, expirations) derives from.
  inputTopics: normalizerInputTopics,
  // One transactional id per deployment (and per test prefix): a restarted instance fences its zombie.
  transactionalId: `${config.TRANSACTIONAL_ID}${prefix ? `-${prefix}` : ''}`,
  // One transaction per group: the handler sees the group's messages at once and its state is applied
  // (onCommitted) before the next group is handled.
  group: { maxEvents: config.NORMALIZER_BATCH_MAX_EVENTS, maxWaitMs: config.NORMALIZER_BATCH_MAX_WAIT_MS },
  prepare: async ({ kafka, logger }) => {
    // State comes from the compacted changelog, never from the database: the topics are the truth.
    const state = await restoreState(kafka, prefix + topics.normalizerState.name, logger);
    const handler = createNormalizerHandler(
      state,
      {
        normalized: prefix + topics.normalizedPrice.name,
        changed: prefix + topics.priceChanged.name,
        retracted: prefix + topics.priceChangeRetracted.name,
        changelog: prefix + topics.normalizerState.name,
      },
      {
        alertThreshold: config.ALERT_THRESHOLD,
        removalAfterRuns: config.REMOVAL_AFTER_RUNS,
        onUnregistered: (runId, keys) =>
          logger.warn(
            { run_id: runId, keys },
            'pricing keys the dimension registry does not know: kept raw in NormalizedPrice.unregistered',
          ),
        // docs/price-model.md §4.2: late inputs recompute their keys; one line per committed batch.
        onLate: (b) =>
          logger.info(
            { late: b.late, retractions: b.retractions, backfilled: b.backfilled, changes: b.changes },
            'late inputs placed in valid time: versions published and retracted',
          ),
      },
      counters,
    );
    return { handle: handler.handle, onCommitted: handler.commit };
  },
  details: () => ({ ...counters }),
});
