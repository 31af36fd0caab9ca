import { createLogger, metricsText, onShutdown, startHealthServer } from '@llmpt/runtime';
import { buildApiApp } from './adapters/app.ts';
import { createCatalogReader } from './adapters/catalog.ts';
import { createSubscriptionStore } from './adapters/subscriptions.ts';
import { loadApiConfig } from './config.ts';

const config = loadApiConfig();
const logger = createLogger({ service: 'api', level: config.LOG_LEVEL });
const reader = createCatalogReader({
  databaseUrl: config.DATABASE_URL,
  poolSize: config.DB_POOL_SIZE,
  onIdleError: (err) => logger.warn({ err }, 'postgres pool: idle client error'),
});
// Webhook subscriptions only with keys and the webhook_admin login (README "Switched off unless configured").
const subscriptionStore =
  config.API_KEYS.length > 0 && config.WEBHOOK_ADMIN_DATABASE_URL !== undefined
    ? createSubscriptionStore({
        databaseUrl: config.WEBHOOK_ADMIN_DATABASE_URL,
        onIdleError: (err) => logger.warn({ err }, 'postgres pool (subscriptions): idle client error'),
      })
    : undefined;
const app = await buildApiApp({
  reader,
  logger,
  rateLimit: { max: config.RATE_LIMIT_MAX, windowMs: config.RATE_LIMIT_WINDOW_MS },
  corsOrigins: config.CORS_ORIGINS,
  cache: { ttlMs: config.CACHE_TTL_MS, maxBytes: config.CACHE_MAX_BYTES },
  ...(subscriptionStore
    ? {
        subscriptions: {
          store: subscriptionStore,
          keyHashes: config.API_KEYS,
          allowLoopback: config.WEBHOOK_ALLOW_LOOPBACK,
        },
      }
    : {}),
  ...(config.PUBLIC_BASE_URL ? { publicBaseUrl: config.PUBLIC_BASE_URL } : {}),
  ...(config.WEB_DIST ? { explorer: { root: config.WEB_DIST } } : {}),
});

// Prometheus scrapes this port, which the public Service does not expose (docs/metrics.md "API").
let listening = false;
const metricsServer = await startHealthServer(config.METRICS_PORT, {
  live: () => true,
  ready: () => listening,
  metrics: metricsText,
});

// SIGTERM: stop accepting, let requests in flight finish (new ones get 503), then close the pool.
onShutdown(
  async () => {
    listening = false;
    await app.close();
    await metricsServer.close();
    await reader.close();
    await subscriptionStore?.close();
  },
  { logger, exit: (code) => process.exit(code) },
);

await app.listen({ port: config.PORT, host: config.HOST });
listening = true;
logger.info({ port: config.PORT, metrics: metricsServer.port }, 'api listening');
