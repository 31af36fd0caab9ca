import {
  DIMENSION_NAMES,
  TierLabelError,
  dimensionOfKey,
  dimensionSpec,
  emptyDimensionValues,
  eventId,
  parseTierLabel,
  priceKey,
  tierLabel,
  type Dimension,
  type DimensionBasis,
  type DimensionPrice,
  type DimensionValues,
  type NormalizedPrice,
  type PriceComponent,
  type PriceTier,
  type RawPriceObserved,
  type TierConditions,
  type UnregisteredComponent,
} from '@llmpt/schemas';
import { NormalizeError } from '../errors.ts';
import { Dec, basisOfUnit, parsePrice, type ParsedPrice } from './units.ts';

/** A raw dimension meaning one published rate for both input and output tokens. */
export const BLENDED_DIMENSION = 'blended';

const UNAVAILABLE_AT_SOURCE = 'unavailable at source';
const NO_PRICE_PUBLISHED = 'no price published';
const BASE = 'base';

/** UTC calendar date (YYYY-MM-DD) of an epoch-millis instant. */
export function utcDate(epochMillis: number): string {
  return new Date(epochMillis).toISOString().slice(0, 10);
}

type Available = Extract<ParsedPrice, { status: 'ok' }>;

interface Candidate {
  readonly component: PriceComponent;
  readonly parsed: ParsedPrice;
}

/** The published components of the base price or of one tier, by the dimension they feed. */
interface Group {
  /** null: the base price. */
  readonly conditions: TierConditions | null;
  readonly label: string | null;
  readonly byDimension: Map<Dimension, Candidate[]>;
  readonly blended: Candidate[];
}

const BASES: readonly DimensionBasis[] = ['per_1m_tokens', 'per_unit', 'ratio'];

/** Whether the registry knows a key in any basis (so an unknown unit on it is poison, not a new key). */
function isRegisteredKey(key: string): boolean {
  return BASES.some((b) => dimensionOfKey(key, b) !== null);
}

/** The canonical label of a raw tier label: v1 and v2 spellings of the same conditions print the same. */
function canonicalTier(raw: string): { conditions: TierConditions; label: string } {
  try {
    const conditions = parseTierLabel(raw);
    return { conditions, label: tierLabel(conditions) };
  } catch (err) {
    if (err instanceof TierLabelError) throw new NormalizeError('INVALID_TIER', err.message, err);
    throw err;
  }
}

function unregisteredOf(c: PriceComponent): UnregisteredComponent {
  return { key: c.dimension, raw_value: c.raw_value, unit: c.unit, currency: c.currency, tier: c.tier };
}

/** Components split into base and tiers (in the order first seen), registered or kept raw. */
function groupComponents(components: readonly PriceComponent[]): {
  groups: Group[];
  unregistered: UnregisteredComponent[];
} {
  const groups = new Map<string, Group>();
  const unregistered: UnregisteredComponent[] = [];
  const groupOf = (tier: string | null): Group => {
    const tiered = tier === null ? null : canonicalTier(tier);
    const id = tiered?.label ?? BASE;
    let g = groups.get(id);
    if (!g) {
      g = {
        conditions: tiered?.conditions ?? null,
        label: tiered?.label ?? null,
        byDimension: new Map(),
        blended: [],
      };
      groups.set(id, g);
    }
    return g;
  };
  for (const component of components) {
    const key = component.dimension;
    const basis = basisOfUnit(component.unit);
    if (key === BLENDED_DIMENSION) {
      groupOf(component.tier).blended.push({ component, parsed: parse(component) });
      continue;
    }
    const dimension = basis === null ? null : dimensionOfKey(key, basis);
    if (dimension === null) {
      // parsePrice names the unknown unit of a key the registry knows; an unknown key is kept as published.
      if (basis === null && isRegisteredKey(key)) parse(component);
      unregistered.push(unregisteredOf(component));
      continue;
    }
    const group = groupOf(component.tier);
    group.byDimension.set(dimension, [
      ...(group.byDimension.get(dimension) ?? []),
      { component, parsed: parse(component) },
    ]);
  }
  // The base first, whatever order the source listed it in: a tier inherits from it.
  const base = groups.get(BASE);
  const ordered = [...groups.values()].filter((g) => g !== base);
  return { groups: base ? [base, ...ordered] : ordered, unregistered };
}

function parse(c: PriceComponent): ParsedPrice {
  return parsePrice(c.raw_value, c.unit, c.currency);
}

/** A single blended rate fills prompt and completion where the group publishes neither. */
function applyBlended(group: Group, notes: string[]): void {
  if (group.blended.length === 0) return;
  const filled = (['prompt', 'completion'] as const).filter((d) => !group.byDimension.has(d));
  for (const d of filled) group.byDimension.set(d, group.blended);
  const where = group.label === null ? '' : ` [${group.label}]`;
  notes.push(
    filled.length > 0
      ? `${filled.join(' and ')} from a single blended rate${where}`
      : `blended rate ignored: prompt and completion published separately${where}`,
  );
}

