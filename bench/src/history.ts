// A deterministic synthetic price history built from one real recorded day: every model of a real
// /models snapshot and every endpoint of the derived endpoints map of the same day, replayed over N
// days with prices drifting under a seeded PRNG. The events come out of the pipeline's own pure code
// (discovery's discoverModels, the scraper's routedPriceObservation/endpointObservations, the
// normalizer's normalizeAndDecide), so they are exactly what the services would have produced.
import { readFileSync } from 'node:fs';
import Decimal from 'decimal.js';
import type { ModelDiscovered, NormalizedPrice, PriceChanged, RawPriceObserved } from '@llmpt/schemas';
import { endpointsFromDerivedMap, type EndpointEntry } from '@llmpt/fixture-server';
import { discoverModels, emptyBlocklist, parseModelsResponse } from '@llmpt/discovery';
import { normalizeAndDecide, type PriceState } from '@llmpt/normalizer';
import { endpointObservations, routedPriceObservation } from '@llmpt/scraper';
import { cloneCatalog } from './catalog.ts';

export interface HistoryOptions {
  readonly modelsFile: string;
  readonly endpointsFile: string;
  readonly days: number;
  readonly seed: number;
  /** Probability that one price key moves on a given day. */
  readonly driftPerDay?: number;
  /** Prefix for model ids and provider slugs (keeps rows written to a shared database recognisable). */
  readonly namespace?: string;
  readonly startMs?: number;
  /** The catalog this many times over, by cloning (catalog.ts): clone i ≥ 1 under model ids `x<i>-…`. */
  readonly scale?: number;
}

export interface History {
  readonly modelDiscovered: readonly ModelDiscovered[];
  readonly raw: readonly RawPriceObserved[];
  readonly normalized: readonly NormalizedPrice[];
  readonly changed: readonly PriceChanged[];
}

const DAY = 86_400_000;

/** mulberry32: small, fast, good enough for drift; the same seed gives the same history. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PRICE_KEYS = new Set(['prompt', 'completion', 'input_cache_read', 'input_cache_write', 'image']);

/** Scales the per-token prices of a pricing record (decimal strings in, decimal strings out). */
function scalePricing<T extends Record<string, unknown>>(pricing: T, factor: Decimal): T {
  if (factor.eq(1)) return pricing;
  const out: Record<string, unknown> = { ...pricing };
  for (const [k, v] of Object.entries(pricing)) {
    if (!PRICE_KEYS.has(k) || typeof v !== 'string') continue;
    const d = new Decimal(v);
    if (d.isZero() || d.isNegative()) continue;
    out[k] = d.times(factor).toSignificantDigits(6).toFixed();
  }
  return out as T;
}

export function generateHistory(opts: HistoryOptions): History {
  const ns = opts.namespace ?? '';
  const rand = prng(opts.seed);
  const drift = opts.driftPerDay ?? 0.03;
  const start = opts.startMs ?? Date.UTC(2025, 0, 1, 6, 0, 0);
  const recorded = parseModelsResponse(JSON.parse(readFileSync(opts.modelsFile, 'utf8'))).entries.map((e) => {
    const entry = e as Record<string, unknown> & { id: string };
    return ns ? { ...entry, id: ns + entry.id } : entry;
  });
  const recordedEndpoints = new Map<string, EndpointEntry[]>();
  for (const [id, list] of endpointsFromDerivedMap(JSON.parse(readFileSync(opts.endpointsFile, 'utf8'))))
    recordedEndpoints.set(
      ns + id,
      list.map((e) => ({ ...e, model_id: ns + id, tag: ns + e.tag, provider_name: ns + e.provider_name })),
    );
  const { models: entries, endpoints } = cloneCatalog(
    { models: recorded, endpoints: recordedEndpoints },
    opts.scale ?? 1,
  );

  // Current price multiplier per model (routed price) and per endpoint.
  const factors = new Map<string, Decimal>();
  const factorOf = (key: string): Decimal => {
    let f = factors.get(key) ?? new Decimal(1);
    if (rand() < drift) {
      // A realistic move: mostly cuts and small rises, sometimes a big cut.
      const r = rand();
      const step = r < 0.15 ? 0.5 : r < 0.6 ? 0.9 : r < 0.9 ? 1.1 : 1.25;
      f = f.times(step).toSignificantDigits(6);
    }
    factors.set(key, f);
    return f;
  };

  const modelDiscovered: ModelDiscovered[] = [];
  const raw: RawPriceObserved[] = [];
  const normalized: NormalizedPrice[] = [];
  const changed: PriceChanged[] = [];
  const state = new Map<string, PriceState>();

  for (let d = 0; d < opts.days; d++) {
    const fetchedAt = start + d * DAY;
    const runId = `bench-${new Date(fetchedAt).toISOString().slice(0, 10)}`;
    const dayEntries = entries.map((e) => {
      const entry = e as Record<string, unknown> & { id: string; pricing?: Record<string, unknown> };
      const f = factorOf(`m|${entry.id}`);
      return entry.pricing ? { ...entry, pricing: scalePricing(entry.pricing, f) } : entry;
    });
    const { events } = discoverModels(dayEntries, {
      runId,
      fetchedAt,
      sourceUrl: 'https://openrouter.ai/api/v1/models',
      blocklist: emptyBlocklist,
    });
    for (const md of events) {
      modelDiscovered.push(md);
      const observations: RawPriceObserved[] = [routedPriceObservation(md, { runId, fetchedAt })];
      const list = endpoints.get(md.model_id);
      if (list) {
        const drifted = list.map((e) => ({
          ...e,
          pricing: scalePricing(e.pricing, factorOf(`e|${md.model_id}|${e.tag}`)),
        }));
        const res = endpointObservations(
          md,
          { data: { id: md.model_id, name: md.name, endpoints: drifted } },
          {
            runId,
            fetchedAt,
            sourceUrl: `https://openrouter.ai/api/v1/models/${md.model_id}/endpoints`,
            contentHash: `bench-${d}`,
          },
        );
        observations.push(...res.observations);
      }
      for (const o of observations) {
        raw.push(o);
        const r = normalizeAndDecide(state, o, { alertThreshold: '0.30' });
        normalized.push(r.normalized);
        if (r.changed) changed.push(r.changed);
        if (r.next) state.set(r.normalized.price_key, r.next);
      }
    }
  }
  return { modelDiscovered, raw, normalized, changed };
}
