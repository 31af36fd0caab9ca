// The e2e tests' own reading of OpenRouter files: what the pipeline should publish, computed by the
// independent oracle (../oracle: docs/price-model.md read with decimal.js from the published strings,
// nothing of the services' code), so a bug shared by the normalizer and its unit tests still shows up
// end to end.
import { readFileSync } from 'node:fs';
import { DIMENSION_NAMES, type Dimension } from '@llmpt/schemas';
import {
  entryId,
  expirationsOf,
  pricedEntries,
  PriceRules,
  routedKey,
  type EventKind,
  type RuleOptions,
  type SlotChangeKind,
  D,
  observationOf,
  publishedText,
  routedPublished,
  slotId,
  slotOf,
  variantLabel,
  type PublishedObservation,
} from '@llmpt/testkit/oracle';
import { isRecord } from '@llmpt/core';

/** Every registered dimension: the money columns of price_observations, in registry order. */
export const DIMENSIONS = DIMENSION_NAMES;
export type { Dimension };
/** The seed's columns: the highest value per dimension over the base and every tier. */
export type Prices = Readonly<Record<Dimension, string | null>>;

export interface ExpectedObservation {
  readonly status: 'ok' | 'unavailable';
  readonly values: Prices;
  /** `slotLabel(tier, dimension)` → amount at scale 8: the base and every tier's own prices. */
  readonly slots: Readonly<Record<string, string>>;
}

export interface ExpectedDimensionChange {
  readonly dimension: string;
  readonly tier: string | null;
  readonly change: SlotChangeKind | null;
  readonly previous: string | null;
  readonly current: string | null;
  readonly relative_change: string | null;
}

export interface ExpectedChange {
  readonly price_key: string;
  readonly kind: EventKind;
  readonly changes: readonly ExpectedDimensionChange[];
  readonly alert: boolean;
  readonly expiration_date: string | null;
}

/** How a slot is named in ExpectedObservation.slots: "base: prompt", "prompt_tokens>=200000: prompt". */
export const slotLabel = (tier: string | null, dimension: string): string =>
  `${tier ?? 'base'}: ${dimension}`;

function expectedOf(obs: PublishedObservation): ExpectedObservation {
  const values = Object.fromEntries(DIMENSIONS.map((d) => [d, null])) as Record<Dimension, string | null>;
  const slots: Record<string, string> = {};
  for (const [id, amount] of obs.slots) {
    const { tier, dimension } = slotOf(id);
    slots[slotLabel(tier, dimension)] = amount;
    const best = values[dimension];
    if (best === null || new D(amount).gt(best)) values[dimension] = amount;
  }
  return { status: obs.available ? 'ok' : 'unavailable', values, slots };
}

function publishedOf(o: ExpectedObservation): PublishedObservation {
  const slots = new Map<string, string>();
  for (const [label, amount] of Object.entries(o.slots)) {
    const at = label.lastIndexOf(': ');
    const tier = label.slice(0, at);
    slots.set(slotId(tier === 'base' ? null : tier, label.slice(at + 2) as Dimension), amount);
  }
  return { slots, unregistered: [], available: o.status === 'ok' };
}