function describe(c: Candidate): string {
  return c.parsed.status === 'ok' ? c.parsed.amount : `unavailable (${c.parsed.reason})`;
}

/** The highest available candidate (the first listed on a tie). */
function highest(candidates: readonly Candidate[]): (Candidate & { parsed: Available }) | undefined {
  let best: (Candidate & { parsed: Available }) | undefined;
  for (const c of candidates) {
    if (c.parsed.status === 'ok' && (!best || c.parsed.value.gt(best.parsed.value)))
      best = { ...c, parsed: c.parsed };
  }
  return best;
}

/** What a human should know about the unit of a published value: a basis that is not the dimension's, a rounding to 0. */
function unitNotes(slot: string, dim: Dimension, best: Candidate & { parsed: Available }): string[] {
  const { parsed, component } = best;
  const notes: string[] = [];
  const spec = dimensionSpec(dim);
  if (spec.basis !== parsed.basis) {
    notes.push(
      spec.basis === 'per_1m_tokens'
        ? `${slot}: USD ${parsed.unit} as published, not per 1M tokens`
        : `${slot}: ${parsed.unit} as published, not ${spec.basis === 'ratio' ? 'a ratio' : 'per unit'}`,
    );
  }
  if (parsed.amount === '0.00000000' && !parsed.value.isZero())
    notes.push(`${slot}: ${component.raw_value.trim()} ${component.unit} rounds to 0 at scale 8`);
  return notes;
}

/** The prices of one group, in registry order; notes and the reasons of what was unavailable. */
function resolveGroup(group: Group, notes: string[], reasons: string[]): DimensionPrice[] {
  const prices: DimensionPrice[] = [];
  for (const dim of DIMENSION_NAMES) {
    const candidates = group.byDimension.get(dim);
    if (!candidates) continue;
    const slot = group.label === null ? dim : `${dim} [${group.label}]`;
    const best = highest(candidates);
    for (const c of candidates) if (c.parsed.status !== 'ok') reasons.push(c.parsed.reason);
    if (candidates.length > 1)
      notes.push(
        `${slot}: highest of ${candidates.length} published values (${candidates.map(describe).join(', ')})`,
      );
    else if (!best) notes.push(`${slot}: ${describe(candidates[0]!)}`);
    if (!best) continue;
    notes.push(...unitNotes(slot, dim, best));
    prices.push({ dimension: dim, amount: best.parsed.amount });
  }
  return prices;
}

function tierOf(conditions: TierConditions, label: string, prices: DimensionPrice[]): PriceTier {
  return {
    label,
    prompt_tokens_gte: conditions.prompt_tokens_gte,
    prompt_tokens_gt: conditions.prompt_tokens_gt,
    utc_start: conditions.utc_start,
    utc_end: conditions.utc_end,
    variant: conditions.variant,
    other: [...conditions.other],
    prices,
  };
}

/** The seed's columns: per dimension the highest value over the base and every tier. */
function columnsOf(base: readonly DimensionPrice[], tiers: readonly PriceTier[], notes: string[]) {
  const columns = emptyDimensionValues();
  const sources = new Map<Dimension, string[]>();
  const consider = (where: string, prices: readonly DimensionPrice[]) => {
    for (const p of prices) {
      const dim = p.dimension as Dimension;
      sources.set(dim, [...(sources.get(dim) ?? []), `${where}=${p.amount}`]);
      const held = columns[dim];
      // Strictly greater: on a tie the base (listed first) is the one named.
      if (held === null || new Dec(p.amount).gt(held)) columns[dim] = p.amount;
    }
  };
  consider(BASE, base);
  for (const t of tiers) consider(t.label, t.prices);
  for (const dim of DIMENSION_NAMES) {
    const all = sources.get(dim);
    if (all && all.length > 1)
      notes.push(`${dim}: highest of ${all.length} is ${columns[dim]} (${all.join(', ')})`);
  }
  return columns;
}

function unregisteredNote(c: UnregisteredComponent): string {
  const currency = c.currency.trim().toUpperCase() === 'USD' ? '' : ` ${c.currency}`;
  const tier = c.tier === null ? '' : ` [${c.tier}]`;
  return `unregistered: ${c.key}=${c.raw_value} ${c.unit}${currency}${tier}`;
}

function unavailableReason(reasons: readonly string[]): string {
  const unique = [...new Set(reasons)];
  return unique.length > 0 ? unique.join('; ') : NO_PRICE_PUBLISHED;
}

interface Content {
  readonly status: NormalizedPrice['status'];
  readonly unavailable_reason: string | null;
  readonly currency: string;
  readonly columns: DimensionValues;
  readonly base: readonly DimensionPrice[];
  readonly tiers: readonly PriceTier[];
  readonly unregistered: readonly UnregisteredComponent[];
  readonly notes: readonly string[];
}

