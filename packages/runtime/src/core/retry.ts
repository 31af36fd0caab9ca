import { isRetriable } from './errors.ts';

export interface RetryOptions {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  /** Decides whether an error is worth another attempt; defaults to `isRetriable`. */
  readonly shouldRetry?: (err: unknown) => boolean;
  readonly onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  readonly signal?: AbortSignal;
  /** Source of randomness for the jitter (tests pass a fixed one). */
  readonly random?: () => number;
}

export const defaultRetry: RetryOptions = { attempts: 5, initialDelayMs: 200, maxDelayMs: 10_000, factor: 2 };

/** Exponential backoff with full jitter: delay is uniform in [0, min(max, initial * factor^n)]. */
export function backoffDelay(attempt: number, opts: RetryOptions): number {
  const cap = Math.min(opts.maxDelayMs, opts.initialDelayMs * opts.factor ** (attempt - 1));
  return Math.round((opts.random ?? Math.random)() * cap);
}

export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  options: Partial<RetryOptions> = {},
): Promise<T> {
  const opts = { ...defaultRetry, ...options };
  const shouldRetry = opts.shouldRetry ?? isRetriable;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= opts.attempts || !shouldRetry(err) || opts.signal?.aborted) throw err;
      const delay = backoffDelay(attempt, opts);
      opts.onRetry?.(err, attempt, delay);
      await sleep(delay, opts.signal);
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
