// The polite fetcher for provider pricing pages (imperative shell): allow-listed hosts only (every
// redirect hop re-checked), robots.txt honoured, per-host concurrency and spacing, retries with
// exponential backoff and full jitter on 429/5xx/network errors (Retry-After honoured), a timeout per
// attempt and a streaming size cap.
import type { ReadableStreamDefaultReader } from 'node:stream/web';
import { contentHash } from '@llmpt/schemas';
import { guardedDispatcher, internalAddressReason, InternalAddressError } from '@llmpt/runtime/http';
import { createHostLimiter } from '@llmpt/runtime/http';
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
   * internal addresses (address-guard.ts). Tests replace it only to let one loopback host stand in
   * for a public one, so that a redirect from it to an internal address can be exercised.
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

export interface PageFetcher {
  fetchPage(url: string): Promise<PageFetchResult>;
  /** Host allow-list, address and robots.txt checks only (the browser path uses it before rendering). */
  checkUrl(url: string): Promise<Extract<PageFetchResult, { status: PageFetchFailure }> | null>;
  isAllowedHost(hostname: string): boolean;
}

type HopOutcome = { readonly redirect: URL } | { readonly res: Response; readonly bytes: Uint8Array };

class AttemptError extends Error {
  constructor(
    readonly kind: PageFetchFailure,
    message: string,
    readonly retriable: boolean,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null || header.trim() === '') return null;
  const secs = Number(header.trim());
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

async function readCapped(res: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    throw new AttemptError('too_large', `content-length ${declared} exceeds the ${maxBytes}-byte cap`, false);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (res.body) {
    const reader = res.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw new AttemptError('too_large', `body exceeds the ${maxBytes}-byte cap`, false);
      }
      chunks.push(value);
    }
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

export function createPageFetcher(opts: PageFetcherOptions): PageFetcher {
  if (opts.allowHosts.length === 0)
    throw new TypeError('createPageFetcher: allowHosts is empty; list the pricing page hosts');
  const allow = new Set(opts.allowHosts.map((h) => h.toLowerCase()));
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const backoffBase = opts.backoffBaseMs ?? 500;
  const maxBackoff = opts.maxBackoffMs ?? 30_000;
  const maxRetryAfter = opts.maxRetryAfterMs ?? 60_000;
  const maxRedirects = opts.maxRedirects ?? 5;
  const addressRefusal = opts.addressRefusal ?? internalAddressReason;
  const dispatcher = opts.allowPrivateAddresses ? undefined : guardedDispatcher(opts.isInternal);
  const limiter = createHostLimiter({
    concurrency: opts.perHostConcurrency,
    minIntervalMs: opts.minIntervalMs,
    now,
  });
  const robotsByOrigin = new Map<string, Promise<Robots>>();

  const isAllowedHost = (hostname: string) => allow.has(hostname.toLowerCase());

  async function hostRefusal(u: URL): Promise<string | null> {
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return `scheme ${u.protocol} is not fetched`;
    if (!isAllowedHost(u.hostname)) return `host ${u.hostname} is not allow-listed`;
    if (!opts.allowPrivateAddresses) return addressRefusal(u.hostname);
    return null;
  }

  /** One request chain: redirects followed by hand, each hop re-checked and rate-limited. */
  async function attempt(
    start: URL,
    maxBytes: number,
  ): Promise<{ res: Response; bytes: Uint8Array; finalUrl: string }> {
    let current = start;
    for (let hop = 0; hop <= maxRedirects; hop++) {
      const refusal = await hostRefusal(current);
      if (refusal)
        throw new AttemptError('refused', hop === 0 ? refusal : `redirect refused: ${refusal}`, false);
      const target = current;
      const outcome = await limiter.run(target.host, async (): Promise<HopOutcome> => {
        let res: Response;
        try {
          res = await fetch(target, {
            ...(dispatcher ? { dispatcher } : {}),
            redirect: 'manual',
            headers: {
              'user-agent': opts.userAgent,
              accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5',
            },
            signal: AbortSignal.timeout(opts.timeoutMs),
          });
        } catch (err) {
          throw networkError(err);
        }
        if (res.status >= 300 && res.status < 400 && res.headers.has('location')) {
          await res.body?.cancel();
          return { redirect: new URL(res.headers.get('location') ?? '', target) };
        }
        if (res.status === 429 || res.status >= 500) {
          await res.body?.cancel();
          throw new AttemptError(
            'failed',
            `HTTP ${res.status}`,
            true,
            retryAfterMs(res.headers.get('retry-after'), now()),
          );
        }
        if (res.status >= 400) {
          await res.body?.cancel();
          throw new AttemptError('failed', `HTTP ${res.status}`, false);
        }
        try {
          return { res, bytes: await readCapped(res, maxBytes) };
        } catch (err) {
          throw err instanceof AttemptError ? err : networkError(err);
        }
      });
      if ('redirect' in outcome) {
        opts.logger?.debug({ from: target.href, to: outcome.redirect.href }, 'redirect');
        current = outcome.redirect;
        continue;
      }
      return { ...outcome, finalUrl: target.href };
    }
    throw new AttemptError('failed', `more than ${maxRedirects} redirects`, false);
  }

  function networkError(err: unknown): AttemptError {
    const e = err as Error;
    const refused = (e as { cause?: unknown }).cause;
    if (refused instanceof InternalAddressError) return new AttemptError('refused', refused.message, false);
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      return new AttemptError('timeout', `no complete response within ${opts.timeoutMs} ms`, true);
    }
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    return new AttemptError('failed', `network error: ${cause ?? e.message}`, true);
  }

