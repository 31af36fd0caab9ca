// Our prices as genai-prices v2 `data.json` (Provider[]). The mapping is written down in this
// package's README ("genai-prices data.json"): providers, dimensions → price keys, the join keys
// genai-prices requires, tiers (prompt-token cliffs, time-of-day windows, unselectable variants) and
// effective start dates from the history. Pure: the same snapshot gives the same value.
import Decimal from 'decimal.js';
import {
  DIMENSION_NAMES,
  isSelectable,
  tierApplies,
  type Dimension,
  type PriceTier,
  type SourceType,
} from '@llmpt/schemas';
import type { Skipped } from './errors.ts';
import { ratesFor, tierStart, type Rates } from './rates.ts';
import { current, type PriceEntry, type PricePeriod, type PriceSnapshot } from './snapshot.ts';

export interface GenaiTier {
  readonly start: number;
  readonly price: number;
}
export interface GenaiTieredPrices {
  readonly base: number;
  readonly tiers: readonly GenaiTier[];
}
export type GenaiModelPrice = Record<string, number | GenaiTieredPrices>;
export type GenaiConstraint =
  { readonly start_date: string } | { readonly start_time: string; readonly end_time: string };
export interface GenaiConditionalPrice {
  readonly constraint?: GenaiConstraint;
  readonly prices: GenaiModelPrice;
}
export interface GenaiModel {
  readonly id: string;
  readonly name?: string;
  readonly match: { readonly equals: string };
  readonly context_window?: number;
  readonly price_comments?: string;
  readonly prices: GenaiModelPrice | readonly GenaiConditionalPrice[];
}
export interface GenaiProvider {
  readonly id: string;
  readonly name: string;
  readonly api_pattern: string;
  readonly pricing_urls?: readonly string[];
  readonly models: readonly GenaiModel[];
}

export interface GenaiExport {
  readonly providers: GenaiProvider[];
  readonly skipped: Skipped[];
}

/** Our dimension → genai-prices price key and the factor from our basis to theirs. */
export const GENAI_PRICE_KEYS: Readonly<Partial<Record<Dimension, { key: string; factor: number }>>> = {
  prompt: { key: 'input_mtok', factor: 1 },
  completion: { key: 'output_mtok', factor: 1 },
  internal_reasoning: { key: 'output_reasoning_mtok', factor: 1 },
  input_cache_read: { key: 'cache_read_mtok', factor: 1 },
  input_cache_write: { key: 'cache_write_mtok', factor: 1 },
  input_cache_write_1h: { key: 'cache_write_1h_mtok', factor: 1 },
  input_audio: { key: 'input_audio_mtok', factor: 1 },
  input_audio_cache: { key: 'cache_audio_read_mtok', factor: 1 },
  audio_output: { key: 'output_audio_mtok', factor: 1 },
  image_token: { key: 'input_image_mtok', factor: 1 },
  image_output: { key: 'output_image_mtok', factor: 1 },
  request: { key: 'requests_kcount', factor: 1000 },
  web_search: { key: 'web_searches_kcount', factor: 1000 },
};

/**
 * The rate our cost of a call bills a dimension's tokens at when the price has none for it
 * (docs/price-model.md; README "Dimensions → price keys"). genai-prices lets an unpriced unit inherit
 * its parent's rate, which is the same rate for every dimension here.
 */
const FALLBACK: Readonly<Partial<Record<Dimension, Dimension>>> = {
  internal_reasoning: 'completion',
  input_cache_read: 'prompt',
  input_cache_write: 'prompt',
  input_audio: 'prompt',
  input_audio_cache: 'input_cache_read',
  audio_output: 'completion',
  image_token: 'prompt',
  image_output: 'completion',
};

/**
 * Keys genai-prices requires (a priced unit's ancestors, the join of two priced overlapping units) or
 * that keep its answer equal to ours, each priced at the rate our cost bills those tokens at. Applied
 * until nothing is added.
 */
