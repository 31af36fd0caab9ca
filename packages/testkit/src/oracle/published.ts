// The oracle's own reading of what OpenRouter publishes, from docs/price-model.md §1-2 and the raw
// JSON (docs/data-sources.md §3-4): a price as slots (tier label or base, dimension) → USD at scale 8.
// Nothing here comes from the scraper or the normalizer; only the contract's vocabulary does (the
// dimension registry and the tier label printer), so slot identities are spelled as the pipeline's.
import { Decimal } from 'decimal.js';
import { isRecord } from '@llmpt/core';
import {
  conditionsOfOverride,
  DIMENSIONS,
  dimensionOfKey,
  NO_CONDITIONS,
  tierLabel,
  type Dimension,
  type DimensionBasis,
} from '@llmpt/schemas';

export const D = Decimal.clone({
  precision: 60,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -100,
  toExpPos: 100,
});

/** Scale 8, half-even: the precision prices are stored and compared at. */
export const money = (d: Decimal): string => d.toFixed(8, Decimal.ROUND_HALF_EVEN);

/** One slot's identity: the tier label (null for the base) and the dimension. */
export interface SlotRef {
  readonly tier: string | null;
  readonly dimension: Dimension;
}

const SEP = '\u0000';
export const slotId = (tier: string | null, dimension: Dimension): string =>
  `${tier ?? ''}${SEP}${dimension}`;
export function slotOf(id: string): SlotRef {
  const [tier, dimension] = id.split(SEP) as [string, Dimension];
  return { tier: tier === '' ? null : tier, dimension };
}

/** A published key the registry does not know, or a speech model's per-duration prompt: kept raw. */
export interface UnregisteredPrice {
  readonly key: string;
  readonly raw: string;
  readonly tier: string | null;
}

/** What one source published for one price key, read by the documented rules. */
export interface PublishedObservation {
  /** slotId → amount at scale 8 (USD per 1M tokens, per unit, or a ratio, per the dimension's basis). */
  readonly slots: ReadonlyMap<string, string>;
  readonly unregistered: readonly UnregisteredPrice[];
  /** No slot carries a price: the whole observation is unavailable (rule 1). */
  readonly available: boolean;
}

/** A price as published: unconditioned keys, then each tier's own keys (missing ones inherit the base). */
export interface PublishedTiers {
  readonly base: Readonly<Record<string, unknown>> | null;
  readonly tiers: readonly { readonly label: string; readonly prices: Readonly<Record<string, unknown>> }[];
  /** Speech-input model: `prompt` is per audio duration, not per token (docs/data-sources.md §4). */
  readonly speech: boolean;
}

// Written once in @llmpt/core; re-exported for the e2e helpers that import it from here.
export { isRecord };

/** The published text of a value (strings as they are, JSON numbers as their text). */
export function publishedText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A published price, or null when it is not one: absent, "-1" (variable), negative, unparsable. */
export function priceOf(value: unknown): Decimal | null {
  const text = publishedText(value)?.trim();
  if (text === undefined || !DECIMAL.test(text)) return null;
  const d = new D(text);
  return d.isNegative() ? null : d;
}

// Keys the registry feeds from OpenRouter, with the basis each is published in (docs §1: per token
// unless said). `image` has two meanings and is judged per value below.
const KEY_BASIS: ReadonlyMap<string, DimensionBasis> = new Map(
  DIMENSIONS.flatMap((d) => d.openrouterKeys.map((k) => [k, d.basis] as const)).filter(
    ([k]) => k !== 'image',
  ),
);

/**
 * `image` is per image token when it is at most 10 × the prompt price and both are positive
 * (2026 data), per input image otherwise (2025 data, or image-only models whose prompt is 0).
 */
function imageBasis(image: Decimal, prompt: Decimal | null): DimensionBasis {
  const perToken = prompt !== null && prompt.gt(0) && image.gt(0) && image.lte(prompt.times(10));
  return perToken ? 'per_1m_tokens' : 'per_unit';
}

