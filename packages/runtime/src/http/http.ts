import { PipelineError, TransientError } from '../core/errors.ts';
import { redactUrl, scrubSecrets } from '../core/logger.ts';
import { retry } from '../core/retry.ts';

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
  readonly now?: () => number;
  readonly onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/**
 * GET with a timeout, a size cap and retries with jittered backoff on network errors, 429 and 5xx.
 * A 4xx other than 429 is final (`HTTP_4XX`); exhausted retries surface as `SOURCE_UNREACHABLE`.
 */
export async function fetchBytes(url: string, opts: FetchOptions = {}): Promise<FetchedBody> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
  const now = opts.now ?? Date.now;
  // Messages end up in logs, stderr and events (unavailable reasons, dead letters): never the password
  // of a URL, nor what fetch quotes back from it.
  const shown = redactUrl(url);
  try {
    return await retry(
      async () => {
        let res: Response;
        try {
          res = await fetch(url, { headers: opts.headers, signal: AbortSignal.timeout(timeoutMs) });
        } catch (err) {
          throw new TransientError(
            'NETWORK',
            `GET ${shown} failed: ${scrubSecrets((err as Error).message)}`,
            err,
          );
        }
        if (res.status === 429 || res.status >= 500) {
          await res.body?.cancel();
          throw new TransientError(`HTTP_${res.status}`, `GET ${shown} answered ${res.status}`);
        }
        if (res.status >= 400) {
          await res.body?.cancel();
          throw new PipelineError('HTTP_4XX', `GET ${shown} answered ${res.status}`);
        }
        const body = await readCapped(res, maxBytes, shown);
        return { url, status: res.status, body, fetchedAt: now() };
      },
      { attempts: opts.attempts ?? 4, initialDelayMs: 250, maxDelayMs: 5_000, onRetry: opts.onRetry },
    );
  } catch (err) {
    if (err instanceof TransientError)
      throw new PipelineError('SOURCE_UNREACHABLE', `${err.message} (gave up after retries)`, { cause: err });
    throw err;
  }
}

async function readCapped(res: Response, maxBytes: number, url: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes)
    throw new PipelineError('TOO_LARGE', `GET ${url}: ${declared} bytes exceeds the cap of ${maxBytes}`);
  const chunks: Buffer[] = [];
  let size = 0;
  if (!res.body) return Buffer.alloc(0);
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes)
      throw new PipelineError('TOO_LARGE', `GET ${url}: body exceeds the cap of ${maxBytes} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
