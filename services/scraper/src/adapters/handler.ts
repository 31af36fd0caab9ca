import { priceKey } from '@llmpt/schemas';
import { PoisonInputError } from '@llmpt/runtime';
import { type HandlerResult, type Output, type Rejection, type StageMessage } from '@llmpt/runtime/kafka';
import { scrapeModel, type ScrapeOptions } from './scrape-model.ts';

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

export function createScraperHandler(
  rawTopic: string,
  opts: ScrapeOptions & { concurrency: number },
  counters: ScraperCounters,
) {
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
