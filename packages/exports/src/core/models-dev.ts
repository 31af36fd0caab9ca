// Our prices in models.dev's `api.json` shape: providers → models → `cost` in USD per 1M tokens, with
// long-context tiers (`tiers[]` and the legacy `context_over_200k`). The mapping is in this package's
// README ("models.dev"). Pure: the same snapshot gives the same value.
import Decimal from 'decimal.js';
import { isSelectable, tierApplies, type Dimension } from '@llmpt/schemas';
import type { Skipped } from './errors.ts';
import { slug } from './genai-prices.ts';
import { ratesFor, tierStart, type Rates } from './rates.ts';
import { bySourcePreference, current, type PriceEntry, type PriceSnapshot } from './snapshot.ts';

/** Our dimension → models.dev `cost` key (USD per 1M tokens, both sides). */
export const MODELS_DEV_COST: Readonly<Partial<Record<Dimension, string>>> = {
  prompt: 'input',
  completion: 'output',
  internal_reasoning: 'reasoning',
  input_cache_read: 'cache_read',
  input_cache_write: 'cache_write',
  input_audio: 'input_audio',
  audio_output: 'output_audio',
};

export type ModelsDevCost = Record<string, number | Record<string, unknown> | Record<string, unknown>[]>;
export interface ModelsDevModel {
  readonly id: string;
  readonly name: string;
  readonly cost: ModelsDevCost;
  readonly limit?: { readonly context: number };
}
export interface ModelsDevProvider {
  readonly id: string;
  readonly name: string;
  readonly api?: string;
  readonly doc?: string;
  readonly env?: readonly string[];
  readonly npm?: string;
  readonly models: Record<string, ModelsDevModel>;
}
export interface ModelsDevExport {
  readonly api: Record<string, ModelsDevProvider>;
  readonly skipped: Skipped[];
  /** Entries written with less than we know (prices models.dev has no key for). */
  readonly caveats: Skipped[];
}

/** The models.dev provider of a key; null: not written (a web fallback beside the provider's page). */
export function modelsDevProviderOf(e: PriceEntry): { id: string; name: string } | null {
  const p = e.provider ?? '';
  switch (e.source_type) {
    case 'openrouter_api':
      return { id: 'openrouter', name: 'OpenRouter' };
    case 'openrouter_endpoints':
      return { id: `openrouter-${slug(p)}`, name: `OpenRouter via ${p}` };
    case 'provider_site':
    case 'web_fallback':
      return p ? { id: slug(p), name: p } : null;
  }
}

const OPENROUTER = {
  api: 'https://openrouter.ai/api/v1',
  doc: 'https://openrouter.ai/models',
  env: ['OPENROUTER_API_KEY'],
  npm: '@openrouter/ai-sdk-provider',
};

/** The cost keys a models.dev tier carries (its tiers name input, output and the cache only). */
const TIER_KEYS: ReadonlySet<string> = new Set(['input', 'output', 'cache_read', 'cache_write']);

const costOf = (rates: Rates, only?: ReadonlySet<string>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const [d, key] of Object.entries(MODELS_DEV_COST) as [Dimension, string][])
    if (rates[d] !== undefined && (!only || only.has(key))) out[key] = new Decimal(rates[d]).toNumber();
  return out;
};

function modelOf(e: PriceEntry): { model: ModelsDevModel; caveat: string | null } {
  const p = current(e);
  const base = ratesFor(p, () => false);
  const cost: ModelsDevCost = costOf(base);
  const noon = new Date(0);
  const starts = [
    ...new Set(
      p.tiers.filter((t) => isSelectable(t) && t.utc_start === null).flatMap((t) => tierStart(t) ?? []),
    ),
  ].sort((a, b) => a - b);
  const tierBase = JSON.stringify(costOf(base, TIER_KEYS));
  let tierLoss = false;
  const tiers = starts
    .map((n) => {
      const above = ratesFor(
        p,
        (t) => t.utc_start === null && tierApplies(t, { promptTokens: n + 1, at: noon }),
      );
      const moved = (Object.entries(MODELS_DEV_COST) as [Dimension, string][]).some(
        ([d, k]) => !TIER_KEYS.has(k) && above[d] !== base[d],
      );
      if (moved) tierLoss = true;
      return { n, rates: costOf(above, TIER_KEYS) };
    })
    .filter((t) => JSON.stringify(t.rates) !== tierBase)
    .map((t) => ({ ...t.rates, tier: { size: t.n, type: 'context' } }));
  if (tiers.length > 0) {
    cost.tiers = tiers;
    const { tier: _t, ...first } = tiers[0]!;
    cost.context_over_200k = first;
  }
  const lost = [...new Set([...p.base, ...p.tiers.flatMap((t) => t.prices)].map((x) => x.dimension))].filter(
    (d) => !(d in MODELS_DEV_COST) && d !== 'discount',
  );
  const windows = p.tiers.filter((t) => isSelectable(t) && t.utc_start !== null);
  const caveats = [
    ...(lost.length > 0 ? [`no models.dev cost key for ${lost.sort().join(', ')}`] : []),
    ...(windows.length > 0 ? ['time-of-day prices have no models.dev key: the base price is written'] : []),
    ...(tierLoss ? ['a tier moves reasoning or audio rates, which models.dev tiers do not carry'] : []),
  ];
  return {
    model: {
      id: e.model_id,
      name: e.name ?? e.model_id,
      cost,
      ...(e.context_length !== null && e.context_length > 0 ? { limit: { context: e.context_length } } : {}),
    },
    caveat: caveats.length > 0 ? caveats.join('; ') : null,
  };
}

/** The models.dev api.json of a snapshot, and what it could not carry. */
export function toModelsDev(snapshot: PriceSnapshot): ModelsDevExport {
  const api: Record<string, ModelsDevProvider> = {};
  const skipped: Skipped[] = [];
  const caveats: Skipped[] = [];
  for (const e of bySourcePreference(snapshot.entries)) {
    const prov = modelsDevProviderOf(e);
    if (!prov) {
      skipped.push({ price_key: e.price_key, reason: 'no provider named' });
      continue;
    }
    const target = (api[prov.id] ??= {
      id: prov.id,
      name: prov.name,
      ...(prov.id === 'openrouter' ? OPENROUTER : {}),
      models: {},
    });
    if (target.models[e.model_id]) {
      skipped.push({
        price_key: e.price_key,
        reason: `${prov.id}/${e.model_id} is already written from another source`,
      });
      continue;
    }
    const { model, caveat } = modelOf(e);
    target.models[e.model_id] = model;
    if (caveat) caveats.push({ price_key: e.price_key, reason: caveat });
  }
  return { api, skipped, caveats };
}
