// @llmpt/runtime/http: the one HTTP client (OpenRouter's API and the providers' pages).
export * from './http.ts';
