// Retries of the HTTP client: exponential backoff with full jitter on retriable failures (network,
// timeout, 429, 5xx), and, when asked, the server's Retry-After honoured up to a cap.
import { backoffDelay } from '../core/retry.ts';
import { HttpError } from './errors.ts';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** The wait before attempt n+1 is uniform in [0, min(maxDelayMs, initialDelayMs * 2^(n-1))]. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Retry-After is honoured up to this wait and a longer one gives up; null: the header is not read. */
  readonly retryAfterCapMs: number | null;
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly onRetry?: (err: HttpError, attempt: number, delayMs: number) => void;
}

/** The wait before the attempt after `attempt` (1-based), or null to give up with this error. */
export function retryDelay(err: unknown, attempt: number, policy: RetryPolicy): number | null {
  if (!(err instanceof HttpError) || !err.retriable || attempt >= policy.attempts) return null;
  const { attempts, initialDelayMs, maxDelayMs, random } = policy;
  const backoff = backoffDelay(attempt, { attempts, initialDelayMs, maxDelayMs, random, factor: 2 });
  if (policy.retryAfterCapMs === null || err.retryAfterMs === null) return backoff;
  if (err.retryAfterMs > policy.retryAfterCapMs) return null;
  return Math.max(backoff, err.retryAfterMs);
}

export async function withRetries<T>(attempt: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const delay = retryDelay(err, n, policy);
      if (delay === null) throw err;
      policy.onRetry?.(err as HttpError, n, delay);
      await policy.sleep(delay);
    }
  }
}