const JOINS: readonly { key: string; from: Dimension; when: readonly (readonly string[])[] }[] = [
  {
    key: 'cache_write_mtok',
    from: 'input_cache_write',
    when: [['cache_write_1h_mtok'], ['cache_audio_write_mtok'], ['cache_image_write_mtok']],
  },
  {
    key: 'cache_read_mtok',
    from: 'input_cache_read',
    when: [['cache_audio_read_mtok'], ['cache_image_read_mtok']],
  },
  { key: 'cache_audio_read_mtok', from: 'input_audio_cache', when: [['input_audio_mtok']] },
  { key: 'cache_image_read_mtok', from: 'input_cache_read', when: [['input_image_mtok']] },
  {
    key: 'cache_audio_write_mtok',
    from: 'input_cache_write',
    when: [['input_audio_mtok', 'cache_write_mtok']],
  },
  {
    key: 'cache_image_write_mtok',
    from: 'input_cache_write',
    when: [['input_image_mtok', 'cache_write_mtok']],
  },
  {
    key: 'cache_audio_write_1h_mtok',
    from: 'input_cache_write_1h',
    when: [['input_audio_mtok', 'cache_write_1h_mtok']],
  },
  {
    key: 'cache_image_write_1h_mtok',
    from: 'input_cache_write_1h',
    when: [['input_image_mtok', 'cache_write_1h_mtok']],
  },
  {
    key: 'output_audio_reasoning_mtok',
    from: 'internal_reasoning',
    when: [['output_audio_mtok', 'output_reasoning_mtok']],
  },
  {
    key: 'output_image_reasoning_mtok',
    from: 'internal_reasoning',
    when: [['output_image_mtok', 'output_reasoning_mtok']],
  },
];

const NOT_EXPORTED: Readonly<Partial<Record<Dimension, string>>> = {
  image: 'per-image price (genai-prices has no per-image unit)',
  discount: 'discount (not a charge; not applied)',
};

export function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9._-]+/g, '-');
}

/** The genai-prices provider of a key (README table "Providers"). */
export function genaiProviderOf(source: SourceType, provider: string | null): { id: string; name: string } {
  const p = provider ?? '';
  switch (source) {
    case 'openrouter_api':
      return { id: 'openrouter', name: 'OpenRouter' };
    case 'openrouter_endpoints':
      return { id: `openrouter/${slug(p)}`, name: `OpenRouter via ${p}` };
    case 'provider_site':
      return { id: slug(p), name: p };
    case 'web_fallback':
      return { id: `${slug(p)}/web`, name: `${p} (web fallback)` };
  }
}

const isWindow = (t: PriceTier) => isSelectable(t) && t.utc_start !== null && t.utc_end !== null;

const num = (amount: string, factor: number): number => new Decimal(amount).times(factor).toNumber();

class Unrepresentable extends Error {}

/**
 * One ModelPrice: the rates of a stretch of the day (`minute`), as a function of the prompt tokens.
 * Every threshold interval is priced by ratesFor at a token count inside it.
 */
function modelPrice(p: PricePeriod, minute: number): { price: GenaiModelPrice; dims: Set<Dimension> } {
  const at = new Date(Date.UTC(2000, 0, 1, 0, minute));
  const starts = [...new Set(p.tiers.filter(isSelectable).flatMap((t) => tierStart(t) ?? []))].sort(
    (a, b) => a - b,
  );
  const base = ratesFor(p, (t) => tierApplies(t, { promptTokens: 0, at }));
  const byStart = starts.map((s) => ({
    start: s,
    rates: ratesFor(p, (t) => tierApplies(t, { promptTokens: s + 1, at })),
  }));
  const dims = new Set<Dimension>(
    DIMENSION_NAMES.filter((d) => base[d] !== undefined || byStart.some((s) => s.rates[d] !== undefined)),
  );
  const rateOf = (r: Rates, d: Dimension): string | undefined => {
    const own = r[d];
    if (own !== undefined) return own;
    const f = FALLBACK[d];
    return f === undefined ? undefined : rateOf(r, f);
  };
  const out: GenaiModelPrice = {};
  const put = (key: string, d: Dimension, factor: number) => {
    const b = rateOf(base, d);
    if (b === undefined) throw new Unrepresentable(`${d} is priced only above a threshold`);
    const tiers: GenaiTier[] = [];
    let last = num(b, factor);
    for (const s of byStart) {
      const v = rateOf(s.rates, d);
      if (v === undefined) throw new Unrepresentable(`${d} has no rate above ${s.start} tokens`);
      const n = num(v, factor);
      if (n !== last) tiers.push({ start: s.start, price: n });
      last = n;
    }
    if (tiers.length > 0 && key.endsWith('_kcount'))
      throw new Unrepresentable(`${d} changes with the prompt tokens: ${key} cannot be tiered`);
    out[key] = tiers.length === 0 ? num(b, factor) : { base: num(b, factor), tiers };
  };
  for (const d of DIMENSION_NAMES) {
    const m = GENAI_PRICE_KEYS[d];
    if (m && dims.has(d)) put(m.key, d, m.factor);
  }
  for (let added = true; added;) {
    added = false;
    for (const j of JOINS)
      if (out[j.key] === undefined && j.when.some((all) => all.every((k) => out[k] !== undefined))) {
        put(j.key, j.from, 1);
        added = true;
      }
  }
  return { price: out, dims };
}

