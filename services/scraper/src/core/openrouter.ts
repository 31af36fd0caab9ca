import { isRecord } from '@llmpt/core';
import { conditionsOfOverride, eventId, NO_CONDITIONS, priceKey, tierLabel } from '@llmpt/schemas';
import type { EndpointDetails, ModelDiscovered, PriceComponent, RawPriceObserved } from '@llmpt/schemas';
import Decimal from 'decimal.js';

// OpenRouter's two price sources (docs/data-sources.md §3), pure: the event and fetched bytes come in,
// RawPriceObserved events go out. No unit conversion here: values stay as published, each with the
// unit it is published in; the normalizer turns them into USD per 1M.

export interface ObservationContext {
  readonly runId: string;
  readonly fetchedAt: number;
}

// Dimensions OpenRouter prices per token (USD per token).
const TOKEN_DIMENSIONS = new Set([
  'prompt',
  'completion',
  'internal_reasoning',
  'input_cache_read',
  'input_cache_write',
  'input_cache_write_1h',
  'audio',
  'audio_output',
  'input_audio_cache',
  'image_token',
  'image_output',
]);

/**
 * The unit of one OpenRouter pricing key. `image` changed meaning: through January 2026 it is a
 * price per input image ("0.0048" for Claude Sonnet 4 whose prompt is "0.000003"), from February 2026
 * a price per image token equal or close to the prompt price ("0.00000125" for Gemini 2.5 Pro,
 * prompt "0.00000125"). Across every recorded snapshot the image/prompt ratio is at most 2.25 for the
 * per-token kind and at least 256 for the per-image kind, so: per token when image <= 10 x prompt,
 * per image otherwise (and when the prompt is zero, as for image-generation models priced only per
 * image, e.g. qwen/qwen-image-3 "0.003").
 */
export function openRouterUnit(dimension: string, value: string, promptValue?: string): string {
  if (TOKEN_DIMENSIONS.has(dimension)) return 'per_token';
  switch (dimension) {
    case 'request':
      return 'per_request';
    case 'web_search':
      return 'per_web_search';
    case 'discount':
      return 'ratio';
    case 'image':
      return imageLooksPerToken(value, promptValue) ? 'per_token' : 'per_image';
    default:
      return 'per_unit';
  }
}

/**
 * Speech-to-text models (no context window, audio in) put a price per audio duration in `prompt`
 * (docs/data-sources.md §4: openai/whisper-1 "0.006" a minute, x-ai/grok-stt-1.0 "0.1") in a unit OpenRouter
 * does not state. Read as per token it would be a price 10^6 times too high, so it is kept under its
 * own dimension, per unit: published in the notes, never in the per-1M-token columns.
 */
export function isSpeechInput(md: Pick<ModelDiscovered, 'context_length' | 'architecture'>): boolean {
  const input = md.architecture?.input_modalities ?? [];
  return md.context_length === 0 && input.includes('audio') && !input.includes('text');
}

export const SPEECH_PROMPT_DIMENSION = 'prompt_audio_duration';

function speechPrompt(c: PriceComponent): PriceComponent {
  return c.dimension === 'prompt' ? { ...c, dimension: SPEECH_PROMPT_DIMENSION, unit: 'per_unit' } : c;
}

function imageLooksPerToken(value: string, promptValue: string | undefined): boolean {
  const image = decimalOrNull(value);
  const prompt = promptValue === undefined ? null : decimalOrNull(promptValue);
  if (image === null || prompt === null || prompt.lte(0) || image.lte(0)) return false;
  return image.lte(prompt.times(10));
}

function decimalOrNull(text: string): Decimal | null {
  try {
    const d = new Decimal(text.trim());
    return d.isFinite() ? d : null;
  } catch {
    return null;
  }
}

