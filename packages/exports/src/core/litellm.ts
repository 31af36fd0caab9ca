// Our prices as LiteLLM's `model_prices_and_context_window.json`: one entry per (model, provider,
// source) that LiteLLM can address, USD per token (per unit for requests and images) as JSON numbers,
// long-context tiers as `*_above_<N>k_tokens` keys. The mapping is in this package's README ("LiteLLM").
// Pure: the same snapshot gives the same value.
import Decimal from 'decimal.js';
import { isSelectable, tierApplies, type Dimension } from '@llmpt/schemas';
import type { Skipped } from './errors.ts';
import { ratesFor, tierStart, type Rates } from './rates.ts';
import { bySourcePreference, current, type PriceEntry, type PriceSnapshot } from './snapshot.ts';
import { slug } from './genai-prices.ts';

/** Our dimension → LiteLLM key; `perToken`: our USD per 1M becomes USD per token. */
export const LITELLM_KEYS: Readonly<Partial<Record<Dimension, { key: string; perToken: boolean }>>> = {
  prompt: { key: 'input_cost_per_token', perToken: true },
  completion: { key: 'output_cost_per_token', perToken: true },
  internal_reasoning: { key: 'output_cost_per_reasoning_token', perToken: true },
  input_cache_read: { key: 'cache_read_input_token_cost', perToken: true },
  input_cache_write: { key: 'cache_creation_input_token_cost', perToken: true },
  input_cache_write_1h: { key: 'cache_creation_input_token_cost_above_1hr', perToken: true },
  input_audio: { key: 'input_cost_per_audio_token', perToken: true },
  input_audio_cache: { key: 'cache_read_input_audio_token_cost', perToken: true },
  audio_output: { key: 'output_cost_per_audio_token', perToken: true },
  image_token: { key: 'input_cost_per_image_token', perToken: true },
  image_output: { key: 'output_cost_per_image_token', perToken: true },
  image: { key: 'input_cost_per_image', perToken: false },
  request: { key: 'input_cost_per_request', perToken: false },
};

/** The keys LiteLLM reads with a `_above_<N>k_tokens` suffix (prompt-token tiers). */
const TIERED: ReadonlySet<Dimension> = new Set([
  'prompt',
  'completion',
  'input_cache_read',
  'input_cache_write',
  'input_cache_write_1h',
]);

export type LiteLLMEntry = Record<string, number | string | Record<string, number>>;

export interface LiteLLMExport {
  readonly map: Record<string, LiteLLMEntry>;
  readonly skipped: Skipped[];
  /** Entries written with less than we know (time-of-day prices LiteLLM has no key for). */
  readonly caveats: Skipped[];
}

const MILLION = new Decimal(1_000_000);
const value = (amount: string, perToken: boolean) =>
  (perToken ? new Decimal(amount).dividedBy(MILLION) : new Decimal(amount)).toNumber();

/** The LiteLLM key of an entry and its litellm_provider; null: LiteLLM cannot address it. */
export function litellmKeyOf(e: PriceEntry): { key: string; provider: string } | null {
  switch (e.source_type) {
    case 'openrouter_api':
      return { key: `openrouter/${e.model_id}`, provider: 'openrouter' };
    case 'provider_site':
    case 'web_fallback':
      return e.provider ? { key: `${slug(e.provider)}/${e.model_id}`, provider: slug(e.provider) } : null;
    case 'openrouter_endpoints':
      return null;
  }
}

function put(out: LiteLLMEntry, rates: Rates, suffix: string, only?: ReadonlySet<Dimension>): void {
  for (const [d, m] of Object.entries(LITELLM_KEYS) as [Dimension, { key: string; perToken: boolean }][]) {
    if (only && !only.has(d)) continue;
    const r = rates[d];
    if (r !== undefined) out[`${m.key}${suffix}`] = value(r, m.perToken);
  }
}

function entryOf(e: PriceEntry, provider: string): { entry: LiteLLMEntry; caveat: string | null } {
  const p = current(e);
  const noon = new Date(0);
  const windows = p.tiers.filter((t) => isSelectable(t) && t.utc_start !== null);
  // The base: the rates with no prompt-token or time-of-day tier (variants raise, as our cost does).
  const base = ratesFor(p, () => false);
  const entry: LiteLLMEntry = { litellm_provider: provider, mode: 'chat' };
  put(entry, base, '');
  if (base.web_search !== undefined) {
    const q = new Decimal(base.web_search).toNumber();
    entry.search_context_cost_per_query = {
      search_context_size_high: q,
      search_context_size_low: q,
      search_context_size_medium: q,
    };
  }
  // LiteLLM applies `<key>_above_<T>_tokens` when the request's prompt tokens are > T (T read from the
  // key: `200k` is 200000, `199999` is 199999), starting from input_cost_per_token_above_*.
  const starts = [
    ...new Set(
      p.tiers.filter((t) => isSelectable(t) && t.utc_start === null).flatMap((t) => tierStart(t) ?? []),
    ),
  ].sort((a, b) => a - b);
  for (const n of starts) {
    const above = ratesFor(
      p,
      (t) => t.utc_start === null && tierApplies(t, { promptTokens: n + 1, at: noon }),
    );
    const changed: Rates = {};
    for (const d of TIERED) if (above[d] !== undefined && above[d] !== base[d]) changed[d] = above[d];
    if (Object.keys(changed).length === 0) continue;
    // The input key is the one LiteLLM looks for: always written for a tier.
    if (above.prompt !== undefined) changed.prompt = above.prompt;
    put(entry, changed, `_above_${n % 1000 === 0 ? `${n / 1000}k` : String(n)}_tokens`, TIERED);
  }
  let caveat: string | null = null;
  if (windows.length > 0)
    caveat = `time-of-day prices (${windows.map((t) => t.label).join(', ')}) have no LiteLLM key: the base price is written`;
  if (e.context_length !== null && e.context_length > 0) entry.max_input_tokens = e.context_length;
  if (p.source_url) entry.source = p.source_url;
  return { entry, caveat };
}

/** The LiteLLM map of a snapshot (keys sorted when serialized), and what it could not carry. */
export function toLiteLLM(snapshot: PriceSnapshot): LiteLLMExport {
  const map: Record<string, LiteLLMEntry> = {};
  const skipped: Skipped[] = [];
  const caveats: Skipped[] = [];
  for (const e of bySourcePreference(snapshot.entries)) {
    const at = litellmKeyOf(e);
    if (!at) {
      skipped.push({ price_key: e.price_key, reason: `LiteLLM has no key for ${e.source_type} prices` });
      continue;
    }
    if (map[at.key]) {
      skipped.push({ price_key: e.price_key, reason: `${at.key} is already written from another source` });
      continue;
    }
    const { entry, caveat } = entryOf(e, at.provider);
    map[at.key] = entry;
    if (caveat) caveats.push({ price_key: e.price_key, reason: caveat });
  }
  return { map, skipped, caveats };
}
