import { isRecord } from '@llmpt/core';
import { contentHash, eventId } from '@llmpt/schemas';
import type { Architecture, ModelDiscovered, PricingTier, TopProvider } from '@llmpt/schemas';
import { z } from 'zod';
import type { Blocklist } from './blocklist.ts';
import { DiscoveryError } from '../errors.ts';

export interface ModelsList {
  readonly entries: readonly unknown[];
  /** `total_count` of the mid-2026 envelope; null when the response does not say. */
  readonly totalCount: number | null;
}

/**
 * Accepts the `{data:[...]}` envelope (with or without the mid-2026 `total_count`/`links`) and a
 * bare top-level array (what people who store `jq '.data'` get). Anything else is not a models list.
 */
export function parseModelsResponse(body: unknown): ModelsList {
  if (Array.isArray(body)) return { entries: body, totalCount: null };
  if (isRecord(body) && Array.isArray(body.data)) {
    const total = body.total_count;
    return {
      entries: body.data as unknown[],
      totalCount: typeof total === 'number' && Number.isInteger(total) ? total : null,
    };
  }
  throw new DiscoveryError('NOT_A_MODELS_LIST', `expected {data:[...]} or an array, got ${describe(body)}`);
}

export interface DiscoverContext {
  readonly runId: string;
  readonly fetchedAt: number;
  readonly sourceUrl: string;
  readonly blocklist: Blocklist;
  /** true when the events come from a dated archive (the backfill command); default false. */
  readonly backfill?: boolean;
}

export type RejectCode = 'INVALID_ENTRY' | 'DUPLICATE_ID';

export interface RejectedEntry {
  readonly entry: unknown;
  readonly index: number;
  readonly reason: string;
  readonly code: RejectCode;
}

export interface DiscoveryResult {
  readonly events: ModelDiscovered[];
  readonly rejected: RejectedEntry[];
  /** Ids dropped by the blocklist (not an error: they never enter the catalog). */
  readonly blocked: string[];
  /**
   * Every id the response listed, blocked ones excluded, in response order and unique. A rejected
   * entry with a readable id counts: its model is still in the catalog, only its entry is unreadable.
   */
  readonly listed: string[];
}

// Only what every consumer relies on is required; everything else is read leniently below, because
// OpenRouter adds, drops and re-types fields over time (docs/data-sources.md §3); a model must not be lost
// for a cosmetic field.
const entrySchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  pricing: z.looseObject({ prompt: z.string(), completion: z.string() }),
});

/** Maps one `/models` response's entries to ModelDiscovered events (pure: clock and ids come in). */
export function discoverModels(entries: readonly unknown[], ctx: DiscoverContext): DiscoveryResult {
  const events: ModelDiscovered[] = [];
  const rejected: RejectedEntry[] = [];
  const blocked: string[] = [];
  const listed = new Set<string>();
  const seen = new Set<string>();
  const day = utcDate(ctx.fetchedAt);

  entries.forEach((entry, index) => {
    const readableId = isRecord(entry) && typeof entry.id === 'string' && entry.id !== '' ? entry.id : null;
    if (readableId !== null && !ctx.blocklist.isBlocked(readableId)) listed.add(readableId);
    const parsed = entrySchema.safeParse(entry);
    if (!parsed.success) {
      rejected.push({ entry, index, code: 'INVALID_ENTRY', reason: zodReason(parsed.error) });
      return;
    }
    const id = parsed.data.id;
    if (seen.has(id)) {
      rejected.push({
        entry,
        index,
        code: 'DUPLICATE_ID',
        reason: `duplicate id ${id} in one response: the first entry was kept`,
      });
      return;
    }
    seen.add(id);
    if (ctx.blocklist.isBlocked(id)) {
      blocked.push(id);
      return;
    }
    events.push(toEvent(entry as Record<string, unknown>, id, parsed.data.name, ctx, day));
  });
  return { events, rejected, blocked, listed: [...listed] };
}

