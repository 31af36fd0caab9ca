import { readFileSync } from 'node:fs';
import { sharedData } from '@llmpt/core/paths';
import {
  conditionsOfOverride,
  eventId,
  priceKey,
  tierLabel,
  type PriceComponent,
  type RawPriceObserved,
  type SourceType,
} from '@llmpt/schemas';

/** 2026-03-03T06:00:00Z: a fixed fetch time for tests that do not care which. */
export const T0 = Date.UTC(2026, 2, 3, 6, 0, 0);
export const DAY = 86_400_000;

export function component(
  dimension: string,
  raw_value: string,
  unit = 'per_token',
  extra: { currency?: string; tier?: string | null } = {},
): PriceComponent {
  return { dimension, raw_value, unit, currency: extra.currency ?? 'USD', tier: extra.tier ?? null };
}

export interface RawOptions {
  readonly model_id?: string;
  readonly provider?: string | null;
  readonly source_type?: SourceType;
  readonly fetched_at?: number;
  readonly run_id?: string;
  /** The observation comes from a backfill run (RawPriceObserved.backfill). */
  readonly backfill?: boolean;
  readonly status?: 'ok' | 'unavailable';
  readonly unavailable_reason?: string | null;
  /** Components as given; `prices` adds per-token components for a dimension → raw value map. */
  readonly components?: readonly PriceComponent[];
  readonly prices?: Readonly<Record<string, string>>;
}

/** A RawPriceObserved as the scraper would emit it, with a deterministic event id. */
export function rawPrice(opts: RawOptions = {}): RawPriceObserved {
  const model_id = opts.model_id ?? 'anthropic/claude-sonnet-4';
  const provider = opts.provider ?? null;
  const source_type = opts.source_type ?? 'openrouter_api';
  const fetched_at = opts.fetched_at ?? T0;
  const components = [
    ...(opts.components ?? []),
    ...Object.entries(opts.prices ?? {}).map(([d, v]) => component(d, v)),
  ];
  const key = priceKey(model_id, provider, source_type);
  return {
    event_id: eventId('RawPriceObserved', key, fetched_at, JSON.stringify(components)),
    run_id: opts.run_id ?? `run-${new Date(fetched_at).toISOString().slice(0, 10)}`,
    caused_by: null,
    occurred_at: fetched_at,
    backfill: opts.backfill ?? false,
    model_id,
    provider,
    provider_name: null,
    source_type,
    source_url: 'https://openrouter.ai/api/v1/models',
    fetched_at,
    content_hash: 'ab'.repeat(32),
    status: opts.status ?? 'ok',
    unavailable_reason: opts.unavailable_reason ?? null,
    components,
    endpoint: null,
  };
}

const PER_UNIT: Readonly<Record<string, string>> = {
  request: 'per_request',
  web_search: 'per_web_search',
};

type Pricing = Record<string, unknown>;

/**
 * The components the scraper makes of an OpenRouter `pricing` object: scalar keys per token (request
 * and web search per unit, `image` per the caller: per image in 2025, per token in 2026), and each
 * `overrides[]` entry as a tier labelled by its conditions in the v2 grammar (`prompt_tokens>=N`,
 * `utc HH:MM-HH:MM`).
 */
export function openRouterComponents(
  pricing: Pricing,
  imageUnit: 'per_image' | 'per_token',
): PriceComponent[] {
  const unitOf = (key: string): string => (key === 'image' ? imageUnit : (PER_UNIT[key] ?? 'per_token'));
  const out: PriceComponent[] = [];
  for (const [key, value] of Object.entries(pricing)) {
    if (typeof value === 'string') out.push(component(key, value, unitOf(key)));
  }
  const overrides = Array.isArray(pricing.overrides) ? (pricing.overrides as Pricing[]) : [];
  for (const override of overrides) {
    const conditions = Object.entries(override).filter(([, v]) => typeof v === 'number');
    const tier = tierLabel(
      conditionsOfOverride(Object.fromEntries(conditions.map(([k, v]) => [k, String(v)]))),
    );
    for (const [key, value] of Object.entries(override)) {
      if (typeof value === 'string') out.push(component(key, value, unitOf(key), { tier }));
    }
  }
  return out;
}

interface ModelEntry {
  readonly id: string;
  readonly pricing: Pricing;
}

/** The model entries of a recorded /models snapshot (a bare data array or a `{ data }` response). */
export function loadModels(file: string): readonly ModelEntry[] {
  const json = JSON.parse(readFileSync(sharedData('openrouter', 'models', file), 'utf8')) as unknown;
  const data = Array.isArray(json) ? json : (json as { data: unknown }).data;
  return data as ModelEntry[];
}

/** The routed-price observation of one model in a recorded snapshot. */
export function observedIn(
  file: string,
  modelId: string,
  fetchedAt: number,
  imageUnit: 'per_image' | 'per_token' = 'per_token',
): RawPriceObserved {
  const entry = loadModels(file).find((m) => m.id === modelId);
  if (!entry) throw new Error(`${modelId} not in ${file}`);
  return rawPrice({
    model_id: modelId,
    fetched_at: fetchedAt,
    components: openRouterComponents(entry.pricing, imageUnit),
  });
}
