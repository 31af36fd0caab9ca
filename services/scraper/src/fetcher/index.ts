export * from './page-fetcher.ts';
export * from './page-cache.ts';
export * from './browser.ts';
export * from './robots.ts';
export * from './host-limiter.ts';
export * from './address-guard.ts';
export * from './provider-site.ts';
