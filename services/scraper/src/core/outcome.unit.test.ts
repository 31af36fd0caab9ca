// Oracle: the table of docs/metrics.md "Scrape outcomes", one row each, with reasons as the scraper writes them.
import { describe, expect, it } from 'vitest';
import { providerLabel, scrapeOutcome } from './outcome.ts';

const un = (reason: string | null) => scrapeOutcome({ status: 'unavailable', unavailable_reason: reason });

describe('scrapeOutcome (docs/metrics.md "Scrape outcomes")', () => {
  it('ok has no reason', () => {
    expect(scrapeOutcome({ status: 'ok', unavailable_reason: null })).toEqual({ outcome: 'ok', reason: '' });
  });
  it.each([
    ['robots.txt disallows /pricing', 'refused', 'robots_disallowed'],
    ['fetch refused: host example.org is not allow-listed', 'refused', 'refused'],
    ['page too large: over 5242880 bytes', 'unavailable', 'too_large'],
    ['fetch timed out: after 15000 ms', 'unavailable', 'timeout'],
    ['fetch failed: HTTP 503', 'unavailable', 'fetch_failed'],
    ['render failed: net::ERR_NAME_NOT_RESOLVED', 'unavailable', 'render_failed'],
    ['no browser renderer configured', 'unavailable', 'render_failed'],
    ['model not listed on page', 'unavailable', 'not_listed'],
    ['no search result on an allow-listed domain (x.ai): 3 results', 'unavailable', 'no_search_result'],
    ['no allow-listed page names the model with a price and its unit: a | b', 'unavailable', 'not_found'],
    ['HTTP_503: https://openrouter.ai/api/v1/models/a/b/endpoints answered 503', 'unavailable', 'http_503'],
    ['SOURCE_UNREACHABLE: connect ECONNREFUSED', 'unavailable', 'source_unreachable'],
    ['REFUSED: 10.0.0.1 is a private address', 'refused', 'refused'],
    ['EINTERNALADDRESS: 127.0.0.1', 'refused', 'einternaladdress'],
    ['a bot challenge page (Cloudflare) instead of prices', 'unavailable', 'no_prices'],
    [null, 'unavailable', 'no_prices'],
  ])('%s → %s / %s', (reason, outcome, cls) => {
    expect(un(reason)).toEqual({ outcome, reason: cls });
  });
  it('the routed price and a failed endpoints call have provider none', () => {
    expect([providerLabel(null), providerLabel('deepinfra')]).toEqual(['none', 'deepinfra']);
  });
});
