import { runConsumerService } from '@llmpt/runtime/kafka';
import { topics } from '@llmpt/runtime';
import { createHttpClient } from '@llmpt/runtime/http';
import { startDeliveryLoop, type DeliveryLoop } from './adapters/delivery-loop.ts';
import { webhookGuard } from './adapters/guard.ts';
import { startReplayLoop, type ReplayLoop } from './adapters/replay-loop.ts';
import { createNotifierHandler, type NotifierTotals } from './adapters/handler.ts';
import { createDeliveryStore } from './adapters/store.ts';
import { loadNotifierConfig } from './config.ts';

const config = loadNotifierConfig();
const totals: NotifierTotals = {
  events: 0,
  retractions: 0,
  recorded: 0,
  attempts: 0,
  delivered: 0,
  dead: 0,
};
const store = createDeliveryStore({ databaseUrl: config.DATABASE_URL });
let loop: DeliveryLoop | undefined;
let replays: ReplayLoop | undefined;

await runConsumerService({
  service: 'notifier',
  config,
  inputTopics: [topics.priceChanged.name, topics.priceChangeRetracted.name],
  prepare: ({ logger }) => {
    loop = startDeliveryLoop({
      store,
      http: createHttpClient({
        timeoutMs: config.WEBHOOK_TIMEOUT_MS,
        attempts: 1,
        maxRedirects: 0,
        guard: webhookGuard(config.WEBHOOK_ALLOW_LOOPBACK),
        headers: { 'user-agent': 'llm-price-tracker-notifier' },
      }),
      schedule: {
        initialDelayMs: config.WEBHOOK_BACKOFF_INITIAL_MS,
        maxDelayMs: config.WEBHOOK_BACKOFF_MAX_MS,
        maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
      },
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      leaseMs: config.WEBHOOK_LEASE_MS,
      pollMs: config.WEBHOOK_POLL_MS,
      concurrency: config.WEBHOOK_CONCURRENCY,
      logger,
      totals,
      onFatal: () => process.exit(1),
    });
    replays = startReplayLoop({
      store,
      pollMs: config.WEBHOOK_REPLAY_POLL_MS,
      logger,
      onFatal: () => process.exit(1),
    });
    return Promise.resolve({ handle: createNotifierHandler(store, logger, totals) });
  },
  details: () => ({ ...totals }),
  close: async () => {
    await replays?.stop();
    await loop?.stop();
    await store.close();
  },
});
