// The scraper's OpenRouter side (imperative shell): the endpoints API fetched through the runtime's
// HTTP client, the bytes handed to the pure mapping in core/openrouter.ts.
import { contentHash, type ModelDiscovered, type RawPriceObserved } from '@llmpt/schemas';
import { errorCode, errorMessage, PipelineError, type Logger } from '@llmpt/runtime';
import { fetchBytes, type HostLimiter } from '@llmpt/runtime/http';
import {
  endpointObservations,
  endpointsUrl,
  routedPriceObservation,
  type EndpointReject,
} from '../core/openrouter.ts';
import { unavailable } from '../core/unavailable.ts';

/** Observations of a model from the official pricing page of its provider (one fetch per page per run). */
export type PageSource = (
  md: ModelDiscovered,
  hostedBy?: ReadonlySet<string> | null,
) => Promise<RawPriceObserved[]>;

export interface ScrapeOptions {
  readonly openRouterBaseUrl: string;
  readonly apiKey?: string;
  readonly scrapeEndpoints: boolean;
  readonly pages?: PageSource;
  /** source_type = web_fallback (off unless WEB_FALLBACK): runs last, on what the other sources found. */
  readonly fallback?: (
    md: ModelDiscovered,
    observed: readonly RawPriceObserved[],
  ) => Promise<RawPriceObserved[]>;
  readonly timeoutMs: number;
  /** Per-host politeness for OpenRouter's API (concurrency and spacing of requests). */
  readonly limiter?: HostLimiter;
  readonly logger: Logger;
  readonly now?: () => number;
}

export interface ScrapeResult {
  readonly observations: RawPriceObserved[];
  readonly problems: { readonly code: string; readonly reason: string; readonly entry?: unknown }[];
}

/**
 * Every observation of one discovered model: the routed price carried by the event, one per hosting
 * provider from the endpoints API, and the provider's official page. A source that cannot be read is
 * recorded as an `unavailable` observation with its reason, never skipped silently, never guessed.
 * A backfilled event fetches nothing: its only observation is the routed price.
 */
async function scrapeSources(md: ModelDiscovered, opts: ScrapeOptions): Promise<ScrapeResult> {
  const now = opts.now ?? Date.now;
  const observations: RawPriceObserved[] = [
    routedPriceObservation(md, { runId: md.run_id, fetchedAt: md.fetched_at }),
  ];
  const problems: ScrapeResult['problems'] = [];
  // A backfilled event (docs/design.md "Backfill") was captured on an old day: today's endpoints and
  // pages would be stamped with that day, so only the routed price the entry carries is observed.
  if (md.backfill) return { observations, problems };
  let endpointsRead = false;
  if (opts.scrapeEndpoints) {
    const url = endpointsUrl(opts.openRouterBaseUrl, md);
    try {
      // Politeness towards OpenRouter: per-host concurrency and spacing of request starts.
      const res = await fetchBytes(url, {
        timeoutMs: opts.timeoutMs,
        headers: {
          accept: 'application/json',
          ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}),
        },
        limiter: opts.limiter,
        now,
      });
      const body: unknown = JSON.parse(res.body.toString('utf8'));
      const result = endpointObservations(md, body, {
        runId: md.run_id,
        fetchedAt: res.fetchedAt,
        sourceUrl: url,
        contentHash: contentHash(res.body),
      });
      observations.push(...result.observations);
      endpointsRead = true;
      problems.push(
        ...result.rejected.map((r: EndpointReject) => ({
          code: r.code,
          reason: `${url}: ${r.reason}`,
          entry: r.entry,
        })),
      );
    } catch (err) {
      // 404: OpenRouter lists no endpoint for this model (routers, aliases): nothing to observe.
      if (!(err instanceof PipelineError && err.code === 'HTTP_4XX' && err.status === 404)) {
        opts.logger.warn({ err, model: md.model_id, url }, 'endpoints unavailable');
        observations.push(
          unavailable(md, 'openrouter_endpoints', url, `${errorCode(err)}: ${errorMessage(err)}`, now()),
        );
      }
    }
  }
  if (opts.pages) {
    // Host pages are matched against the providers OpenRouter lists for this model, when read.
    const endpoints = observations.filter((o) => o.source_type === 'openrouter_endpoints');
    const hostedBy =
      endpointsRead && endpoints.every((o) => o.status === 'ok')
        ? new Set(endpoints.flatMap((o) => (o.provider === null ? [] : [o.provider])))
        : null;
    observations.push(...(await opts.pages(md, hostedBy)));
  }
  return { observations, problems };
}

/**
 * One discovered model scraped: every source above, then, when on, the web fallback for a provider none
 * of them priced (services/scraper/README.md "Web fallback"). A backfilled event gets no fallback.
 */
export async function scrapeModel(md: ModelDiscovered, opts: ScrapeOptions): Promise<ScrapeResult> {
  const result = await scrapeSources(md, opts);
  if (!opts.fallback || md.backfill) return result;
  const fallback = await opts.fallback(md, result.observations);
  return { observations: [...result.observations, ...fallback], problems: result.problems };
}