/** A `/models` entry's routed price: `pricing` is the base, each `overrides[]` entry a tier. */
export function expectedRoutedPrice(
  pricing: Record<string, unknown>,
  entry: Record<string, unknown> = {},
): ExpectedObservation {
  return expectedOf(observationOf(routedPublished({ ...entry, pricing })));
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

export { routedKey };
export const endpointKey = (modelId: string, provider: string): string =>
  `${modelId}|${provider}|openrouter_endpoints`;

/** Price key → expected routed observation for every priced model of a `/models` file (first per id). */
export function expectedRoutedDay(models: readonly unknown[]): Map<string, ExpectedObservation> {
  const out = new Map<string, ExpectedObservation>();
  for (const [id, e] of pricedEntries(models))
    out.set(routedKey(id), expectedRoutedPrice(e.pricing as Record<string, unknown>, e));
  return out;
}

/** What one complete `/models` listing says for the lifecycle rules: the ids and the expirations. */
export interface ExpectedCatalog {
  readonly modelIds: ReadonlySet<string>;
  readonly expirations: ReadonlyMap<string, string>;
}

export function catalogOf(models: readonly unknown[]): ExpectedCatalog {
  return {
    modelIds: new Set(models.map(entryId).filter((id): id is string => id !== null)),
    expirations: expirationsOf(pricedEntries(models)),
  };
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
 * Names of a provider's several endpoints as variants (docs §2: a quantization usage cannot select):
 * the quantizations when they tell them apart, else the tags, else a position.
 */
function variantNames(group: readonly Record<string, unknown>[], provider: string): string[] {
  const distinct = (names: (string | null)[]): names is string[] =>
    names.every((n) => n !== null) && new Set(names).size === names.length;
  const quant = group.map((e) =>
    typeof e.quantization === 'string' && e.quantization !== '' && e.quantization !== 'unknown'
      ? e.quantization
      : null,
  );
  if (distinct(quant)) return quant;
  const tags = group.map((e) => (typeof e.tag === 'string' && e.tag !== '' ? e.tag : null));
  if (distinct(tags)) return tags;
  return group.map((e, i) => `${typeof e.tag === 'string' ? e.tag : provider}#${i + 1}`);
}

/**
 * Price key → expected endpoint observation for one model's `endpoints[]`: one per provider; a
 * provider's single endpoint is its base, several are `variant=<quantization>` tiers with no base.
 */
export function expectedEndpoints(
  modelId: string,
  endpoints: readonly unknown[],
): Map<string, ExpectedObservation> {
  const byProvider = new Map<string, Record<string, unknown>[]>();
  for (const e of endpoints) {
    if (!isRecord(e) || !isRecord(e.pricing)) continue;
    if (publishedText(e.pricing.prompt) === null || publishedText(e.pricing.completion) === null) continue;
    const provider = providerOf(e);
    if (provider === null) continue;
    byProvider.set(provider, [...(byProvider.get(provider) ?? []), e]);
  }
  const out = new Map<string, ExpectedObservation>();
  for (const [provider, group] of byProvider) {
    const prices = group.map((e) => e.pricing as Record<string, unknown>);
    const names = variantNames(group, provider);
    const published =
      group.length === 1
        ? { base: prices[0]!, tiers: [], speech: false }
        : {
            base: null,
            tiers: prices.map((p, i) => ({ label: variantLabel(names[i]!), prices: p })),
            speech: false,
          };
    out.set(endpointKey(modelId, provider), expectedOf(observationOf(published)));
  }
  return out;
}

/** The oracle's memory across days: last known values, absences, removals, expirations. */
export class ExpectedState {
  readonly rules: PriceRules;
  day = 0;
  /** The UTC day of run `i`: every run of an e2e test happens on the day the test runs (rule 9). */
  readonly utcDayOf: (run: number) => string;
  constructor(opts: RuleOptions & { readonly utcDayOf?: (run: number) => string } = {}) {
    this.rules = new PriceRules(opts);
    this.utcDayOf = opts.utcDayOf ?? (() => 'the test day');
  }
}

const modelOfKey = (key: string): string => key.split('|')[0]!;

/**
 * The PriceChanged events one run should produce (docs/price-model.md §3), given the state of the
 * runs before (updated in place): with `catalog` (a complete run's listing), model removals and
 * expirations first; then per observation: `new` for a first price, per-slot `new`, `changed`,
 * `removed` (2 absences) and `returned` entries; a blink, an unavailable price or the same value at
 * scale 8 publishes nothing. Alerts per rule 7 only.
 */
export function expectedChanges(
  state: ExpectedState,
  day: ReadonlyMap<string, ExpectedObservation>,
  catalog?: ExpectedCatalog,
): ExpectedChange[] {
  const i = state.day++;
  const events = catalog
    ? state.rules.snapshot(i, catalog.modelIds, catalog.expirations, (m) => [routedKey(m)], modelOfKey)
    : [];
  for (const [key, obs] of day) {
    const e = state.rules.observe(i, key, modelOfKey(key), publishedOf(obs), i, state.utcDayOf(i));
    if (e) events.push(e);
  }
  return events
    .map((e) => ({
      price_key: e.price_key,
      kind: e.kind,
      changes: e.changes
        .map((c) => ({
          dimension: c.dimension,
          tier: c.tier,
          change: c.change,
          previous: c.previous,
          current: c.current,
          relative_change: c.relative_change,
        }))
        .sort(bySlot),
      alert: e.alert,
      expiration_date: e.expiration_date,
    }))
    .sort(byKeyAndKind);
}

/** Entries in a stable order (tier, then dimension): an event's order of entries carries no meaning. */
export function bySlot(x: ExpectedDimensionChange, y: ExpectedDimensionChange): number {
  return (x.tier ?? '').localeCompare(y.tier ?? '') || x.dimension.localeCompare(y.dimension);
}

export function byKeyAndKind(x: ExpectedChange, y: ExpectedChange): number {
  return x.price_key.localeCompare(y.price_key) || x.kind.localeCompare(y.kind);
}