/** The routed price carried in a ModelDiscovered event (`openrouter_api`, provider null). */
export function routedPriceObservation(md: ModelDiscovered, ctx: ObservationContext): RawPriceObserved {
  const key = priceKey(md.model_id, null, 'openrouter_api');
  const published: PriceComponent[] = [
    ...pricingComponents(md.pricing, null, md.pricing.prompt),
    ...md.pricing_tiers.flatMap((tier) =>
      pricingComponents(
        tier.pricing,
        tierLabel(conditionsOfOverride(tier.conditions)),
        tier.pricing.prompt ?? md.pricing.prompt,
      ),
    ),
  ];
  const components = isSpeechInput(md) ? published.map(speechPrompt) : published;
  return {
    event_id: eventId('RawPriceObserved', key, md.content_hash, md.event_id),
    run_id: ctx.runId,
    caused_by: md.event_id,
    backfill: md.backfill,
    occurred_at: ctx.fetchedAt,
    model_id: md.model_id,
    provider: null,
    provider_name: null,
    source_type: 'openrouter_api',
    source_url: md.source_url,
    fetched_at: ctx.fetchedAt,
    content_hash: md.content_hash,
    status: 'ok',
    unavailable_reason: null,
    components,
    endpoint: null,
  };
}

function pricingComponents(
  pricing: Readonly<Record<string, string>>,
  tier: string | null,
  promptValue: string | undefined,
): PriceComponent[] {
  return Object.entries(pricing).map(([dimension, raw]) => ({
    dimension,
    raw_value: raw,
    unit: openRouterUnit(dimension, raw, promptValue),
    currency: 'USD',
    tier,
  }));
}

/**
 * URL of the per-model endpoints API. The slug is the canonical (dated) slug when there is one,
 * because that is what the API's own `links.details` points at (e.g. qwen/qwen3.8-27b →
 * /api/v1/models/qwen/qwen3.8-27b-20260814/endpoints). `baseUrl` may be the origin or end in /api/v1.
 */
export function endpointsUrl(
  baseUrl: string,
  md: Pick<ModelDiscovered, 'model_id' | 'canonical_slug'>,
): string {
  const base = baseUrl.replace(/\/+$/, '');
  const api = base.endsWith('/api/v1') ? base : `${base}/api/v1`;
  const slug = md.canonical_slug ?? md.model_id;
  const path = slug
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%3A/gi, ':'))
    .join('/');
  return `${api}/models/${path}/endpoints`;
}

export interface EndpointsContext extends ObservationContext {
  readonly sourceUrl: string;
  /** sha256 hex of the fetched endpoints response bytes. */
  readonly contentHash: string;
}

export interface EndpointReject {
  readonly reason: string;
  readonly code: 'NOT_AN_ENDPOINTS_RESPONSE' | 'INVALID_ENDPOINT';
  readonly index: number | null;
  readonly entry: unknown;
}

export interface EndpointsResult {
  readonly observations: RawPriceObserved[];
  readonly rejected: EndpointReject[];
}

interface ParsedEndpoint {
  readonly provider: string;
  readonly providerName: string | null;
  readonly tag: string | null;
  readonly quantization: string | null;
  readonly pricing: Record<string, string>;
  readonly details: EndpointDetails;
}

/**
 * One `openrouter_endpoints` observation per hosting provider from a
 * `{data:{id,...,endpoints:[...]}}` response. Several endpoints of one provider (e.g. "deepinfra/fp8"
 * and "deepinfra/bf16") become tiers of ONE observation, each a variant named by its quantization (or
 * tag): `variant=fp8`. Usage cannot pick a quantization, so the cost of a call never selects one, and
 * the normalizer publishes the highest per dimension, as it does for context tiers.
 */
export function endpointObservations(
  md: ModelDiscovered,
  body: unknown,
  ctx: EndpointsContext,
): EndpointsResult {
  const list = isRecord(body) && isRecord(body.data) ? body.data.endpoints : undefined;
  if (!Array.isArray(list)) {
    return {
      observations: [],
      rejected: [
        {
          code: 'NOT_AN_ENDPOINTS_RESPONSE',
          reason: 'expected {data:{endpoints:[...]}}',
          index: null,
          entry: null,
        },
      ],
    };
  }
  const rejected: EndpointReject[] = [];
  const byProvider = new Map<string, ParsedEndpoint[]>();
  list.forEach((entry: unknown, index) => {
    const parsed = parseEndpoint(entry);
    if (typeof parsed === 'string') {
      rejected.push({ code: 'INVALID_ENDPOINT', reason: parsed, index, entry });
      return;
    }
    const group = byProvider.get(parsed.provider) ?? [];
    group.push(parsed);
    byProvider.set(parsed.provider, group);
  });
  const observations = [...byProvider.entries()].map(([provider, group]) =>
    providerObservation(md, provider, group, ctx),
  );
  return { observations, rejected };
}

