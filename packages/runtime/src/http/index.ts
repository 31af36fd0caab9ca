// @llmpt/runtime/http: the one HTTP client (OpenRouter's API and the providers' pages).
export * from './client.ts';
export * from './http.ts';
export * from './errors.ts';
export * from './address-guard.ts';
export * from './host-limiter.ts';
