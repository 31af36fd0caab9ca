import {
  eventId,
  priceKey,
  type NormalizedPrice,
  type PriceComponent,
  type RawPriceObserved,
} from '@llmpt/schemas';
import {
  PRICE_DIMENSIONS,
  TOKEN_DIMENSIONS,
  canonicalValues,
  isPriceDimension,
  type PriceDimension,
  type PriceValues,
} from './state.ts';
import { parsePrice, type ParsedPrice } from './units.ts';

/** A raw dimension meaning one published rate for both input and output tokens. */
export const BLENDED_DIMENSION = 'blended';

const UNAVAILABLE_AT_SOURCE = 'unavailable at source';
const NO_PRICE_PUBLISHED = 'no price published';

/** UTC calendar date (YYYY-MM-DD) of an epoch-millis instant. */
export function utcDate(epochMillis: number): string {
  return new Date(epochMillis).toISOString().slice(0, 10);
}

interface Candidate {
  readonly component: PriceComponent;
  readonly parsed: ParsedPrice;
}

type Outcome = {
  readonly value: string | null;
  readonly notes: readonly string[];
  readonly reasons: string[];
};

function tierLabel(c: PriceComponent): string {
  return c.tier ?? 'base';
}

function describe(c: Candidate): string {
  return c.parsed.status === 'ok' ? c.parsed.amount : `unavailable (${c.parsed.reason})`;
}

/** One column from its candidates: the highest available tier wins, and the notes say why. */
function resolveDimension(dim: PriceDimension, candidates: readonly Candidate[]): Outcome {
  const notes: string[] = [];
  let best: (Candidate & { parsed: Extract<ParsedPrice, { status: 'ok' }> }) | undefined;
  const reasons: string[] = [];
  for (const c of candidates) {
    if (c.parsed.status !== 'ok') {
      reasons.push(c.parsed.reason);
      continue;
    }
    // Strictly greater: on a tie the first listed tier (the base price) is the one named.
    if (!best || c.parsed.value.gt(best.parsed.value)) best = { ...c, parsed: c.parsed };
  }
  if (candidates.length > 1) {
    const all = candidates.map((c) => `${tierLabel(c.component)}=${describe(c)}`).join(', ');
    notes.push(
      best
        ? `${dim}: highest of ${candidates.length} tiers is "${tierLabel(best.component)}" (${all})`
        : `${dim}: no available tier (${all})`,
    );
  }
  if (!best) {
    if (candidates.length === 1) notes.push(`${dim}: unavailable (${reasons[0] ?? ''})`);
    return { value: null, notes, reasons };
  }
  const { parsed, component } = best;
  const tokenColumn = TOKEN_DIMENSIONS.includes(dim);
  if (tokenColumn && parsed.basis === 'per_unit') {
    notes.push(`${dim}: USD ${parsed.unit} as published, not per 1M tokens`);
  } else if (!tokenColumn && parsed.basis === 'per_1m_tokens') {
    notes.push(`${dim}: USD per 1M tokens (published ${parsed.unit}), not per unit`);
  }
  if (parsed.amount === '0.00000000' && !parsed.value.isZero()) {
    notes.push(`${dim}: ${component.raw_value.trim()} ${component.unit} rounds to 0 at scale 8`);
  }
  return { value: parsed.amount, notes, reasons };
}

function otherNote(c: PriceComponent): string {
  const currency = c.currency.trim().toUpperCase() === 'USD' ? '' : ` ${c.currency}`;
  const tier = c.tier === null ? '' : ` [${c.tier}]`;
  return `other: ${c.dimension}=${c.raw_value} ${c.unit}${currency}${tier}`;
}

function unavailableReason(reasons: readonly string[], hadCandidates: boolean): string {
  const unique = [...new Set(reasons)];
  return hadCandidates && unique.length > 0 ? unique.join('; ') : NO_PRICE_PUBLISHED;
}

const NULL_VALUES: PriceValues = {
  prompt: null,
  completion: null,
  internal_reasoning: null,
  input_cache_read: null,
  input_cache_write: null,
  request: null,
  image: null,
  web_search: null,
};

/**
 * A raw observation in exact USD at scale 8: token prices per 1M tokens, the rest per unit; the highest
 * tier per dimension; a blended rate fills prompt and completion; dimensions without a column are kept
 * in `notes`. Deterministic: times come from the observation, and the event id hashes the price key,
 * the UTC day and the normalized content, so the same prices seen again the same day share one id.
 * Throws NormalizeError (UNPARSABLE_PRICE, UNKNOWN_PRICE_UNIT) for poison input.
 */
export function normalize(raw: RawPriceObserved): NormalizedPrice {
  const key = priceKey(raw.model_id, raw.provider, raw.source_type);
  const snapshotDate = utcDate(raw.fetched_at);

  let status = raw.status;
  let reason: string | null = null;
  let values: PriceValues = NULL_VALUES;
  const notes: string[] = [];

  if (raw.status === 'unavailable') {
    reason = raw.unavailable_reason ?? UNAVAILABLE_AT_SOURCE;
  } else {
    const byDimension = new Map<PriceDimension, Candidate[]>();
    const blended: Candidate[] = [];
    const others: string[] = [];
    for (const component of raw.components) {
      const { dimension } = component;
      if (isPriceDimension(dimension) || dimension === BLENDED_DIMENSION) {
        const candidate = {
          component,
          parsed: parsePrice(component.raw_value, component.unit, component.currency),
        };
        if (dimension === BLENDED_DIMENSION) blended.push(candidate);
        else byDimension.set(dimension, [...(byDimension.get(dimension) ?? []), candidate]);
      } else {
        others.push(otherNote(component));
      }
    }
    if (blended.length > 0) {
      // An explicit prompt or completion price is more specific than a single rate.
      const filled = (['prompt', 'completion'] as const).filter((d) => !byDimension.has(d));
      for (const d of filled) byDimension.set(d, blended);
      notes.push(
        filled.length > 0
          ? `${filled.join(' and ')} from a single blended rate`
          : 'blended rate ignored: prompt and completion published separately',
      );
    }
    const resolved: Record<string, string | null> = {};
    const reasons: string[] = [];
    for (const dim of PRICE_DIMENSIONS) {
      const candidates = byDimension.get(dim) ?? [];
      const outcome = resolveDimension(dim, candidates);
      resolved[dim] = outcome.value;
      reasons.push(...outcome.reasons);
      notes.push(...outcome.notes);
    }
    notes.push(...others);
    values = resolved as Record<PriceDimension, string | null>;
    if (PRICE_DIMENSIONS.every((d) => values[d] === null)) {
      status = 'unavailable';
      reason = unavailableReason(reasons, byDimension.size > 0);
      values = NULL_VALUES;
    }
  }

  const currency = 'USD';
  const content = JSON.stringify([status, reason, currency, canonicalValues(values), notes]);
  return {
    event_id: eventId('NormalizedPrice', key, snapshotDate, content),
    run_id: raw.run_id,
    caused_by: raw.event_id,
    occurred_at: raw.fetched_at,
    price_key: key,
    model_id: raw.model_id,
    provider: raw.provider,
    source_type: raw.source_type,
    source_url: raw.source_url,
    snapshot_date: snapshotDate,
    observed_at: raw.fetched_at,
    status,
    unavailable_reason: reason,
    currency,
    ...values,
    notes,
  };
}