function keyBasis(key: string, value: Decimal, prompt: Decimal | null): DimensionBasis | null {
  return key === 'image' ? imageBasis(value, prompt) : (KEY_BASIS.get(key) ?? null);
}

/** Per-token prices ×10^6 to USD per 1M tokens; per-unit prices and ratios as published. */
function amountIn(basis: DimensionBasis, value: Decimal): string {
  return money(basis === 'per_1m_tokens' ? value.times(1_000_000) : value);
}

function readPrices(
  prices: Readonly<Record<string, unknown>>,
  tier: string | null,
  prompt: Decimal | null,
  speech: boolean,
  slots: Map<string, string>,
  unregistered: UnregisteredPrice[],
): void {
  for (const [key, raw] of Object.entries(prices)) {
    const known = key === 'image' || KEY_BASIS.has(key);
    if (!known || (speech && key === 'prompt')) {
      const name = known ? 'prompt_audio_duration' : key;
      unregistered.push({ key: name, raw: publishedText(raw) ?? JSON.stringify(raw), tier });
      continue;
    }
    const value = priceOf(raw);
    if (value === null) continue; // missing is not a price (rule 1)
    const basis = keyBasis(key, value, prompt)!;
    slots.set(slotId(tier, dimensionOfKey(key, basis)!), amountIn(basis, value));
  }
}

/** The slots of a price published as a base plus tiers (§2: a tier's slots are the keys it names). */
export function observationOf(p: PublishedTiers): PublishedObservation {
  const slots = new Map<string, string>();
  const unregistered: UnregisteredPrice[] = [];
  const basePrompt = p.base === null ? null : priceOf(p.base.prompt);
  if (p.base !== null) readPrices(p.base, null, basePrompt, p.speech, slots, unregistered);
  // Tiers in published order: when two carry the same label the later one wins per key.
  for (const t of p.tiers) {
    const prompt = t.prices.prompt === undefined ? basePrompt : priceOf(t.prices.prompt);
    readPrices(t.prices, t.label, prompt, p.speech, slots, unregistered);
  }
  return { slots, unregistered, available: slots.size > 0 };
}

// Override keys that say WHEN a tier applies (§2 conditions: min_prompt_tokens, utc_start/utc_end, and
// any other `min_`/`max_`/`utc_` condition kept as key=value); every other key is a price.
const CONDITION_KEY = /^(min_|max_|utc_)/;

/** One `pricing.overrides[]` entry as a tier: its label (tiers.ts grammar) and its own prices. */
export function overrideTier(override: Readonly<Record<string, unknown>>): {
  label: string;
  prices: Record<string, unknown>;
} {
  const conditions: Record<string, string> = {};
  const prices: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(override)) {
    if (CONDITION_KEY.test(key)) conditions[key] = publishedText(value) ?? JSON.stringify(value);
    else prices[key] = value;
  }
  return { label: tierLabel(conditionsOfOverride(conditions)), prices };
}

/** A speech-to-text model: no context window, audio in, no text in (docs §1 `prompt_audio_duration`). */
export function isSpeechInput(entry: Readonly<Record<string, unknown>>): boolean {
  const arch = isRecord(entry.architecture) ? entry.architecture : {};
  const input = Array.isArray(arch.input_modalities) ? arch.input_modalities : [];
  return entry.context_length === 0 && input.includes('audio') && !input.includes('text');
}

/** A `/models` entry's routed price: `pricing` without `overrides` is the base, each override a tier. */
export function routedPublished(entry: Readonly<Record<string, unknown>>): PublishedTiers {
  const pricing = isRecord(entry.pricing) ? entry.pricing : {};
  const { overrides, ...base } = pricing;
  const tiers = Array.isArray(overrides) ? overrides.filter(isRecord).map(overrideTier) : [];
  return { base, tiers, speech: isSpeechInput(entry) };
}

export const routedObservation = (entry: Readonly<Record<string, unknown>>): PublishedObservation =>
  observationOf(routedPublished(entry));

/** The label of an endpoint published as one of several alternatives of a provider (a quantization). */
export const variantLabel = (name: string): string => tierLabel({ ...NO_CONDITIONS, variant: name });