function providerObservation(
  md: ModelDiscovered,
  provider: string,
  group: readonly ParsedEndpoint[],
  ctx: EndpointsContext,
): RawPriceObserved {
  const labels = tierLabels(group);
  const components = group.flatMap((endpoint, i) =>
    pricingComponents(endpoint.pricing, labels[i] ?? null, endpoint.pricing.prompt),
  );
  const key = priceKey(md.model_id, provider, 'openrouter_endpoints');
  const first = group[0];
  return {
    event_id: eventId('RawPriceObserved', key, ctx.contentHash, md.event_id),
    run_id: ctx.runId,
    caused_by: md.event_id,
    backfill: md.backfill,
    occurred_at: ctx.fetchedAt,
    model_id: md.model_id,
    provider,
    provider_name: first?.providerName ?? null,
    source_type: 'openrouter_endpoints',
    source_url: ctx.sourceUrl,
    fetched_at: ctx.fetchedAt,
    content_hash: ctx.contentHash,
    status: 'ok',
    unavailable_reason: null,
    components,
    // With several endpoints the first one's details are kept; each one's prices are in the tiers.
    endpoint: first?.details ?? null,
  };
}

function tierLabels(group: readonly ParsedEndpoint[]): (string | null)[] {
  return variantNames(group).map((name) =>
    name === null ? null : tierLabel({ ...NO_CONDITIONS, variant: variantName(name) }),
  );
}

// `&` and `;` separate conditions in a tier label: a tag carrying one would read back as two.
function variantName(name: string): string {
  return name.replace(/\s*[&;]\s*/g, '-');
}

function variantNames(group: readonly ParsedEndpoint[]): (string | null)[] {
  if (group.length === 1) return [null];
  const byQuantization = group.map((e) =>
    e.quantization && e.quantization !== 'unknown' ? e.quantization : null,
  );
  const distinct = (labels: (string | null)[]) =>
    labels.every((l) => l !== null) && new Set(labels).size === labels.length;
  if (distinct(byQuantization)) return byQuantization;
  const byTag = group.map((e) => e.tag);
  if (distinct(byTag)) return byTag;
  return group.map((e, i) => `${e.tag ?? e.provider}#${i + 1}`);
}

function parseEndpoint(entry: unknown): ParsedEndpoint | string {
  if (!isRecord(entry)) return 'endpoint is not an object';
  const tag = str(entry.tag);
  const providerName = str(entry.provider_name);
  const provider = providerSlug(tag, providerName);
  if (provider === null) return 'endpoint has neither tag nor provider_name';
  if (!isRecord(entry.pricing)) return `endpoint ${tag ?? providerName ?? ''}: pricing is not an object`;
  const pricing: Record<string, string> = {};
  for (const [key, value] of Object.entries(entry.pricing)) {
    const text = priceText(value);
    if (text !== null) pricing[key] = text;
  }
  if (pricing.prompt === undefined || pricing.completion === undefined) {
    return `endpoint ${tag ?? providerName ?? ''}: pricing lacks prompt or completion`;
  }
  const quantization = str(entry.quantization);
  return {
    provider,
    providerName,
    tag,
    quantization,
    pricing,
    details: {
      tag,
      context_length: int(entry.context_length),
      max_prompt_tokens: int(entry.max_prompt_tokens),
      max_completion_tokens: int(entry.max_completion_tokens),
      quantization,
      status: int(entry.status),
    },
  };
}

/** Provider slug: the tag before "/" ("deepinfra/fp8" → deepinfra), else the slugified display name. */
export function providerSlug(tag: string | null, providerName: string | null): string | null {
  const fromTag = tag?.split('/')[0]?.trim().toLowerCase();
  if (fromTag) return fromTag;
  const slug = providerName
    ?.toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug ? slug : null;
}

// Endpoint prices are strings, `discount` is a JSON number: numbers become plain decimal text
// (never exponent form, which a decimal parser downstream might not accept).
function priceText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) {
    const text = String(value);
    return /e/i.test(text) ? new Decimal(value).toFixed() : text;
  }
  return null;
}

function int(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