/**
 * The id of an observation's content on its day: the full normalized content (columns, base, tiers,
 * unregistered keys), so the same prices seen again the same day are the same fact.
 */
export function contentIdOf(np: NormalizedPrice): string {
  let id = contentIds.get(np);
  if (id === undefined) {
    id = contentIdOfFields(np);
    contentIds.set(np, id);
  }
  return id;
}

/**
 * Content ids by event object: `normalize` knows it (its event id), and `decide` and the identity within
 * the day ask for it again; events are never mutated (a new identity is a copy, `withEventId`).
 */
const contentIds = new WeakMap<NormalizedPrice, string>();

/** The event under another id (the identity within its day, changes.ts), the same content. */
export function withEventId(np: NormalizedPrice, event_id: string): NormalizedPrice {
  const copy = { ...np, event_id };
  contentIds.set(copy, contentIdOf(np));
  return copy;
}

function contentIdOfFields(np: NormalizedPrice): string {
  return contentId(np.price_key, np.snapshot_date, {
    status: np.status,
    unavailable_reason: np.unavailable_reason,
    currency: np.currency,
    columns: np,
    base: np.base,
    tiers: np.tiers,
    unregistered: np.unregistered,
    notes: np.notes,
  });
}

function contentId(key: string, day: string, c: Content): string {
  const content = JSON.stringify([
    c.status,
    c.unavailable_reason,
    c.currency,
    DIMENSION_NAMES.map((d) => c.columns[d]),
    c.base.map((p) => [p.dimension, p.amount]),
    c.tiers.map((t) => [t.label, t.prices.map((p) => [p.dimension, p.amount])]),
    c.unregistered.map((u) => [u.key, u.raw_value, u.unit, u.currency, u.tier]),
    c.notes,
  ]);
  return eventId('NormalizedPrice', key, day, content);
}

/** The priced content of an available raw observation, or why it has none. */
function normalizeComponents(components: readonly PriceComponent[]): Omit<Content, 'currency'> {
  const notes: string[] = [];
  const reasons: string[] = [];
  const { groups, unregistered } = groupComponents(components);
  let base: DimensionPrice[] = [];
  const tiers: PriceTier[] = [];
  for (const g of groups) {
    applyBlended(g, notes);
    const prices = resolveGroup(g, notes, reasons);
    if (g.label === null || g.conditions === null) base = prices;
    else if (prices.length > 0) tiers.push(tierOf(g.conditions, g.label, prices));
  }
  const columns = columnsOf(base, tiers, notes);
  notes.push(...unregistered.map(unregisteredNote));
  if (DIMENSION_NAMES.every((d) => columns[d] === null)) {
    return {
      status: 'unavailable',
      unavailable_reason: unavailableReason(reasons),
      columns,
      base: [],
      tiers: [],
      unregistered,
      notes,
    };
  }
  return { status: 'ok', unavailable_reason: null, columns, base, tiers, unregistered, notes };
}

/**
 * A raw observation in exact USD at scale 8 (docs/price-model.md §1–2): each component mapped to its
 * registered dimension (token prices per 1M tokens, the rest per unit, a discount as a fraction); the
 * components without a tier are the base, the others are tiers by canonical label in the order first
 * seen; each column holds the highest value over base and tiers; a blended rate fills prompt and
 * completion; a key the registry does not know is kept raw in `unregistered`. Deterministic: times
 * come from the observation, and the event id hashes the price key, the UTC day and the content.
 * Throws NormalizeError (UNPARSABLE_PRICE, UNKNOWN_PRICE_UNIT, INVALID_TIER) for poison input.
 */
export function normalize(raw: RawPriceObserved): NormalizedPrice {
  const key = priceKey(raw.model_id, raw.provider, raw.source_type);
  const snapshotDate = utcDate(raw.fetched_at);
  const content: Content =
    raw.status === 'unavailable'
      ? {
          status: 'unavailable',
          unavailable_reason: raw.unavailable_reason ?? UNAVAILABLE_AT_SOURCE,
          currency: 'USD',
          columns: emptyDimensionValues(),
          base: [],
          tiers: [],
          unregistered: [],
          notes: [],
        }
      : { ...normalizeComponents(raw.components), currency: 'USD' };
  const id = contentId(key, snapshotDate, content);
  const normalized: NormalizedPrice = {
    event_id: id,
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
    status: content.status,
    unavailable_reason: content.unavailable_reason,
    currency: content.currency,
    ...content.columns,
    notes: content.notes,
    base: content.base,
    tiers: content.tiers,
    unregistered: content.unregistered,
    // Provenance: the fetched bytes' hash as the raw observation carries it. An unavailable
    // observation that fetched nothing carries '' (scraper core/unavailable.ts): no bytes, no hash.
    content_hash: raw.content_hash === '' ? null : raw.content_hash,
    // How it was learned, not what it says: outside the event id and the content (contentIdOf).
    backfill: raw.backfill,
  };
  contentIds.set(normalized, id);
  return normalized;
}
