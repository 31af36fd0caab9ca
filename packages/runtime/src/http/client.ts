// The one HTTP client, for OpenRouter's API and the providers' pages: GET with a timeout per request,
// a size cap, retries, redirects followed by hand (each hop re-checked), and, as options, a host
// allow-list, the address guard against internal addresses and a per-host limiter.
// undici's own fetch with its own Agent: the guard's dispatcher always matches the fetch that uses it
// (Node's built-in fetch bundles another undici version).
import { fetch, type Dispatcher, type Response } from 'undici';
import { ConfigError } from '../core/errors.ts';
import { sleep as timerSleep } from '../core/retry.ts';
import { guardedDispatcher, internalAddressReason } from './address-guard.ts';
import { readCapped } from './capped-body.ts';
import { answerError, HttpError, networkError, refusedError, retryAfterMs } from './errors.ts';
import type { HostLimiter } from './host-limiter.ts';
import { withRetries, type RetryPolicy } from './retries.ts';

export interface AddressGuardOptions {
  /**
   * Why a host may not be contacted (null: fine), checked before each hop. Default: resolve it and
   * refuse internal addresses. Tests replace it only to let a loopback host stand in for a public one.
   */
  readonly addressRefusal?: (hostname: string) => Promise<string | null>;
  /**
   * Which resolved addresses a connection may not reach, checked inside the connection's own DNS
   * lookup (a name cannot answer differently to the check and to the connection). Default: internal.
   */
  readonly isInternal?: (address: string) => boolean;
}

export interface HttpClientOptions {
  /** Per request hop, answer and body included. Default 30 s. */
  readonly timeoutMs?: number;
  /** Bodies larger than this are refused (a runaway or hostile source). Default 64 MiB. */
  readonly maxBytes?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Attempts in all, the first included. Default 4. */
  readonly attempts?: number;
  /** Full-jitter exponential backoff between attempts. Default 250 ms doubling up to 5 s. */
  readonly backoff?: { readonly initialDelayMs: number; readonly maxDelayMs: number };
  /** Honour Retry-After up to this wait (a longer one gives up); unset: the header is not read. */
  readonly retryAfterCapMs?: number;
  /** Default 20 (fetch's own limit). */
  readonly maxRedirects?: number;
  /** Only these hosts are contacted, redirect hops included. Unset: any host. */
  readonly allowHosts?: readonly string[];
  /** Set: loopback, private and link-local targets are refused (SSRF guard), before and at connect. */
  readonly guard?: AddressGuardOptions;
  /** Per-host politeness: every request hop runs through it. */
  readonly limiter?: HostLimiter;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onRetry?: (err: HttpError, attempt: number, delayMs: number) => void;
  readonly onRedirect?: (from: string, to: string) => void;
}

export interface HttpResponse {
  /** The URL asked for. */
  readonly url: string;
  /** The URL that answered, after redirects. */
  readonly finalUrl: string;
  readonly status: number;
  readonly body: Buffer;
  /** When the body was complete. */
  readonly fetchedAt: number;
}

export interface HttpClient {
  /** GET; throws HttpError (see its codes). */
  get(url: string | URL, opts?: { readonly maxBytes?: number }): Promise<HttpResponse>;
  /**
   * One POST (a webhook delivery): no retries and no redirects followed (a 3xx is an answer like any
   * other), the same timeout, allow-list and address guard as `get`. Resolves with any answered
   * status, 4xx and 5xx included (the caller decides what each means); throws HttpError `REFUSED`,
   * `TIMEOUT` or `NETWORK` when there is no answer. The answer's body is read up to `maxBytes` and
   * dropped.
   */
  post(url: string | URL, body: string, opts?: PostOptions): Promise<{ readonly status: number }>;
  /** Why this URL would not be requested (scheme, allow-list, address guard), or null. Sends nothing. */
  refusal(url: URL): Promise<string | null>;
  isAllowedHost(hostname: string): boolean;
}

