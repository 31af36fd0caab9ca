// What one raw observation counts as in llmpt_scrape_observations_total (docs/metrics.md "Scrape
// outcomes"): outcome ok, unavailable or refused, and a reason class with few values, read from the
// observation's status and the start of its unavailable_reason (the reasons are free text: a URL, a
// status line, a page's own problem; a label carries only their class).
import type { RawPriceObserved } from '@llmpt/schemas';

export type ScrapeOutcome = 'ok' | 'unavailable' | 'refused';

export interface OutcomeLabels {
  readonly outcome: ScrapeOutcome;
  /** '' for ok; otherwise the reason class of docs/metrics.md. */
  readonly reason: string;
}

/** Reason prefixes the scraper writes (provider-site.ts, web-fallback.ts, pages/parse.ts) and their class. */
const PREFIXES: readonly (readonly [prefix: string, outcome: ScrapeOutcome, reason: string])[] = [
  ['robots.txt disallows', 'refused', 'robots_disallowed'],
  ['fetch refused:', 'refused', 'refused'],
  ['page too large:', 'unavailable', 'too_large'],
  ['fetch timed out:', 'unavailable', 'timeout'],
  ['fetch failed:', 'unavailable', 'fetch_failed'],
  ['render failed:', 'unavailable', 'render_failed'],
  ['no browser renderer configured', 'unavailable', 'render_failed'],
  ['model not listed on page', 'unavailable', 'not_listed'],
  ['no search result on an allow-listed domain', 'unavailable', 'no_search_result'],
  ['no allow-listed page names the model', 'unavailable', 'not_found'],
];

/** `CODE: message` (the endpoints API's failures: the error's code first). */
const CODED = /^([A-Z][A-Z0-9_]{1,40}): /;

/** Codes of a request our own guard refused (address guard, allow-list), not a failure of the source. */
const REFUSAL_CODES = new Set(['REFUSED', 'EINTERNALADDRESS']);

export function scrapeOutcome(o: Pick<RawPriceObserved, 'status' | 'unavailable_reason'>): OutcomeLabels {
  if (o.status === 'ok') return { outcome: 'ok', reason: '' };
  const reason = o.unavailable_reason ?? '';
  for (const [prefix, outcome, cls] of PREFIXES)
    if (reason.startsWith(prefix)) return { outcome, reason: cls };
  const coded = CODED.exec(reason);
  if (coded) {
    const code = coded[1]!;
    return { outcome: REFUSAL_CODES.has(code) ? 'refused' : 'unavailable', reason: code.toLowerCase() };
  }
  // The page answered but gave no prices (a bot challenge, a changed layout: the page's own problem).
  return { outcome: 'unavailable', reason: 'no_prices' };
}

/** The provider label: the observation's provider slug, `none` for the routed price and a failed API call. */
export function providerLabel(provider: string | null): string {
  return provider ?? 'none';
}
