import { runConsumerService } from '@llmpt/runtime/kafka';
import { sinkInputTopics } from '@llmpt/runtime';
import { createSinkHandler, type SinkTotals } from './adapters/handler.ts';
import { createPostgresStore } from './adapters/postgres.ts';
import type { PriceStore } from './adapters/store.ts';
import { createSupabaseStore } from './adapters/supabase.ts';
import { loadSinkConfig } from './config.ts';

const config = loadSinkConfig();
const totals: SinkTotals = { batches: 0, events: 0, observations: 0, changes: 0, retractions: 0 };
let store: PriceStore | undefined;

await runConsumerService({
  service: 'sink',
  config,
  // Raw observations carry the endpoint details and provider names of model_providers/providers.
  inputTopics: sinkInputTopics,
  group: { maxEvents: config.SINK_BATCH_MAX_EVENTS, maxWaitMs: config.SINK_BATCH_MAX_WAIT_MS },
  prepare: async ({ logger }) => {
    store =
      config.STORE === 'supabase'
        ? createSupabaseStore({
            url: config.SUPABASE_URL!,
            serviceRoleKey: config.SUPABASE_SERVICE_ROLE_KEY!,
            logger,
          })
        : createPostgresStore({ databaseUrl: config.DATABASE_URL!, logger, applicationName: 'pricing-sink' });
    return { handle: createSinkHandler(store, logger, totals, config.STORE) };
  },
  details: () => ({ store: config.STORE, ...totals }),
  close: async () => store?.close(),
});