export interface PostOptions {
  readonly headers?: Readonly<Record<string, string>>;
  /** Per request; default: the client's timeoutMs. */
  readonly timeoutMs?: number;
  /** Default 64 KiB: a webhook receiver's answer is not read, only drained. */
  readonly maxBytes?: number;
}

/** What one request chain needs, resolved from the options once. */
interface Chain {
  readonly timeoutMs: number;
  readonly maxRedirects: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly dispatcher: Dispatcher | undefined;
  readonly limiter: HostLimiter | undefined;
  readonly now: () => number;
  readonly refusal: (u: URL) => Promise<string | null>;
  readonly onRedirect: ((from: string, to: string) => void) | undefined;
}

type HopOutcome = { readonly redirect: URL } | { readonly status: number; readonly body: Buffer };

// Sent to the next origin only if the first one is the same: a redirect elsewhere never carries a key.
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

export function createHttpClient(opts: HttpClientOptions = {}): HttpClient {
  validate(opts);
  const allow = opts.allowHosts ? new Set(opts.allowHosts.map((h) => h.toLowerCase())) : null;
  const isAllowedHost = (hostname: string) => allow === null || allow.has(hostname.toLowerCase());
  const refusal = (u: URL) => hopRefusal(u, isAllowedHost, opts.guard);
  const chain: Chain = {
    timeoutMs: opts.timeoutMs ?? 30_000,
    maxRedirects: opts.maxRedirects ?? 20,
    headers: opts.headers ?? {},
    dispatcher: opts.guard ? guardedDispatcher(opts.guard.isInternal) : undefined,
    limiter: opts.limiter,
    now: opts.now ?? Date.now,
    refusal,
    onRedirect: opts.onRedirect,
  };
  const policy = retryPolicy(opts);
  const maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
  return {
    isAllowedHost,
    refusal,
    async get(url, perRequest = {}) {
      const start = parseUrl(url);
      const r = await withRetries(
        () => followRedirects(chain, start, perRequest.maxBytes ?? maxBytes),
        policy,
      );
      return { url: String(url), ...r, fetchedAt: chain.now() };
    },
    post: (url, body, perRequest = {}) => postOnce(chain, parseUrl(url), body, perRequest),
  };
}

