// What the HTTP client throws: one PipelineError subclass whose data (code, status, retriable, the
// reason without the request line) is what callers branch on, never its message text.
import { PipelineError } from '../core/errors.ts';
import { redactUrl, scrubSecrets } from '../core/logger.ts';
import { InternalAddressError } from './address-guard.ts';

/**
 * Stable codes. Retriable: `NETWORK`, `TIMEOUT`, `HTTP_429` and `HTTP_5xx` (the exact status, e.g.
 * `HTTP_503`). Final: `HTTP_4XX` (any other 4xx: the status is in `status`), `TOO_LARGE` (the size
 * cap), `REFUSED` (scheme, allow-list or address guard: never sent), `TOO_MANY_REDIRECTS`.
 */
export type HttpErrorCode =
  'NETWORK' | 'TIMEOUT' | 'TOO_LARGE' | 'REFUSED' | 'TOO_MANY_REDIRECTS' | 'HTTP_4XX' | `HTTP_${number}`;

export interface HttpErrorData {
  /** The request's URL; its password is removed before it is kept. */
  readonly url: string;
  /** What went wrong, without the request line: "HTTP 404", "network error: ECONNREFUSED". */
  readonly reason: string;
  readonly retriable: boolean;
  readonly status?: number;
  /** How long the server asked us to wait (Retry-After), when it said. */
  readonly retryAfterMs?: number | null;
  readonly cause?: unknown;
  /** Default GET. */
  readonly method?: string;
}

export class HttpError extends PipelineError {
  declare readonly code: HttpErrorCode;
  /** The URL that failed (a redirect hop's, when a hop failed), password removed. */
  readonly url: string;
  readonly reason: string;
  readonly retryAfterMs: number | null;

  constructor(code: HttpErrorCode, data: HttpErrorData) {
    const url = redactUrl(data.url);
    // Messages end up in logs, stderr and events (unavailable reasons, dead letters): never the
    // password of a URL, nor what fetch quotes back from it.
    const message =
      data.status === undefined
        ? `${data.method ?? 'GET'} ${url} failed: ${scrubSecrets(data.reason)}`
        : `${data.method ?? 'GET'} ${url} answered ${data.status}`;
    super(code, message, { retriable: data.retriable, status: data.status, cause: data.cause });
    this.url = url;
    this.reason = scrubSecrets(data.reason);
    this.retryAfterMs = data.retryAfterMs ?? null;
  }
}

/** An answer with an error status: 429 and 5xx may pass, any other 4xx is final. */
export function answerError(url: string, status: number, retryAfterMs: number | null): HttpError {
  const retriable = status === 429 || status >= 500;
  return new HttpError(retriable ? `HTTP_${status}` : 'HTTP_4XX', {
    url,
    reason: `HTTP ${status}`,
    retriable,
    status,
    retryAfterMs: retriable ? retryAfterMs : null,
  });
}

export function refusedError(url: string, reason: string, method?: string): HttpError {
  return new HttpError('REFUSED', { url, reason, retriable: false, ...(method ? { method } : {}) });
}

export function tooLargeError(url: string, reason: string): HttpError {
  return new HttpError('TOO_LARGE', { url, reason, retriable: false });
}

/** A request that got no complete answer: refused at connect by the guard, timed out, or cut. */
export function networkError(url: string, err: unknown, timeoutMs: number, method?: string): HttpError {
  if (err instanceof HttpError) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  const cause: unknown = e.cause;
  const m = method ? { method } : {};
  if (cause instanceof InternalAddressError) return refusedError(url, cause.message, method);
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return new HttpError('TIMEOUT', {
      url,
      reason: `no complete response within ${timeoutMs} ms`,
      retriable: true,
      cause: err,
      ...m,
    });
  const code = causeCode(cause);
  return new HttpError('NETWORK', {
    url,
    reason: `network error: ${code ?? e.message}`,
    retriable: true,
    cause: err,
    ...m,
  });
}

function causeCode(cause: unknown): string | undefined {
  if (cause && typeof cause === 'object' && 'code' in cause && typeof cause.code === 'string')
    return cause.code;
  return undefined;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null || header.trim() === '') return null;
  const secs = Number(header.trim());
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