function toEvent(
  entry: Record<string, unknown>,
  modelId: string,
  name: string,
  ctx: DiscoverContext,
  day: string,
): ModelDiscovered {
  const hash = contentHash(canonicalJson(entry));
  const { pricing, tiers } = splitPricing(entry.pricing as Record<string, unknown>);
  return {
    // The day is part of the id: a same-day re-run is a no-op downstream, while the next day's
    // identical listing is a new fact (the sink moves last_seen_at with it).
    event_id: eventId('ModelDiscovered', modelId, hash, day),
    run_id: ctx.runId,
    caused_by: null,
    occurred_at: ctx.fetchedAt,
    model_id: modelId,
    canonical_slug: str(entry.canonical_slug),
    name,
    description: str(entry.description),
    created: secondsToMillis(entry.created),
    context_length: nonNegativeInt(entry.context_length),
    architecture: architecture(entry.architecture),
    supported_parameters: strings(entry.supported_parameters) ?? [],
    top_provider: topProvider(entry.top_provider),
    pricing,
    pricing_tiers: tiers,
    expiration_date: str(entry.expiration_date),
    raw_entry: JSON.stringify(entry),
    source_url: ctx.sourceUrl,
    fetched_at: ctx.fetchedAt,
    content_hash: hash,
    backfill: ctx.backfill ?? false,
  };
}

// Keys of an override that say WHEN it applies rather than what it costs: `min_prompt_tokens`
// (context tiers) and `utc_start`/`utc_end` (time-of-day windows) today; `max_*` and other `utc_*`
// are claimed too so a future condition is not mistaken for a price.
const CONDITION_KEY = /^(min_|max_|utc_)/;

/**
 * Splits `pricing` into the scalar map (strings as published; numbers as their JSON text) and the
 * `overrides` list as tiers. Other non-scalar values are left out of the map but stay in raw_entry.
 */
export function splitPricing(raw: Record<string, unknown>): {
  pricing: Record<string, string>;
  tiers: PricingTier[];
} {
  const pricing: Record<string, string> = {};
  let tiers: PricingTier[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'overrides') {
      tiers = Array.isArray(value) ? value.filter(isRecord).map(toTier) : [];
      continue;
    }
    const scalar = scalarText(value);
    if (scalar !== null) pricing[key] = scalar;
  }
  return { pricing, tiers };
}

function toTier(override: Record<string, unknown>): PricingTier {
  const conditions: Record<string, string> = {};
  const pricing: Record<string, string> = {};
  for (const [key, value] of Object.entries(override)) {
    const text = scalarText(value) ?? JSON.stringify(value);
    if (CONDITION_KEY.test(key)) conditions[key] = text;
    else if (scalarText(value) !== null) pricing[key] = text;
  }
  return { conditions, pricing };
}

function scalarText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return JSON.stringify(value);
  if (typeof value === 'boolean') return String(value);
  return null;
}

function architecture(value: unknown): Architecture | null {
  if (!isRecord(value)) return null;
  return {
    modality: str(value.modality),
    input_modalities: strings(value.input_modalities) ?? [],
    output_modalities: strings(value.output_modalities) ?? [],
    tokenizer: str(value.tokenizer),
    instruct_type: str(value.instruct_type),
  };
}

function topProvider(value: unknown): TopProvider | null {
  if (!isRecord(value)) return null;
  return {
    context_length: nonNegativeInt(value.context_length),
    max_completion_tokens: nonNegativeInt(value.max_completion_tokens),
    is_moderated: typeof value.is_moderated === 'boolean' ? value.is_moderated : null,
  };
}

/** UTC calendar date (YYYY-MM-DD) of an epoch-millis instant. */
export function utcDate(epochMillis: number): string {
  return new Date(epochMillis).toISOString().slice(0, 10);
}

/**
 * JSON with object keys sorted at every level, so the same entry hashes the same whatever key order
 * the API used that day (only the content counts).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
    return out;
  }
  return value;
}

// Avro longs travel as JS numbers: past 2^53 they are no longer exact and the codec refuses them, so
// an out-of-range value reads as unknown (null); the entry as published stays in raw_entry.
function secondsToMillis(value: unknown): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  const millis = Math.round(value * 1000);
  return Number.isSafeInteger(millis) ? millis : null;
}

function nonNegativeInt(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function strings(value: unknown): string[] | null {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (isRecord(value)) return `an object with keys [${Object.keys(value).slice(0, 5).join(', ')}]`;
  return typeof value;
}

function zodReason(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(entry)'}: ${issue.message}`)
    .join('; ');
}
