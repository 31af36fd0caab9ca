// /v1/cost (services/api/README.md "Cost of a call"): how a request becomes the consumer's pricing calls
// and how their result is answered. Pure: the pricing itself is @llmpt/consumer's (costOfCallAt), run
// by the adapter; this module reads the request (the usage's format included) and shapes the answer.
import type {
  CallCostAt,
  CostComponent,
  PriceInForce,
  UsageFormat,
  UsageInput,
} from '@llmpt/consumer/pricing';

export const USAGE_FORMATS: readonly UsageFormat[] = [
  'openai',
  'openrouter',
  'anthropic',
  'gemini',
  'cohere',
];
export const SOURCES = ['openrouter_api', 'openrouter_endpoints', 'provider_site', 'web_fallback'] as const;
export type Source = (typeof SOURCES)[number];

/** Longest `usage` a GET carries (characters of its JSON text). */
export const MAX_GET_USAGE = 1500;
/** Largest POST body (bytes). */
export const MAX_COST_BODY = 16 * 1024;

/** A /v1/cost request once read, whichever method carried it. */
export interface CostRequest {
  readonly model: string;
  /** undefined: every provider; null: the routed price (`openrouter`). */
  readonly provider: string | null | undefined;
  readonly source: Source | undefined;
  readonly at: string | undefined;
  readonly format: UsageFormat | undefined;
  readonly usage: Record<string, unknown>;
  readonly images: number | undefined;
  readonly webSearches: number | undefined;
  /** undefined: the tiers the usage selects; null: the base alone; a label: that tier. */
  readonly tier: string | null | undefined;
  readonly byokRequestsThisMonth: number | undefined;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; code: string; message: string };
const fail = (code: string, message: string): { ok: false; code: string; message: string } => ({
  ok: false,
  code,
  message,
});

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The body of a POST, already validated against its schema (types and keys). */
export interface CostBody {
  model: string;
  provider?: string;
  source?: Source;
  at?: string;
  format?: UsageFormat;
  usage: Record<string, unknown>;
  images?: number;
  web_searches?: number;
  tier?: string;
  byok_requests_this_month?: number;
}

/** The query of a GET, already validated against its schema (every value a string). */
export interface CostQuery {
  model: string;
  provider?: string;
  source?: Source;
  at?: string;
  format?: UsageFormat;
  usage: string;
  images?: string;
  web_searches?: string;
  tier?: string;
  byok_requests_this_month?: string;
}

const providerOf = (p: string | undefined) => (p === undefined ? undefined : p === 'openrouter' ? null : p);
const tierOf = (t: string | undefined) => (t === undefined ? undefined : t === 'base' ? null : t);

export function costRequestOfBody(b: CostBody): CostRequest {
  return {
    model: b.model,
    provider: providerOf(b.provider),
    source: b.source,
    at: b.at,
    format: b.format,
    usage: b.usage,
    images: b.images,
    webSearches: b.web_searches,
    tier: tierOf(b.tier),
    byokRequestsThisMonth: b.byok_requests_this_month,
  };
}

function wholeNumber(name: string, text: string | undefined): Parsed<number | undefined> {
  if (text === undefined) return { ok: true, value: undefined };
  if (!/^\d{1,9}$/.test(text))
    return fail('BAD_REQUEST', `${name}: ${JSON.stringify(text)} is not a whole number ≥ 0`);
  return { ok: true, value: Number(text) };
}

/** A GET's query as the same request a POST makes: counts from decimal text, `usage` from JSON text. */
export function costRequestOfQuery(q: CostQuery): Parsed<CostRequest> {
  if (q.usage.length > MAX_GET_USAGE)
    return fail('BAD_REQUEST', `usage: longer than ${MAX_GET_USAGE} characters (POST /v1/cost takes more)`);
  let usage: unknown;
  try {
    usage = JSON.parse(q.usage);
  } catch {
    return fail('BAD_REQUEST', 'usage: not JSON (URL-encode the usage object’s JSON text)');
  }
  if (!isObject(usage)) return fail('BAD_REQUEST', 'usage: not a JSON object');
  const counts = {
    images: wholeNumber('images', q.images),
    webSearches: wholeNumber('web_searches', q.web_searches),
    byok: wholeNumber('byok_requests_this_month', q.byok_requests_this_month),
  };
  for (const c of Object.values(counts)) if (!c.ok) return c;
  const value = (p: Parsed<number | undefined>) => (p.ok ? p.value : undefined);
  return {
    ok: true,
    value: {
      model: q.model,
      provider: providerOf(q.provider),
      source: q.source,
      at: q.at,
      format: q.format,
      usage,
      images: value(counts.images),
      webSearches: value(counts.webSearches),
      tier: tierOf(q.tier),
      byokRequestsThisMonth: value(counts.byok),
    },
  };
}

