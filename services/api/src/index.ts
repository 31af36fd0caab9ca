// What other packages (tests, the bench, deploy checks) use of the API: the app over a reader, the
// reader, the pure mapping and the environment schema. The service itself starts from main.ts.
export { buildApiApp, MAX_URL_LENGTH, type ApiAppOptions } from './adapters/app.ts';
export { createCatalogReader, type CatalogReader, type CatalogReaderOptions } from './adapters/catalog.ts';
export { toOpenRouterPricing, perToken, type StoredPrice } from './core/openrouter.ts';
export { EXPORT_FORMATS, type ApiExportFormat } from './core/exports.ts';
export { apiEnvSchema, loadApiConfig, type ApiConfig } from './config.ts';
export {
  createSubscriptionStore,
  type SubscriptionStore,
  type NewSubscriptionInput,
} from './adapters/subscriptions.ts';
export { type SubscriptionOptions } from './adapters/subscription-routes.ts';
export { keyHash } from './core/keys.ts';
