// A PriceSnapshot from recorded OpenRouter `/models` days run through the REAL stages in process:
// discovery's parser and ModelDiscovered, the scraper's routed observation, the normalizer's
// normalize (base + typed tiers, scale 8). The history is effective-dated the way price_observations
// is: a new period when a key's base or tiers differ from its last observation, in force from that
// observation's time. Test code only.
import { discoverModels, emptyBlocklist, parseModelsResponse } from '@llmpt/discovery';
import { normalize } from '@llmpt/normalizer';
import { routedPriceObservation } from '@llmpt/scraper';
import type { ModelDiscovered, NormalizedPrice } from '@llmpt/schemas';
import type { RecordedCapture } from '@llmpt/testkit/oracle';
import type { PriceEntry, PricePeriod, PriceSnapshot } from '../core/snapshot.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** The routed prices of one capture, as the normalizer publishes them, with the catalog's name/context. */
export function normalizedOf(c: RecordedCapture): Recorded[] {
  const runId = `exports-${c.label}`;
  const list = parseModelsResponse(c.body);
  const result = discoverModels(list.entries, {
    runId,
    fetchedAt: c.capturedAt,
    sourceUrl: c.sourceUrl,
    blocklist: emptyBlocklist,
  });
  return result.events.map((md) => ({
    price: normalize(routedPriceObservation(md, { runId, fetchedAt: c.capturedAt })),
    discovered: md,
    name: md.name,
    context: md.context_length,
  }));
}

export interface Recorded {
  readonly price: NormalizedPrice;
  readonly discovered: ModelDiscovered;
  readonly name: string;
  readonly context: number | null;
}

const structure = (p: NormalizedPrice) => JSON.stringify([p.base, p.tiers]);

/**
 * The snapshot at the last capture, with each key's history over all of them: the keys priced (status
 * ok) in the last capture, or (`everyKey`) every key priced in any, as the database keeps a key no
 * removal event has closed.
 */
export function snapshotOf(captures: readonly RecordedCapture[], everyKey = false): PriceSnapshot {
  const history = new Map<
    string,
    { entry: Omit<PriceEntry, 'periods'>; periods: PricePeriod[]; last: string }
  >();
  let inLast = new Set<string>();
  captures.forEach((c, i) => {
    const seen = new Set<string>();
    for (const { price: p, name, context } of normalizedOf(c)) {
      if (p.status !== 'ok' || p.base.length === 0) continue;
      seen.add(p.price_key);
      const h = history.get(p.price_key);
      const period: PricePeriod = {
        effective_from: iso(p.observed_at),
        observed_at: iso(p.observed_at),
        source_url: p.source_url,
        base: p.base,
        tiers: p.tiers,
      };
      const entry = {
        price_key: p.price_key,
        model_id: p.model_id,
        provider: p.provider,
        source_type: p.source_type,
        name,
        context_length: context,
      };
      if (!h) history.set(p.price_key, { entry, periods: [period], last: structure(p) });
      else if (h.last !== structure(p)) {
        h.periods.push(period);
        h.last = structure(p);
        h.entry = entry;
      } else {
        const prev = h.periods[h.periods.length - 1]!;
        h.periods[h.periods.length - 1] = {
          ...prev,
          observed_at: period.observed_at,
          source_url: p.source_url,
        };
        h.entry = entry;
      }
    }
    if (i === captures.length - 1) inLast = seen;
  });
  const last = captures[captures.length - 1]!;
  return {
    at: iso(last.capturedAt),
    entries: [...history.values()]
      .filter((h) => everyKey || inLast.has(h.entry.price_key))
      .map((h) => ({ ...h.entry, periods: h.periods })),
  };
}
