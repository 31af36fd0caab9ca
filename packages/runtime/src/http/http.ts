// fetchBytes: the one-shot form of the client for OpenRouter's API (discovery, the scraper's
// endpoints): what it throws after its retries is the data callers key on (SOURCE_UNREACHABLE,
// HTTP_4XX with its status, TOO_LARGE).
import { PipelineError } from '../core/errors.ts';
import { createHttpClient } from './client.ts';
import { HttpError } from './errors.ts';
import type { HostLimiter } from './host-limiter.ts';

export interface FetchedBody {
  readonly url: string;
  readonly status: number;
  readonly body: Buffer;
  readonly fetchedAt: number;
}

export interface FetchOptions {
  readonly timeoutMs?: number;
  readonly attempts?: number;
  readonly headers?: Record<string, string>;
  /** Responses larger than this are refused (a runaway or hostile source). */
  readonly maxBytes?: number;
  /** Per-host politeness: each request waits for its turn (retries included). */
  readonly limiter?: HostLimiter;
  readonly now?: () => number;
  readonly onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/**
 * GET with a timeout, a size cap and retries with jittered backoff on network errors, 429 and 5xx.
 * A 4xx other than 429 is final (`HTTP_4XX`, its `status` set); exhausted retries surface as
 * `SOURCE_UNREACHABLE` (with the last answer's `status`, when there was one).
 */
export async function fetchBytes(url: string, opts: FetchOptions = {}): Promise<FetchedBody> {
  const client = createHttpClient({
    timeoutMs: opts.timeoutMs,
    attempts: opts.attempts ?? 4,
    backoff: { initialDelayMs: 250, maxDelayMs: 5_000 },
    headers: opts.headers,
    maxBytes: opts.maxBytes,
    limiter: opts.limiter,
    now: opts.now,
    onRetry: opts.onRetry,
  });
  try {
    const res = await client.get(url);
    return { url, status: res.status, body: res.body, fetchedAt: res.fetchedAt };
  } catch (err) {
    if (err instanceof HttpError && err.retriable) throw gaveUp(err);
    throw err;
  }
}

function gaveUp(err: HttpError): PipelineError {
  return new PipelineError('SOURCE_UNREACHABLE', `${err.message} (gave up after retries)`, {
    cause: err,
    status: err.status,
  });
}
