// An interval of /v1/models/{id}/history for the unit tests: every field, defaults for the ones a
// test does not name.
import type { Interval } from '../history.ts';

export function interval(more: Partial<Interval> & Pick<Interval, 'from'>): Interval {
  const provider = more.provider === undefined ? null : more.provider;
  const source = more.source ?? (provider === null ? 'openrouter_api' : 'openrouter_endpoints');
  return {
    price_key: `m/x|${provider ?? ''}|${source}`,
    provider,
    source,
    to: null,
    ended_by: null,
    status: 'ok',
    unavailable_reason: null,
    currency: 'USD',
    dimensions: {},
    base: [],
    tiers: [],
    source_url: 'https://example.test',
    event_id: 'e',
    content_hash: null,
    first_observed_at: more.from,
    last_observed_at: more.from,
    observations: 1,
    ...more,
  };
}
