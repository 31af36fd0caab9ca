import Decimal from 'decimal.js';
import { isRecord } from '@llmpt/core';

// sinkers/aiscanner's infrastructure_provider_map.json was built from /api/v1/models/{id}/endpoints
// but its script wrote the prices as floats. The fixture server turns it back into the real
// response shape, with prices as decimal strings the way the API publishes them.

/** One endpoint in the shape of the real `/endpoints` response (data.endpoints[]). */
export interface EndpointEntry {
  readonly name: string;
  readonly model_id: string;
  readonly model_name: string;
  readonly context_length: number | null;
  readonly pricing: Readonly<Record<string, string | number>>;
  readonly provider_name: string;
  readonly tag: string;
  readonly quantization: string | null;
  readonly max_completion_tokens: number | null;
  readonly max_prompt_tokens: number | null;
  readonly supported_parameters: readonly string[];
  readonly status: number;
  readonly uptime_last_30m: number | null;
  readonly supports_implicit_caching: boolean;
}

/** Model id → its endpoints. */
export type EndpointsByModel = ReadonlyMap<string, readonly EndpointEntry[]>;

/**
 * A float as the decimal string the API would have published. String(x) is the shortest text that
 * round-trips (the same digits Python's repr wrote), but it switches to exponent form below 1e-6
 * ("3e-7"), which the API never uses: decimal.js re-expands it without inventing digits.
 */
export function floatToDecimalString(value: number): string {
  const text = String(value);
  return /e/i.test(text) ? new Decimal(value).toFixed() : text;
}

/** Converts a parsed aiscanner derived map into endpoints per model, in the real response shape. */
export function endpointsFromDerivedMap(map: unknown): Map<string, EndpointEntry[]> {
  const out = new Map<string, EndpointEntry[]>();
  const providers = isRecord(map) && isRecord(map.providers) ? map.providers : {};
  for (const [providerName, provider] of Object.entries(providers)) {
    if (!isRecord(provider) || !Array.isArray(provider.models)) continue;
    const info = isRecord(provider.provider_info) ? provider.provider_info : {};
    const displayName = typeof info.name === 'string' ? info.name : providerName;
    for (const model of provider.models as unknown[]) {
      if (!isRecord(model) || typeof model.model_id !== 'string') continue;
      const list = out.get(model.model_id) ?? [];
      list.push(toEndpoint(model, displayName));
      out.set(model.model_id, list);
    }
  }
  return out;
}

function toEndpoint(model: Record<string, unknown>, providerName: string): EndpointEntry {
  const modelId = String(model.model_id);
  const performance = isRecord(model.performance) ? model.performance : {};
  const pricing: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(isRecord(model.pricing) ? model.pricing : {})) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    // `discount` is a JSON number in the real response too; prices are strings.
    pricing[key] = key === 'discount' ? value : floatToDecimalString(value);
  }
  return {
    name: `${providerName} | ${modelId}`,
    model_id: modelId,
    model_name: typeof model.model_name === 'string' ? model.model_name : modelId,
    context_length: numberOrNull(model.context_length),
    pricing,
    provider_name: providerName,
    tag: typeof model.tag === 'string' ? model.tag : providerName.toLowerCase(),
    quantization: typeof model.quantization === 'string' ? model.quantization : null,
    max_completion_tokens: numberOrNull(model.max_completion_tokens),
    max_prompt_tokens: null,
    supported_parameters: Array.isArray(model.supported_parameters)
      ? model.supported_parameters.filter((p): p is string => typeof p === 'string')
      : [],
    status: typeof model.status === 'number' ? model.status : 0,
    uptime_last_30m: numberOrNull(performance.uptime_30m),
    supports_implicit_caching: model.supports_implicit_caching === true,
  };
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
