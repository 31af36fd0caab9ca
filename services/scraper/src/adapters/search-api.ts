// The search APIs of the web fallback (imperative shell): Tavily (`POST {base}/search`, the key as a
// bearer token) and Brave Web Search (`GET {base}/res/v1/web/search`, the key in X-Subscription-Token).
// The key travels only in that header (never in the body, the URL or a log line); a timeout, a size
// cap, redirects refused, and no retry: a search costs credits, and a failed one makes the model's
// fallback unavailable for this run.
import { errorMessage } from '@llmpt/runtime';
import {
  braveParams,
  parseBraveAnswer,
  parseTavilyAnswer,
  tavilyRequest,
  type SearchRequest,
  type SearchResult,
} from '../core/web-fallback.ts';

export interface SearchApiOptions {
  /** https://api.tavily.com or https://api.search.brave.com, or a local stand-in in tests. */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
  /** Answers larger than this are refused. Default 2 MiB (a recorded Tavily answer is 4-7 KB). */
  readonly maxBytes?: number;
}

export type SearchAnswer =
  | { readonly status: 'ok'; readonly results: readonly SearchResult[] }
  | { readonly status: 'failed'; readonly reason: string };

export type WebSearch = (request: SearchRequest) => Promise<SearchAnswer>;

type Parse = (body: unknown) => { results: SearchResult[] } | { error: string };

function endpoint(baseUrl: string, path: string): URL {
  return new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
}

export function createTavilySearch(opts: SearchApiOptions): WebSearch {
  const url = endpoint(opts.baseUrl, 'search');
  return (request) =>
    call(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.apiKey}` },
        body: JSON.stringify(tavilyRequest(request)),
      },
      parseTavilyAnswer,
      opts,
    );
}

export function createBraveSearch(opts: SearchApiOptions): WebSearch {
  return (request) => {
    const url = endpoint(opts.baseUrl, 'res/v1/web/search');
    for (const [k, v] of Object.entries(braveParams(request))) url.searchParams.set(k, v);
    return call(
      url,
      { method: 'GET', headers: { 'x-subscription-token': opts.apiKey } },
      parseBraveAnswer,
      opts,
    );
  };
}

async function call(
  url: URL,
  init: { method: string; headers: Record<string, string>; body?: string },
  parse: Parse,
  opts: SearchApiOptions,
): Promise<SearchAnswer> {
  const maxBytes = opts.maxBytes ?? 2 * 1024 * 1024;
  let res: Response;
  try {
    res = await fetch(url, {
      ...init,
      headers: { accept: 'application/json', ...init.headers },
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
  const parsed = parse(body);
  return 'error' in parsed
    ? { status: 'failed', reason: parsed.error }
    : { status: 'ok', results: parsed.results };
}

function scrub(message: string, key: string): string {
  return key === '' ? message : message.split(key).join('[redacted]');
}
