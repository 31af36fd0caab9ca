import { priceKey } from '@llmpt/schemas';
import { metric, PoisonInputError } from '@llmpt/runtime';
import { type HandlerResult, type Output, type Rejection, type StageMessage } from '@llmpt/runtime/kafka';
import { scrapeModel, type ScrapeOptions } from './scrape-model.ts';
import { providerLabel, scrapeOutcome } from '../core/outcome.ts';
import type { RawPriceObserved } from '@llmpt/schemas';

export interface ScraperCounters {
  models: number;
  observations: number;
  unavailable: number;
}

/** Runs `fn` over items with at most `limit` in flight, keeping the input order in the result. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * docs/metrics.md "Scrape outcomes": every observation scraped counts once per scrape (a batch redone after
 * a broker failure scrapes, and counts, again); the timestamps follow live observations only (a
 * backfilled one carries an old day) and never move back.
 */
export function scrapeMetrics(): (o: RawPriceObserved) => void {
  const observations = metric('llmpt_scrape_observations_total');
  const lastAttempt = metric('llmpt_scrape_last_attempt_timestamp_seconds');
  const lastPrice = metric('llmpt_scrape_last_price_timestamp_seconds');
  const latest = new Map<string, number>();
  const setLatest = (
    g: typeof lastAttempt,
    kind: string,
    labels: Record<'source' | 'provider', string>,
    s: number,
  ) => {
    const k = `${kind}|${labels.source}|${labels.provider}`;
    if ((latest.get(k) ?? -Infinity) >= s) return;
    latest.set(k, s);
    g.set(labels, s);
  };
  return (o) => {
    const labels = { source: o.source_type, provider: providerLabel(o.provider) };
    observations.inc({ ...labels, ...scrapeOutcome(o) });
    if (o.backfill) return;
    setLatest(lastAttempt, 'attempt', labels, o.fetched_at / 1000);
    if (o.status === 'ok') setLatest(lastPrice, 'price', labels, o.fetched_at / 1000);
  };
}

export function createScraperHandler(
  rawTopic: string,
  opts: ScrapeOptions & { concurrency: number },
  counters: ScraperCounters,
) {
  const count = scrapeMetrics();
  return async (messages: readonly StageMessage[]): Promise<HandlerResult> => {
    const outputs: Output[] = [];
    const rejected: Rejection[] = [];
    const results = await mapLimit(messages, opts.concurrency, async (m) => {
      if (m.decoded.name !== 'ModelDiscovered') return { m, result: null };
      return { m, result: await scrapeModel(m.decoded.event, opts) };
    });
    for (const { m, result } of results) {
      if (!result) {
        rejected.push({
          message: m,
          error: new PoisonInputError('UNEXPECTED_EVENT', `scraper got ${m.decoded.name}`),
        });
        continue;
      }
      counters.models++;
      for (const o of result.observations) {
        counters.observations++;
        count(o);
        if (o.status === 'unavailable') counters.unavailable++;
        outputs.push({
          topic: rawTopic,
          key: priceKey(o.model_id, o.provider, o.source_type),
          name: 'RawPriceObserved',
          event: o,
        });
      }
      for (const p of result.problems)
        rejected.push({ message: m, error: new PoisonInputError(p.code, p.reason) });
    }
    return { outputs, rejected };
  };
}