  async function withRetries(url: URL, maxBytes: number) {
    for (let n = 0; ; n++) {
      try {
        return await attempt(url, maxBytes);
      } catch (err) {
        if (!(err instanceof AttemptError)) throw err;
        if (!err.retriable || n >= opts.retries) throw err;
        const backoff = Math.round(random() * Math.min(maxBackoff, backoffBase * 2 ** n));
        if (err.retryAfterMs !== null && err.retryAfterMs > maxRetryAfter) throw err;
        const delay = Math.max(backoff, err.retryAfterMs ?? 0);
        opts.logger?.warn(
          { url: url.href, attempt: n + 1, delayMs: delay, error: err.message },
          'retrying page fetch',
        );
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  async function loadRobots(origin: URL): Promise<Robots> {
    try {
      const { bytes } = await withRetries(new URL('/robots.txt', origin), 512 * 1024);
      return parseRobots(new TextDecoder().decode(bytes));
    } catch (err) {
      if (err instanceof AttemptError && /^HTTP 4\d\d$/.test(err.message)) return ALLOW_ALL; // no robots.txt
      // RFC 9309: an unreachable robots.txt (5xx, network) means "assume complete disallow".
      opts.logger?.warn(
        { origin: origin.origin, error: (err as Error).message },
        'robots.txt unreachable: disallowing',
      );
      return DISALLOW_ALL;
    }
  }

  function robotsFor(u: URL): Promise<Robots> {
    let p = robotsByOrigin.get(u.origin);
    if (!p) {
      p = loadRobots(u);
      robotsByOrigin.set(u.origin, p);
    }
    return p;
  }

  async function checkUrl(url: string) {
    const fetchedAt = now();
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return { status: 'refused' as const, url, reason: `not a URL: ${url}`, fetchedAt };
    }
    const refusal = await hostRefusal(u);
    if (refusal) return { status: 'refused' as const, url, reason: refusal, fetchedAt };
    if (opts.robots) {
      const robots = await robotsFor(u);
      if (!robotsAllows(robots, opts.userAgent, `${u.pathname}${u.search}`)) {
        return {
          status: 'robots_disallowed' as const,
          url,
          reason: `robots.txt disallows ${u.pathname}`,
          fetchedAt,
        };
      }
    }
    return null;
  }

  return {
    isAllowedHost,
    checkUrl,
    async fetchPage(url: string): Promise<PageFetchResult> {
      const refused = await checkUrl(url);
      if (refused) return refused;
      const fetchedAt = now();
      try {
        const { res, bytes, finalUrl } = await withRetries(new URL(url), opts.maxBytes);
        return {
          status: 'ok',
          url,
          finalUrl,
          body: new TextDecoder().decode(bytes),
          bytes: bytes.byteLength,
          contentHash: contentHash(bytes),
          fetchedAt,
          httpStatus: res.status,
        };
      } catch (err) {
        if (!(err instanceof AttemptError)) throw err;
        return { status: err.kind, url, reason: err.message, fetchedAt };
      }
    },
  };
}
