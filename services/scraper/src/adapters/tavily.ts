// The Tavily search API (imperative shell): one `POST {base}/search` per call, the key in the
// Authorization header (never in the body, the URL or a log line), a timeout and a size cap, no retry
// (a search costs credits; a failed one makes the model's fallback unavailable for this run).
import { errorMessage } from '@llmpt/runtime';
import { parseTavilyAnswer, type SearchResult, type TavilySearchRequest } from '../core/web-fallback.ts';

export interface TavilyOptions {
  /** https://api.tavily.com, or a local stand-in in tests. */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
  /** Answers larger than this are refused. Default 2 MiB (a recorded answer is 4-7 KB). */
  readonly maxBytes?: number;
}

export type SearchAnswer =
  | { readonly status: 'ok'; readonly results: readonly SearchResult[] }
  | { readonly status: 'failed'; readonly reason: string };

export type WebSearch = (request: TavilySearchRequest) => Promise<SearchAnswer>;

export function createTavilySearch(opts: TavilyOptions): WebSearch {
  const url = new URL('search', opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`).toString();
  const maxBytes = opts.maxBytes ?? 2 * 1024 * 1024;
  return async (request) => {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          authorization: `Bearer ${opts.apiKey}`,
        },
        body: JSON.stringify(request),
        redirect: 'error',
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
    } catch (err) {
      return { status: 'failed', reason: `search request failed: ${scrub(errorMessage(err), opts.apiKey)}` };
    }
    const text = await res.text().catch(() => '');
    if (Buffer.byteLength(text) > maxBytes)
      return { status: 'failed', reason: `search answer larger than ${maxBytes} bytes` };
    if (res.status !== 200) return { status: 'failed', reason: `search answered HTTP ${res.status}` };
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { status: 'failed', reason: 'search answer is not JSON' };
    }
    const parsed = parseTavilyAnswer(body);
    return 'error' in parsed
      ? { status: 'failed', reason: parsed.error }
      : { status: 'ok', results: parsed.results };
  };
}

function scrub(message: string, key: string): string {
  return key === '' ? message : message.split(key).join('[redacted]');
}
