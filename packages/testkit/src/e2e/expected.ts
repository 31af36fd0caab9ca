// The e2e tests' own reading of OpenRouter files: what the pipeline should publish, computed here
// from the published strings with decimal.js and nothing of the services' code, so a bug shared by
// the normalizer and its unit tests still shows up end to end.
import { readFileSync } from 'node:fs';
import { Decimal } from 'decimal.js';

const D = Decimal.clone({
  precision: 60,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -100,
  toExpPos: 100,
});

/** The money columns of price_observations, in their order. */
export const DIMENSIONS = [
  'prompt',
  'completion',
  'internal_reasoning',
  'input_cache_read',
  'input_cache_write',
  'request',
  'image',
  'web_search',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export type Prices = Readonly<Record<Dimension, string | null>>;

export interface ExpectedObservation {
  readonly status: 'ok' | 'unavailable';
  readonly values: Prices;
}

export interface ExpectedDimensionChange {
  readonly dimension: string;
  readonly previous: string | null;
  readonly current: string | null;
  readonly relative_change: string | null;
}

export interface ExpectedChange {
  readonly price_key: string;
  readonly kind: 'new' | 'changed';
  readonly changes: readonly ExpectedDimensionChange[];
  readonly alert: boolean;
}

// Request and web search are priced per unit; image is per unit only in its older meaning (see below).
const PER_UNIT: ReadonlySet<string> = new Set(['request', 'web_search']);
const CONDITION = /^(min_|max_|utc_)/;

const money = (d: Decimal): string => d.toFixed(8, Decimal.ROUND_HALF_EVEN);

function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * One dimension of one tier in USD per 1M tokens (token prices: per-token string x 1e6) or per
 * unit; null for "-1" (variable) and for nothing published. `image` was a price per image until
 * 2026 and is a per-token price since: per token when it is at most 10x the prompt price.
 */
function tierValue(dim: Dimension, tier: Record<string, unknown>, basePrompt: unknown): Decimal | null {
  const raw = text(tier[dim])?.trim();
  if (raw === undefined || raw === '') return null;
  const v = new D(raw);
  if (v.eq(-1)) return null;
  let perToken = !PER_UNIT.has(dim);
  if (dim === 'image') {
    const p = text(tier.prompt ?? basePrompt);
    const prompt = p === null ? null : new D(p);
    perToken = prompt !== null && prompt.gt(0) && v.gt(0) && v.lte(prompt.times(10));
  }
  return perToken ? v.times(1_000_000) : v;
}

/** Expected values of a price published as tiers (the first is the base): the highest per dimension. */
export function expectedFromTiers(tiers: readonly Record<string, unknown>[]): ExpectedObservation {
  const basePrompt = tiers[0]?.prompt;
  const values: Record<string, string | null> = {};
  for (const dim of DIMENSIONS) {
    let best: Decimal | null = null;
    for (const tier of tiers) {
      const v = tierValue(dim, tier, basePrompt);
      if (v !== null && (best === null || v.gt(best))) best = v;
    }
    values[dim] = best === null ? null : money(best);
  }
  const ok = DIMENSIONS.some((d) => values[d] !== null);
  return {
    status: ok ? 'ok' : 'unavailable',
    values: (ok ? values : Object.fromEntries(DIMENSIONS.map((d) => [d, null]))) as Prices,
  };
}

/** A `/models` entry's routed price: `pricing` plus each `overrides[]` entry as a tier. */
export function expectedRoutedPrice(pricing: Record<string, unknown>): ExpectedObservation {
  const { overrides, ...base } = pricing;
  const tiers = Array.isArray(overrides)
    ? overrides
        .filter(isRecord)
        .map((o) => Object.fromEntries(Object.entries(o).filter(([k]) => !CONDITION.test(k))))
    : [];
  return expectedFromTiers([base, ...tiers]);
}

export interface ModelEntry {
  readonly id: string;
  readonly pricing: Record<string, unknown>;
  readonly [k: string]: unknown;
}

/** The entries of a `/models` file (`{data:[...]}` or a bare array). */
export function readModels(file: string): ModelEntry[] {
  const body = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const list = Array.isArray(body) ? body : isRecord(body) && Array.isArray(body.data) ? body.data : [];
  return list as ModelEntry[];
}

export const routedKey = (modelId: string): string => `${modelId}||openrouter_api`;
export const endpointKey = (modelId: string, provider: string): string =>
  `${modelId}|${provider}|openrouter_endpoints`;

/** Price key → expected routed observation for every model of a `/models` file (first entry per id). */
export function expectedRoutedDay(models: readonly ModelEntry[]): Map<string, ExpectedObservation> {
  const out = new Map<string, ExpectedObservation>();
  for (const m of models) {
    if (!out.has(routedKey(m.id))) out.set(routedKey(m.id), expectedRoutedPrice(m.pricing));
  }
  return out;
}

/** Provider slug of an endpoint: its tag before "/" ("deepinfra/fp8" → deepinfra), else its name slugified. */
export function providerOf(endpoint: Record<string, unknown>): string | null {
  const tag = typeof endpoint.tag === 'string' ? endpoint.tag.split('/')[0]?.trim().toLowerCase() : '';
  if (tag) return tag;
  const name = typeof endpoint.provider_name === 'string' ? endpoint.provider_name : '';
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || null;
}

/**
 * Price key → expected endpoint observation for one model's `endpoints[]`: one per provider, its
 * endpoints (quantizations) as tiers, so the highest per dimension.
 */
export function expectedEndpoints(
  modelId: string,
  endpoints: readonly unknown[],
): Map<string, ExpectedObservation> {
  const byProvider = new Map<string, Record<string, unknown>[]>();
  for (const e of endpoints) {
    if (!isRecord(e) || !isRecord(e.pricing)) continue;
    if (text(e.pricing.prompt) === null || text(e.pricing.completion) === null) continue;
    const provider = providerOf(e);
    if (provider === null) continue;
    byProvider.set(provider, [...(byProvider.get(provider) ?? []), e.pricing]);
  }
  const out = new Map<string, ExpectedObservation>();
  for (const [provider, tiers] of byProvider) {
    // Each endpoint's image price is judged against its own prompt price.
    const values: Record<string, string | null> = {};
    const perTier = tiers.map((t) => expectedFromTiers([t]));
    for (const dim of DIMENSIONS) {
      let best: Decimal | null = null;
      for (const o of perTier) {
        const v = o.values[dim];
        if (v !== null && (best === null || new D(v).gt(best))) best = new D(v);
      }
      values[dim] = best === null ? null : money(best);
    }
    const ok = DIMENSIONS.some((d) => values[d] !== null);
    out.set(endpointKey(modelId, provider), { status: ok ? 'ok' : 'unavailable', values: values as Prices });
  }
  return out;
}

/**
 * The PriceChanged events one day should produce, given the last known available price per key
 * (updated in place): the first available price of a key is `new` (every published dimension); a
 * difference at scale 8 is `changed` (only the dimensions that differ, relative change at scale 8,
 * null when there is no non-zero base); an unavailable price changes nothing and is not remembered.
 * Alert: |relative change| >= threshold, a price turning free or paid, a dimension appearing or going.
 */
export function expectedChanges(
  last: Map<string, Prices>,
  day: ReadonlyMap<string, ExpectedObservation>,
  threshold = '0.30',
): ExpectedChange[] {
  const limit = new D(threshold);
  const out: ExpectedChange[] = [];
  for (const [key, obs] of day) {
    if (obs.status !== 'ok') continue;
    const prev = last.get(key);
    last.set(key, obs.values);
    if (!prev) {
      out.push({
        price_key: key,
        kind: 'new',
        changes: DIMENSIONS.filter((d) => obs.values[d] !== null).map((d) => ({
          dimension: d,
          previous: null,
          current: obs.values[d],
          relative_change: null,
        })),
        alert: false,
      });
      continue;
    }
    const changes: ExpectedDimensionChange[] = [];
    let alert = false;
    for (const d of DIMENSIONS) {
      const a = prev[d];
      const b = obs.values[d];
      if (a === b) continue;
      if (a === null || b === null) {
        changes.push({ dimension: d, previous: a, current: b, relative_change: null });
        alert = true;
        continue;
      }
      const pa = new D(a);
      const pb = new D(b);
      if (pa.eq(pb)) continue;
      if (pa.isZero()) {
        changes.push({ dimension: d, previous: a, current: b, relative_change: null });
        alert = true;
        continue;
      }
      const rel = money(pb.minus(pa).div(pa));
      changes.push({ dimension: d, previous: a, current: b, relative_change: rel });
      if (pb.isZero() || new D(rel).abs().gte(limit)) alert = true;
    }
    if (changes.length > 0) out.push({ price_key: key, kind: 'changed', changes, alert });
  }
  return out.sort((x, y) => x.price_key.localeCompare(y.price_key));
}
