// The answer of POST /v1/cost as the Cost and Compare pages show it (pure): a component's line, the
// routed price's entry, which columns are cheapest, the model list of Compare. The rules are
// web/README.md "Cost" and "Compare".
import { compareDecimal, groupedDecimal, usd } from './money.ts';
import { isModelId } from './routes.ts';

export interface CostComponent {
  readonly dimension: string;
  readonly count: string;
  readonly rate: string;
  readonly unit: 'per_1m_tokens' | 'per_request' | 'per_image' | 'per_web_search' | 'fraction';
  readonly tier: string | null;
  readonly amount: string;
}

export interface ProviderCost {
  readonly provider: string | null;
  readonly source: string;
  readonly price_key: string;
  readonly total: string;
  readonly total_source: 'catalog' | 'reported';
  readonly catalog_total: string;
  readonly components: readonly CostComponent[];
  readonly tiers_applied: readonly string[];
  readonly reported: {
    readonly cost: string;
    readonly difference: string;
    readonly disagrees: boolean;
  } | null;
  readonly price: {
    readonly source: string;
    readonly source_url: string | null;
    readonly observed_at: string;
    readonly effective_from: string;
    readonly event_id: string;
  };
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}

export interface Unpriced {
  readonly provider: string | null;
  readonly code: string;
  readonly message: string;
}

export interface CostAnswer {
  readonly data: {
    readonly model: string;
    readonly at: string;
    readonly format: string;
    readonly tokens: Readonly<Record<string, number | string | null>>;
    readonly chosen: string | null;
    readonly costs: readonly ProviderCost[];
    readonly unpriced: readonly Unpriced[];
  };
}

const UNIT_WORDS: Record<CostComponent['unit'], string> = {
  per_1m_tokens: 'per 1M tokens',
  per_request: 'per request',
  per_image: 'per image',
  per_web_search: 'per web search',
  fraction: '',
};

/** `600 × $3.00 per 1M tokens = $0.0018`; the BYOK fee: `$0.01 × 0.05 = $0.0005`. */
export function componentText(c: CostComponent): string {
  const fee = c.unit === 'fraction';
  const count = fee ? usd(c.count) : groupedDecimal(c.count, 0);
  const rate = fee ? groupedDecimal(c.rate, 0) : `${usd(c.rate)} ${UNIT_WORDS[c.unit]}`;
  return `${count} × ${rate} = ${usd(c.amount)}`;
}

/** The tier a component was billed at: its label, or `base`. */
export function tierText(c: CostComponent): string {
  return c.tier ?? 'base';
}

/** `+$0.0047` / `-$0.001` / `$0.00`: a signed difference. */
export function signedUsd(s: string): string {
  const text = usd(s);
  return text.startsWith('-') || /^\$0\.00$/.test(text) ? text : `+${text}`;
}

/** The counts of `tokens` a reader is shown, in order, with their words (README "What was counted"). */
const TOKEN_WORDS: readonly (readonly [string, string])[] = [
  ['prompt', 'input'],
  ['cacheRead', 'cache read'],
  ['cacheWrite', 'cache write'],
  ['cacheWrite1h', 'cache write (1 h)'],
  ['audioInput', 'audio input'],
  ['audioCacheRead', 'audio cache read'],
  ['imageInput', 'image input'],
  ['completion', 'output'],
  ['reasoning', 'reasoning'],
  ['audioOutput', 'audio output'],
  ['imageOutput', 'image output'],
  ['images', 'images'],
  ['webSearches', 'web searches'],
];

/** `3,211 cache read, 53 output`: the non-zero counts in words ('' when none). */
export function tokensText(tokens: Readonly<Record<string, number | string | null>>): string {
  return TOKEN_WORDS.flatMap(([key, words]) => {
    const v = tokens[key];
    return typeof v === 'number' && v > 0 ? [`${groupedDecimal(String(v), 0)} ${words}`] : [];
  }).join(', ');
}

/** The routed price's cost (provider null), its reason when unpriced, or neither. */
export function routedOf(
  answer: CostAnswer['data'],
): { readonly cost: ProviderCost } | { readonly unpriced: Unpriced } | null {
  const cost = answer.costs.find((c) => c.provider === null);
  if (cost) return { cost };
  const unpriced = answer.unpriced.find((u) => u.provider === null);
  return unpriced ? { unpriced } : null;
}

/** Indexes of the lowest values (exactly compared); null entries never count. */
export function cheapestIndexes(totals: readonly (string | null)[]): number[] {
  let best: string | null = null;
  for (const t of totals) if (t !== null && (best === null || compareDecimal(t, best) < 0)) best = t;
  if (best === null) return [];
  return totals.flatMap((t, i) => (t !== null && compareDecimal(t, best) === 0 ? [i] : []));
}

export const COMPARE_MIN = 2;
export const COMPARE_MAX = 5;

/** `?models=` as columns: ids in order, duplicates once, what is left out said (README "Compare"). */
export function modelsOf(query: URLSearchParams): { models: string[]; problems: string[] } {
  const raw = (query.get('models') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const models: string[] = [];
  const problems: string[] = [];
  const beyond: string[] = [];
  for (const id of raw) {
    if (!isModelId(id)) problems.push(`“${id}” is not a model id (author/slug), left out.`);
    else if (models.includes(id)) continue;
    else if (models.length >= COMPARE_MAX) beyond.push(id);
    else models.push(id);
  }
  if (beyond.length > 0)
    problems.push(`At most ${COMPARE_MAX} models side by side: ${beyond.join(', ')} left out.`);
  return { models, problems };
}

export type ListChange =
  { readonly ok: true; readonly models: string[] } | { readonly ok: false; readonly message: string };

export function addModel(models: readonly string[], id: string): ListChange {
  const t = id.trim();
  if (!isModelId(t))
    return { ok: false, message: `“${id}” is not a model id (author/slug, e.g. openai/gpt-4o).` };
  if (models.includes(t)) return { ok: false, message: `${t} is already compared.` };
  if (models.length >= COMPARE_MAX)
    return { ok: false, message: `At most ${COMPARE_MAX} models side by side: remove one first.` };
  return { ok: true, models: [...models, t] };
}

export function removeModel(models: readonly string[], id: string): ListChange {
  if (models.length <= COMPARE_MIN)
    return {
      ok: false,
      message: `A comparison needs at least ${COMPARE_MIN} models: add another before removing ${id}.`,
    };
  return { ok: true, models: models.filter((m) => m !== id) };
}
