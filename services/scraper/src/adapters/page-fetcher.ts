// The polite fetcher for provider pricing pages (imperative shell): the runtime's HTTP client with
// every option on (allow-listed hosts only, every redirect hop re-checked, the address guard unless
// private addresses are allowed, per-host concurrency and spacing, retries with exponential backoff
// and full jitter on 429/5xx/network errors, Retry-After honoured, a timeout per request and a
// streaming size cap), plus robots.txt; failures come back as results, not throws.
import { ConfigError, errorMessage } from '@llmpt/runtime';
import {
  createHostLimiter,
  createHttpClient,
  HttpError,
  type HttpClient,
  type HttpClientOptions,
} from '@llmpt/runtime/http';
import { contentHash } from '@llmpt/schemas';
import { ALLOW_ALL, DISALLOW_ALL, parseRobots, robotsAllows, type Robots } from '../core/robots.ts';

export interface FetchLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface PageFetcherOptions {
  readonly allowHosts: readonly string[];
  readonly perHostConcurrency: number;
  readonly minIntervalMs: number;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Retries after the first attempt. */
  readonly retries: number;
  readonly userAgent: string;
  readonly robots: boolean;
  /** Loopback/private addresses allowed: true only in tests and local runs. */
  readonly allowPrivateAddresses: boolean;
  readonly logger?: FetchLogger;
  /**
   * Why a host may not be fetched in production mode (null: fine). Default: resolve it and refuse
   * internal addresses (the runtime's address guard). Tests replace it only to let one loopback host
   * stand in for a public one, so that a redirect from it to an internal address can be exercised.
   */
  readonly addressRefusal?: (hostname: string) => Promise<string | null>;
  /**
   * Which resolved addresses a connection may not reach in production mode (checked inside the
   * connection's own DNS lookup, so a name cannot answer differently to the guard and to the
   * connection). Default: internal addresses. Replaced only by the same stand-in tests.
   */
  readonly isInternal?: (address: string) => boolean;
  /** First backoff step; delays are uniform in [0, min(maxBackoffMs, base * 2^n)]. Default 500 ms. */
  readonly backoffBaseMs?: number;
  readonly maxBackoffMs?: number;
  /** Longest Retry-After honoured; a longer one gives up. Default 60 s. */
  readonly maxRetryAfterMs?: number;
  readonly maxRedirects?: number;
  readonly now?: () => number;
  readonly random?: () => number;
}

export type PageFetchFailure = 'refused' | 'robots_disallowed' | 'failed' | 'too_large' | 'timeout';

export type PageFetchResult =
  | {
      readonly status: 'ok';
      readonly url: string;
      readonly finalUrl: string;
      readonly body: string;
      readonly bytes: number;
      readonly contentHash: string;
      readonly fetchedAt: number;
      readonly httpStatus: number;
    }
  | {
      readonly status: PageFetchFailure;
      readonly url: string;
      readonly reason: string;
      readonly fetchedAt: number;
    };

type PageFetchRefusal = Extract<PageFetchResult, { status: PageFetchFailure }>;

export interface PageFetcher {
  fetchPage(url: string): Promise<PageFetchResult>;
  /** Host allow-list, address and robots.txt checks only (the browser path uses it before rendering). */
  checkUrl(url: string): Promise<PageFetchRefusal | null>;
  isAllowedHost(hostname: string): boolean;
}

const ROBOTS_MAX_BYTES = 512 * 1024;

export function createPageFetcher(opts: PageFetcherOptions): PageFetcher {
  if (opts.allowHosts.length === 0)
    throw new ConfigError('createPageFetcher: allowHosts is empty; list the pricing page hosts');
  const now = opts.now ?? Date.now;
  const client = createHttpClient(clientOptions(opts, now));
  const robotsFor = robotsCache(client, opts.logger);
  const checkUrl = (url: string) => pageRefusal(url, client, opts.robots ? robotsFor : null, opts, now);
  return {
    isAllowedHost: (hostname) => client.isAllowedHost(hostname),
    checkUrl,
    async fetchPage(url) {
      const refused = await checkUrl(url);
      if (refused) return refused;
      return fetchChecked(client, url, now());
    },
  };
}