const hhmm = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00Z`;

/** The day cut at every window boundary; stretches with the same windows applying merged (wrapping). */
function windowStretches(p: PricePeriod): { start: number; end: number; active: string }[] {
  const windows = p.tiers.filter(isWindow);
  if (windows.length === 0) return [];
  const cuts = [
    ...new Set([0, ...windows.flatMap((t) => [t.utc_start!, t.utc_end!].map((m) => m % 1440))]),
  ].sort((a, b) => a - b);
  const activeAt = (m: number) =>
    windows
      .map((t, i) =>
        tierApplies(
          { ...t, prompt_tokens_gte: null, prompt_tokens_gt: null },
          { promptTokens: 0, at: new Date(Date.UTC(2000, 0, 1, 0, m)) },
        )
          ? i
          : -1,
      )
      .filter((i) => i >= 0)
      .join(',');
  const pieces = cuts.map((c, i) => ({ start: c, end: cuts[i + 1] ?? 1440, active: activeAt(c) }));
  const merged: typeof pieces = [];
  for (const x of pieces) {
    const prev = merged[merged.length - 1];
    if (prev && prev.active === x.active) prev.end = x.end;
    else merged.push({ ...x });
  }
  if (merged.length > 1 && merged[0]!.active === merged[merged.length - 1]!.active) {
    const last = merged.pop()!;
    merged[0] = { start: last.start, end: merged[0]!.end, active: last.active };
  }
  return merged;
}

/** The prices of one period: a ModelPrice, or a ModelPrice with time-of-day entries. */
function periodPrices(p: PricePeriod): { base: GenaiModelPrice; windows: GenaiConditionalPrice[] } {
  const stretches = windowStretches(p);
  const plain = stretches.find((s) => s.active === '');
  if (stretches.length === 1 || !plain) {
    // No windows, or every minute of the day in windows: the price of the first stretch is the base
    // and each other stretch a window (one stretch covering the day needs no constraint).
    const [first, ...rest] = stretches.length === 0 ? [{ start: 0, end: 1440, active: '' }] : stretches;
    return {
      base: modelPrice(p, first!.start).price,
      windows: rest.map((s) => ({
        constraint: { start_time: hhmm(s.start), end_time: hhmm(s.end % 1440) },
        prices: modelPrice(p, s.start).price,
      })),
    };
  }
  return {
    base: modelPrice(p, plain.start).price,
    windows: stretches
      .filter((s) => s.active !== '')
      .map((s) => ({
        constraint: { start_time: hhmm(s.start), end_time: hhmm(s.end % 1440) },
        prices: modelPrice(p, s.start).price,
      })),
  };
}

function comments(e: PriceEntry, periodsWithWindows: number): string {
  const p = current(e);
  const parts = [
    `Source: ${p.source_url ?? e.source_type}; observed ${p.observed_at}; in force since ${p.effective_from} (llm-price-tracker ${e.price_key}).`,
  ];
  const missing = DIMENSION_NAMES.filter(
    (d) =>
      NOT_EXPORTED[d] &&
      [p.base, ...p.tiers.map((t) => t.prices)].some((l) => l.some((x) => x.dimension === d)),
  );
  if (missing.length > 0) parts.push(`Not exported: ${missing.map((d) => NOT_EXPORTED[d]).join('; ')}.`);
  const unselectable = p.tiers.filter((t) => !isSelectable(t));
  if (unselectable.length > 0)
    parts.push(
      `Tiers usage cannot select (${unselectable.map((t) => t.label).join(', ')}) are priced at their higher rate.`,
    );
  if (periodsWithWindows > 0 && e.periods.length > 1)
    parts.push('Time-of-day prices are those in force now; they also answer for earlier dates.');
  const text = parts.join(' ');
  return text.length <= 1000 ? text : `${text.slice(0, 997)}...`;
}

function modelOf(e: PriceEntry): GenaiModel {
  // One period per UTC day (the later one), the first without a date.
  const byDay = new Map<string, PricePeriod>();
  for (const p of e.periods) byDay.set(p.effective_from.slice(0, 10), p);
  const days = [...byDay.entries()];
  const last = periodPrices(days[days.length - 1]![1]);
  const list: GenaiConditionalPrice[] = days.map(([day, p], i) => ({
    ...(i === 0 ? {} : { constraint: { start_date: day } }),
    prices: i === days.length - 1 ? last.base : periodPrices(p).base,
  }));
  list.push(...last.windows);
  const withWindows = e.periods.filter((p) => p.tiers.some(isWindow)).length;
  return {
    id: e.model_id,
    ...(e.name ? { name: e.name.slice(0, 100) } : {}),
    match: { equals: e.model_id },
    ...(e.context_length !== null && e.context_length > 0 ? { context_window: e.context_length } : {}),
    price_comments: comments(e, withWindows),
    prices: list.length === 1 ? list[0]!.prices : list,
  };
}

const OPENROUTER_API = 'https://openrouter\\.ai/api';
const NO_URL = '(?!)';

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The genai-prices v2 data of a snapshot, and the entries it cannot carry. */
export function toGenaiPrices(snapshot: PriceSnapshot): GenaiExport {
  const skipped: Skipped[] = [];
  const providers = new Map<string, { name: string; api: string; urls: Set<string>; models: GenaiModel[] }>();
  const entries = [...snapshot.entries].sort((a, b) => byString(a.price_key, b.price_key));
  for (const e of entries) {
    if (e.model_id.length > 100 || /\s/.test(e.model_id) || e.model_id === '') {
      skipped.push({ price_key: e.price_key, reason: 'model id is not a genai-prices id (≤100, no space)' });
      continue;
    }
    let model: GenaiModel;
    try {
      model = modelOf(e);
    } catch (err) {
      if (!(err instanceof Unrepresentable)) throw err;
      skipped.push({ price_key: e.price_key, reason: err.message });
      continue;
    }
    const { id, name } = genaiProviderOf(e.source_type, e.provider);
    const prov = providers.get(id) ?? {
      name,
      api: e.source_type.startsWith('openrouter') ? OPENROUTER_API : NO_URL,
      urls: new Set<string>(),
      models: [],
    };
    providers.set(id, prov);
    for (const p of e.periods)
      if (p.source_url && /^https?:\/\//.test(p.source_url)) prov.urls.add(p.source_url);
    if (prov.models.some((m) => m.id === model.id)) {
      skipped.push({ price_key: e.price_key, reason: `second entry of ${model.id} in provider ${id}` });
      continue;
    }
    prov.models.push(model);
  }
  return {
    providers: [...providers.entries()]
      .sort(([a], [b]) => byString(a, b))
      .map(([id, p]) => ({
        id,
        name: p.name.slice(0, 100),
        api_pattern: p.api,
        ...(p.urls.size > 0 ? { pricing_urls: [...p.urls].sort(byString) } : {}),
        models: [...p.models].sort((a, b) => byString(a.id, b.id)),
      })),
    skipped,
  };
}