const has = (o: Record<string, unknown>, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** The formats whose keys `usage` has (README "The usage's format"). */
export function formatsOf(usage: Record<string, unknown>): UsageFormat[] {
  const found: UsageFormat[] = [];
  if (has(usage, 'prompt_tokens') || has(usage, 'completion_tokens')) {
    const details = usage.prompt_tokens_details;
    const openRouterOnly =
      has(usage, 'cost') ||
      has(usage, 'is_byok') ||
      has(usage, 'cost_details') ||
      (isObject(details) && has(details, 'cache_write_tokens'));
    found.push(openRouterOnly ? 'openrouter' : 'openai');
  }
  if (has(usage, 'input_tokens') || has(usage, 'output_tokens')) found.push('anthropic');
  if (has(usage, 'promptTokenCount') || has(usage, 'usageMetadata')) found.push('gemini');
  if (has(usage, 'billed_units') || (isObject(usage.meta) && has(usage.meta, 'billed_units')))
    found.push('cohere');
  return found;
}

/** The usage as the consumer reads it: the format given or detected, the wrappers unwrapped. */
export function usageInputOf(
  usage: Record<string, unknown>,
  format: UsageFormat | undefined,
): Parsed<UsageInput> {
  let f = format;
  if (f === undefined) {
    const found = formatsOf(usage);
    if (found.length > 1)
      return fail(
        'USAGE_AMBIGUOUS',
        `usage: its keys fit several formats (${found.join(', ')}); say which with format`,
      );
    if (found.length === 0)
      return fail(
        'USAGE_FORMAT_UNKNOWN',
        `usage: its keys fit none of the formats (${USAGE_FORMATS.join(', ')}); see the README's table, or pass format`,
      );
    f = found[0]!;
  }
  // The consumer checks counts; the shape around them is ours to check, or it would throw a TypeError.
  switch (f) {
    case 'openai':
    case 'openrouter':
    case 'anthropic':
      return { ok: true, value: { format: f, usage } as unknown as UsageInput };
    case 'gemini': {
      const meta = has(usage, 'usageMetadata') ? usage.usageMetadata : usage;
      if (!isObject(meta)) return fail('USAGE_INVALID', 'gemini usage: usageMetadata is not an object');
      return { ok: true, value: { format: 'gemini', usageMetadata: meta } as unknown as UsageInput };
    }
    case 'cohere': {
      const units = isObject(usage.meta) ? usage.meta.billed_units : usage.billed_units;
      if (!isObject(units))
        return fail('USAGE_INVALID', 'cohere usage: billed_units (or meta.billed_units) is not an object');
      return {
        ok: true,
        value: { format: 'cohere', meta: { billed_units: units } } as unknown as UsageInput,
      };
    }
  }
}

/** Which providers to price when none is named: each provider of the rows (null: the routed price), once. */
export function providersOf(rows: readonly PriceInForce[]): (string | null)[] {
  const seen = new Map<string, string | null>();
  for (const r of rows) seen.set(r.provider ?? '\u0000', r.provider);
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p);
}

export interface CostItem {
  provider: string | null;
  source: string;
  price_key: string;
  total: string;
  total_source: 'catalog' | 'reported';
  catalog_total: string;
  components: {
    dimension: string;
    count: string;
    rate: string;
    unit: CostComponent['unit'];
    tier: string | null;
    amount: string;
  }[];
  tiers_applied: string[];
  tiers_from: { source: string; price_key: string } | null;
  reported: { cost: string; difference: string; disagrees: boolean } | null;
  price: {
    source: string;
    source_url: string | null;
    observed_at: string;
    effective_from: string;
    event_id: string;
  };
  notes: string[];
  warnings: string[];
}

/** One priced provider of the answer, from the consumer's result and the price row's source URL. */
export function costItemOf(c: CallCostAt, sourceUrl: string | null): CostItem {
  return {
    provider: c.price.provider,
    source: c.price.source_type,
    price_key: c.price.price_key,
    total: c.total,
    total_source: c.source,
    catalog_total: c.catalogTotal,
    components: c.components.map((x) => ({
      dimension: x.component,
      count: x.quantity,
      rate: x.rate,
      unit: x.unit,
      tier: x.tier,
      amount: x.cost,
    })),
    tiers_applied: [...c.tiersApplied],
    tiers_from: c.tiersFrom,
    reported: c.reported,
    price: {
      source: c.price.source_type,
      source_url: sourceUrl,
      observed_at: c.price.observed_at,
      effective_from: c.price.effective_from,
      event_id: c.price.event_id,
    },
    notes: [...c.notes],
    warnings: [...c.warnings],
  };
}

/**
 * Cheapest first by catalog_total, then price_key. The totals are exact decimal strings ≥ 0: compared
 * as decimals without a float (integer part by length then text, then the fraction padded).
 */
export function compareDecimal(a: string, b: string): number {
  const [ai = '0', af = ''] = a.split('.');
  const [bi = '0', bf = ''] = b.split('.');
  const ia = ai.replace(/^0+(?=\d)/, '');
  const ib = bi.replace(/^0+(?=\d)/, '');
  if (ia.length !== ib.length) return ia.length - ib.length;
  if (ia !== ib) return ia < ib ? -1 : 1;
  const n = Math.max(af.length, bf.length);
  const fa = af.padEnd(n, '0');
  const fb = bf.padEnd(n, '0');
  return fa < fb ? -1 : fa > fb ? 1 : 0;
}

export function cheapestFirst(items: readonly CostItem[]): CostItem[] {
  return [...items].sort(
    (x, y) =>
      compareDecimal(x.catalog_total, y.catalog_total) ||
      (x.price_key < y.price_key ? -1 : x.price_key > y.price_key ? 1 : 0),
  );
}