function clientOptions(opts: PageFetcherOptions, now: () => number): HttpClientOptions {
  return {
    allowHosts: opts.allowHosts,
    guard: opts.allowPrivateAddresses
      ? undefined
      : { addressRefusal: opts.addressRefusal, isInternal: opts.isInternal },
    limiter: createHostLimiter({
      concurrency: opts.perHostConcurrency,
      minIntervalMs: opts.minIntervalMs,
      now,
    }),
    headers: {
      'user-agent': opts.userAgent,
      accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5',
    },
    timeoutMs: opts.timeoutMs,
    maxBytes: opts.maxBytes,
    attempts: opts.retries + 1,
    backoff: { initialDelayMs: opts.backoffBaseMs ?? 500, maxDelayMs: opts.maxBackoffMs ?? 30_000 },
    retryAfterCapMs: opts.maxRetryAfterMs ?? 60_000,
    maxRedirects: opts.maxRedirects ?? 5,
    now,
    random: opts.random,
    onRetry: (err, attempt, delayMs) =>
      opts.logger?.warn({ url: err.url, attempt, delayMs, error: err.reason }, 'retrying page fetch'),
    onRedirect: (from, to) => opts.logger?.debug({ from, to }, 'redirect'),
  };
}

/** A fetch failure as the page result names it; the reason is the client's, without the URL. */
function failureOf(err: HttpError): PageFetchFailure {
  switch (err.code) {
    case 'REFUSED':
      return 'refused';
    case 'TIMEOUT':
      return 'timeout';
    case 'TOO_LARGE':
      return 'too_large';
    case 'NETWORK':
    case 'TOO_MANY_REDIRECTS':
    case 'HTTP_4XX':
    default: // HTTP_429, HTTP_5xx after the retries
      return 'failed';
  }
}

async function fetchChecked(client: HttpClient, url: string, fetchedAt: number): Promise<PageFetchResult> {
  try {
    const res = await client.get(url);
    return {
      status: 'ok',
      url,
      finalUrl: res.finalUrl,
      body: new TextDecoder().decode(res.body),
      bytes: res.body.byteLength,
      contentHash: contentHash(res.body),
      fetchedAt,
      httpStatus: res.status,
    };
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    return { status: failureOf(err), url, reason: err.reason, fetchedAt };
  }
}

/** Why a page is not fetched (not a URL, host, address, robots.txt), checked before any page request. */
async function pageRefusal(
  url: string,
  client: HttpClient,
  robotsFor: ((u: URL) => Promise<Robots>) | null,
  opts: Pick<PageFetcherOptions, 'userAgent'>,
  now: () => number,
): Promise<PageFetchRefusal | null> {
  const fetchedAt = now();
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { status: 'refused', url, reason: `not a URL: ${url}`, fetchedAt };
  }
  const refusal = await client.refusal(u);
  if (refusal) return { status: 'refused', url, reason: refusal, fetchedAt };
  if (robotsFor && !robotsAllows(await robotsFor(u), opts.userAgent, `${u.pathname}${u.search}`))
    return { status: 'robots_disallowed', url, reason: `robots.txt disallows ${u.pathname}`, fetchedAt };
  return null;
}

/** robots.txt read once per origin for the fetcher's life (concurrent callers share the read). */
function robotsCache(client: HttpClient, logger: FetchLogger | undefined): (u: URL) => Promise<Robots> {
  const byOrigin = new Map<string, Promise<Robots>>();
  return (u) => {
    let p = byOrigin.get(u.origin);
    if (!p) {
      p = loadRobots(client, u, logger);
      byOrigin.set(u.origin, p);
    }
    return p;
  };
}

async function loadRobots(client: HttpClient, origin: URL, logger: FetchLogger | undefined): Promise<Robots> {
  try {
    const { body } = await client.get(new URL('/robots.txt', origin), { maxBytes: ROBOTS_MAX_BYTES });
    return parseRobots(new TextDecoder().decode(body));
  } catch (err) {
    // RFC 9309: a robots.txt that is not there (4xx) allows everything...
    if (err instanceof HttpError && err.status !== undefined && err.status >= 400 && err.status < 500)
      return ALLOW_ALL;
    // ...and an unreachable one (5xx, network) means "assume complete disallow".
    logger?.warn({ origin: origin.origin, error: errorMessage(err) }, 'robots.txt unreachable: disallowing');
    return DISALLOW_ALL;
  }
}