async function postOnce(
  chain: Chain,
  target: URL,
  body: string,
  o: PostOptions,
): Promise<{ status: number }> {
  const refusal = await chain.refusal(target);
  if (refusal) throw refusedError(target.href, refusal, 'POST');
  const timeoutMs = o.timeoutMs ?? chain.timeoutMs;
  const send = async () => {
    try {
      const res = await fetch(target, {
        ...(chain.dispatcher ? { dispatcher: chain.dispatcher } : {}),
        method: 'POST',
        redirect: 'manual',
        headers: { ...chain.headers, ...o.headers },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      try {
        await readCapped(res, o.maxBytes ?? 64 * 1024, target.href);
      } catch {
        // The status is the answer; a receiver's oversized or cut body does not change it.
      }
      return { status: res.status };
    } catch (err) {
      throw networkError(target.href, err, timeoutMs, 'POST');
    }
  };
  return chain.limiter ? chain.limiter.run(target.host, send) : send();
}

function validate(opts: HttpClientOptions): void {
  const positive = { timeoutMs: opts.timeoutMs, maxBytes: opts.maxBytes, attempts: opts.attempts };
  for (const [name, value] of Object.entries(positive))
    if (value !== undefined && !(value > 0))
      throw new ConfigError(`createHttpClient: ${name} must be a positive number (got ${value})`);
  if (opts.maxRedirects !== undefined && !(opts.maxRedirects >= 0))
    throw new ConfigError(`createHttpClient: maxRedirects must be 0 or more (got ${opts.maxRedirects})`);
  if (opts.allowHosts?.length === 0)
    throw new ConfigError('createHttpClient: allowHosts is empty; list the hosts, or leave it unset for any');
}

function retryPolicy(opts: HttpClientOptions): RetryPolicy {
  return {
    attempts: opts.attempts ?? 4,
    initialDelayMs: opts.backoff?.initialDelayMs ?? 250,
    maxDelayMs: opts.backoff?.maxDelayMs ?? 5_000,
    retryAfterCapMs: opts.retryAfterCapMs ?? null,
    random: opts.random ?? Math.random,
    sleep: opts.sleep ?? ((ms) => timerSleep(ms)),
    onRetry: opts.onRetry,
  };
}

function parseUrl(url: string | URL): URL {
  try {
    return new URL(url);
  } catch {
    throw refusedError(String(url), `not a URL: ${String(url)}`);
  }
}

async function hopRefusal(
  u: URL,
  isAllowedHost: (hostname: string) => boolean,
  guard: AddressGuardOptions | undefined,
): Promise<string | null> {
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return `scheme ${u.protocol} is not fetched`;
  if (!isAllowedHost(u.hostname)) return `host ${u.hostname} is not allow-listed`;
  if (guard) return (guard.addressRefusal ?? internalAddressReason)(u.hostname);
  return null;
}

/** One request chain: redirects followed by hand, each hop re-checked and rate-limited. */
async function followRedirects(
  chain: Chain,
  start: URL,
  maxBytes: number,
): Promise<{ finalUrl: string; status: number; body: Buffer }> {
  let current = start;
  let headers = chain.headers;
  for (let hop = 0; hop <= chain.maxRedirects; hop++) {
    const refusal = await chain.refusal(current);
    if (refusal) throw refusedError(current.href, hop === 0 ? refusal : `redirect refused: ${refusal}`);
    const outcome = await requestOnce(chain, current, headers, maxBytes);
    if ('body' in outcome) return { finalUrl: current.href, status: outcome.status, body: outcome.body };
    chain.onRedirect?.(current.href, outcome.redirect.href);
    if (outcome.redirect.origin !== current.origin) headers = withoutCredentials(headers);
    current = outcome.redirect;
  }
  throw new HttpError('TOO_MANY_REDIRECTS', {
    url: start.href,
    reason: `more than ${chain.maxRedirects} redirects`,
    retriable: false,
  });
}

function withoutCredentials(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([k]) => !CREDENTIAL_HEADERS.has(k.toLowerCase())),
  );
}

/** One hop through the limiter: the answer and its body, or where it redirects. */
function requestOnce(
  chain: Chain,
  target: URL,
  headers: Readonly<Record<string, string>>,
  maxBytes: number,
): Promise<HopOutcome> {
  const send = async (): Promise<HopOutcome> => {
    let res: Response;
    try {
      res = await fetch(target, {
        ...(chain.dispatcher ? { dispatcher: chain.dispatcher } : {}),
        redirect: 'manual',
        headers,
        signal: AbortSignal.timeout(chain.timeoutMs),
      });
    } catch (err) {
      throw networkError(target.href, err, chain.timeoutMs);
    }
    return readAnswer(chain, target, res, maxBytes);
  };
  return chain.limiter ? chain.limiter.run(target.host, send) : send();
}

async function readAnswer(chain: Chain, target: URL, res: Response, maxBytes: number): Promise<HopOutcome> {
  const location = res.headers.get('location');
  if (res.status >= 300 && res.status < 400 && location !== null) {
    await res.body?.cancel();
    return { redirect: redirectTarget(location, target) };
  }
  if (res.status >= 400) {
    await res.body?.cancel();
    throw answerError(target.href, res.status, retryAfterMs(res.headers.get('retry-after'), chain.now()));
  }
  try {
    return { status: res.status, body: await readCapped(res, maxBytes, target.href) };
  } catch (err) {
    throw networkError(target.href, err, chain.timeoutMs);
  }
}

function redirectTarget(location: string, from: URL): URL {
  try {
    return new URL(location, from);
  } catch {
    throw refusedError(from.href, `redirect refused: invalid location ${JSON.stringify(location)}`);
  }
}
