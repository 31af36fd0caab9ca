import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedData } from '@llmpt/core/paths';
import { contentHash, eventId, parseTierLabel, priceKey } from '@llmpt/schemas';
import type { ModelDiscovered } from '@llmpt/schemas';
import { describe, expect, it } from 'vitest';
import {
  endpointObservations,
  endpointsUrl,
  isSpeechInput,
  openRouterUnit,
  providerSlug,
  routedPriceObservation,
  SPEECH_PROMPT_DIMENSION,
} from './openrouter.ts';

const endpointsDir = sharedData('openrouter', 'endpoints');
const readBytes = (file: string): string => readFileSync(path.join(endpointsDir, file), 'utf8');

const T = Date.UTC(2026, 7, 31, 6, 0, 0);
const ctx = { runId: 'run-9', fetchedAt: T };

function md(overrides: Partial<ModelDiscovered>): ModelDiscovered {
  return {
    event_id: 'md-event-1',
    run_id: 'run-9',
    caused_by: null,
    occurred_at: T - 1000,
    model_id: 'openai/gpt-4o',
    canonical_slug: 'openai/gpt-4o',
    name: 'OpenAI: GPT-4o',
    description: null,
    created: null,
    context_length: 128000,
    architecture: null,
    supported_parameters: [],
    top_provider: null,
    pricing: { prompt: '0.0000025', completion: '0.00001' },
    pricing_tiers: [],
    expiration_date: null,
    backfill: false,
    raw_entry: '{}',
    source_url: 'http://127.0.0.1:9/api/v1/models',
    fetched_at: T - 1000,
    content_hash: 'c0ffee',
    ...overrides,
  };
}

describe('routedPriceObservation', () => {
  it('carries the routed prices as published with their units', () => {
    const event = md({
      pricing: {
        prompt: '0.0000025',
        completion: '0.00001',
        request: '0',
        image: '0.003613',
        web_search: '0',
        internal_reasoning: '0',
        input_cache_read: '0.00000125',
      },
    });
    const obs = routedPriceObservation(event, ctx);
    expect(obs).toMatchObject({
      run_id: 'run-9',
      caused_by: 'md-event-1',
      occurred_at: T,
      fetched_at: T,
      model_id: 'openai/gpt-4o',
      provider: null,
      provider_name: null,
      source_type: 'openrouter_api',
      source_url: 'http://127.0.0.1:9/api/v1/models',
      content_hash: 'c0ffee',
      status: 'ok',
      unavailable_reason: null,
      endpoint: null,
    });
    expect(obs.event_id).toBe(
      eventId('RawPriceObserved', 'openai/gpt-4o||openrouter_api', 'c0ffee', 'md-event-1'),
    );
    expect(obs.components.map((c) => [c.dimension, c.raw_value, c.unit, c.tier])).toEqual([
      ['prompt', '0.0000025', 'per_token', null],
      ['completion', '0.00001', 'per_token', null],
      ['request', '0', 'per_request', null],
      // 2025 semantics: 1445 x the prompt price, so per input image.
      ['image', '0.003613', 'per_image', null],
      ['web_search', '0', 'per_web_search', null],
      ['internal_reasoning', '0', 'per_token', null],
      ['input_cache_read', '0.00000125', 'per_token', null],
    ]);
    expect(obs.components.every((c) => c.currency === 'USD')).toBe(true);
  });

  it('adds one component per (tier, dimension) from pricing.overrides', () => {
    const gpt55 = md({
      model_id: 'openai/gpt-5.5',
      pricing: {
        prompt: '0.000005',
        completion: '0.00003',
        web_search: '0.01',
        input_cache_read: '0.0000005',
      },
      pricing_tiers: [
        {
          conditions: { min_prompt_tokens: '272000' },
          pricing: { prompt: '0.00001', completion: '0.000045', input_cache_read: '0.000001' },
        },
      ],
    });
    const tiered = routedPriceObservation(gpt55, ctx).components.filter((c) => c.tier !== null);
    expect(tiered).toEqual([
      {
        dimension: 'prompt',
        raw_value: '0.00001',
        unit: 'per_token',
        currency: 'USD',
        tier: 'prompt_tokens>=272000',
      },
      {
        dimension: 'completion',
        raw_value: '0.000045',
        unit: 'per_token',
        currency: 'USD',
        tier: 'prompt_tokens>=272000',
      },
      {
        dimension: 'input_cache_read',
        raw_value: '0.000001',
        unit: 'per_token',
        currency: 'USD',
        tier: 'prompt_tokens>=272000',
      },
    ]);
  });

  it('labels overrides in the tiers.ts grammar: windows (one wraps midnight), thresholds, other keys', () => {
    const v4pro = md({
      model_id: 'deepseek/deepseek-v4-pro',
      pricing: { prompt: '0.00000066', completion: '0.00000198' },
      pricing_tiers: [
        { conditions: { utc_start: '1000', utc_end: '100' }, pricing: { prompt: '0.00000066' } },
        { conditions: { utc_start: '600', utc_end: '1000' }, pricing: { prompt: '0.00000132' } },
        { conditions: { min_prompt_tokens: '200000' }, pricing: { prompt: '0.000002' } },
        { conditions: { max_prompt_tokens: '10', region: 'eu' }, pricing: { prompt: '0.000003' } },
        { conditions: { utc_start: '2500', utc_end: '100' }, pricing: { prompt: '0.000004' } },
      ],
    });
    const tiers = routedPriceObservation(v4pro, ctx)
      .components.filter((c) => c.tier !== null)
      .map((c) => c.tier);
    expect(tiers).toEqual([
      'utc 10:00-01:00',
      'utc 06:00-10:00',
      'prompt_tokens>=200000',
      'max_prompt_tokens=10 & region=eu',
      // Not a time of day: kept as published, never guessed into a window.
      'utc_end=100 & utc_start=2500',
    ]);
    expect(parseTierLabel(tiers[0] ?? '')).toMatchObject({ utc_start: 600, utc_end: 60 });
  });

  it('keeps "-1" (variable router price) and "0" as published for the normalizer to judge', () => {
    const auto = routedPriceObservation(
      md({ model_id: 'openrouter/auto', pricing: { prompt: '-1', completion: '-1' } }),
      ctx,
    );
    expect(auto.components.map((c) => c.raw_value)).toEqual(['-1', '-1']);
    expect(auto.status).toBe('ok');
  });
});

describe('openRouterUnit', () => {
  it('reads image as per token when near the prompt price (2026) and per image otherwise (2025)', () => {
    expect(openRouterUnit('image', '0.00000125', '0.00000125')).toBe('per_token'); // gemini-2.5-pro 2026
    expect(openRouterUnit('image', '0.0048', '0.000003')).toBe('per_image'); // claude-sonnet-4 2025
    expect(openRouterUnit('image', '0.0000256', '0.00000009')).toBe('per_image'); // gemma-3-27b 2025
    expect(openRouterUnit('image', '0.003', '0')).toBe('per_image'); // qwen-image-3, prompt 0
    expect(openRouterUnit('image', '0', '0.000001')).toBe('per_image');
    expect(openRouterUnit('image', 'n/a', '0.000001')).toBe('per_image');
  });

  it('maps the other keys', () => {
    expect(openRouterUnit('input_cache_write_1h', '0.00000625')).toBe('per_token');
    expect(openRouterUnit('image_output', '0.00003')).toBe('per_token');
    expect(openRouterUnit('web_search', '0.01')).toBe('per_web_search');
    expect(openRouterUnit('request', '0')).toBe('per_request');
    expect(openRouterUnit('discount', '0.853')).toBe('ratio');
    expect(openRouterUnit('something_new', '1')).toBe('per_unit');
  });
});

describe('endpointsUrl', () => {
  it('uses the canonical slug, as links.details does', () => {
    expect(
      endpointsUrl('https://openrouter.ai', {
        model_id: 'qwen/qwen3.8-27b',
        canonical_slug: 'qwen/qwen3.8-27b-20260814',
      }),
    ).toBe('https://openrouter.ai/api/v1/models/qwen/qwen3.8-27b-20260814/endpoints');
    expect(
      endpointsUrl('http://127.0.0.1:5/api/v1/', {
        model_id: 'openai/gpt-oss-20b:free',
        canonical_slug: null,
      }),
    ).toBe('http://127.0.0.1:5/api/v1/models/openai/gpt-oss-20b:free/endpoints');
    expect(
      endpointsUrl('http://h', { model_id: '~openai/gpt-latest', canonical_slug: '~openai/gpt-latest' }),
    ).toBe('http://h/api/v1/models/~openai/gpt-latest/endpoints');
  });
});

describe('endpointObservations on the real endpoint responses', () => {
  it('openai/gpt-4o: one observation per provider with its details (Azure status -2)', () => {
    const bytes = readBytes('openrouter_endpoints_openai-gpt-4o_fener_2026-08-31.json');
    const hash = contentHash(bytes);
    const sourceUrl = 'http://127.0.0.1:9/api/v1/models/openai/gpt-4o/endpoints';
    const { observations, rejected } = endpointObservations(md({}), JSON.parse(bytes), {
      ...ctx,
      sourceUrl,
      contentHash: hash,
    });
    expect(rejected).toEqual([]);
    expect(observations.map((o) => [o.provider, o.provider_name])).toEqual([
      ['openai', 'OpenAI'],
      ['azure', 'Azure'],
    ]);
    const [openai, azure] = observations;
    expect(openai?.components.map((c) => [c.dimension, c.raw_value, c.unit, c.tier])).toEqual([
      ['prompt', '0.0000025', 'per_token', null],
      ['completion', '0.00001', 'per_token', null],
      ['input_cache_read', '0.00000125', 'per_token', null],
      ['discount', '0', 'ratio', null],
    ]);
    expect(azure?.endpoint).toEqual({
      tag: 'azure',
      context_length: 128000,
      max_prompt_tokens: null,
      max_completion_tokens: 16384,
      quantization: 'unknown',
      status: -2,
    });
    expect(openai).toMatchObject({
      source_type: 'openrouter_endpoints',
      source_url: sourceUrl,
      content_hash: hash,
      caused_by: 'md-event-1',
      fetched_at: T,
      status: 'ok',
    });
    expect(openai?.event_id).toBe(
      eventId(
        'RawPriceObserved',
        priceKey('openai/gpt-4o', 'openai', 'openrouter_endpoints'),
        hash,
        'md-event-1',
      ),
    );
    expect(openai?.event_id).not.toBe(azure?.event_id);
  });

  it('deepseek-v4.1-flash: Relace and Wafer with different cache prices', () => {
    const bytes = readBytes('openrouter_endpoints_deepseek-v4.1-flash_whichapiapi_2026-09.json');
    const event = md({
      model_id: 'deepseek/deepseek-v4.1-flash',
      canonical_slug: 'deepseek/deepseek-v4.1-flash-20260910',
    });
    const { observations } = endpointObservations(event, JSON.parse(bytes), {
      ...ctx,
      sourceUrl: 'http://x',
      contentHash: contentHash(bytes),
    });
    const cacheRead = observations.map((o) => [
      o.provider,
      o.components.find((c) => c.dimension === 'input_cache_read')?.raw_value,
    ]);
    expect(cacheRead).toEqual([
      ['relace', '0.00000001'],
      ['wafer', '0.0000000245'],
    ]);
    expect(observations[0]?.endpoint?.max_completion_tokens).toBe(943718);
  });
});

describe('endpointObservations edge cases', () => {
  const ectx = { ...ctx, sourceUrl: 'http://x', contentHash: 'h' };

  it('folds two endpoints of one provider into tiers of one observation', () => {
    const body = {
      data: {
        id: 'm/x',
        endpoints: [
          {
            provider_name: 'DeepInfra',
            tag: 'deepinfra/fp8',
            quantization: 'fp8',
            pricing: { prompt: '0.0000001', completion: '0.0000003' },
          },
          {
            provider_name: 'DeepInfra',
            tag: 'deepinfra/bf16',
            quantization: 'bf16',
            pricing: { prompt: '0.0000002', completion: '0.0000006' },
          },
          { provider_name: 'Mancer 2', pricing: { prompt: 3e-7, completion: '0.000001', discount: 0.853 } },
        ],
      },
    };
    const { observations } = endpointObservations(md({ model_id: 'm/x' }), body, ectx);
    expect(observations.map((o) => o.provider)).toEqual(['deepinfra', 'mancer-2']);
    expect(observations[0]?.components.map((c) => [c.dimension, c.raw_value, c.tier])).toEqual([
      ['prompt', '0.0000001', 'variant=fp8'],
      ['completion', '0.0000003', 'variant=fp8'],
      ['prompt', '0.0000002', 'variant=bf16'],
      ['completion', '0.0000006', 'variant=bf16'],
    ]);
    // Numbers become plain decimal text, never "3e-7".
    expect(observations[1]?.components.map((c) => [c.dimension, c.raw_value, c.unit, c.tier])).toEqual([
      ['prompt', '0.0000003', 'per_token', null],
      ['completion', '0.000001', 'per_token', null],
      ['discount', '0.853', 'ratio', null],
    ]);
  });

  it('falls back to tags when quantizations do not tell endpoints apart', () => {
    const body = {
      data: {
        endpoints: [
          { tag: 'together', quantization: 'unknown', pricing: { prompt: '1', completion: '2' } },
          { tag: 'together/turbo', quantization: 'unknown', pricing: { prompt: '3', completion: '4' } },
        ],
      },
    };
    const tiers = endpointObservations(md({}), body, ectx).observations[0]?.components.map((c) => c.tier);
    expect(tiers).toEqual([
      'variant=together',
      'variant=together',
      'variant=together/turbo',
      'variant=together/turbo',
    ]);
  });

  it('rejects bad endpoints and non-responses without throwing', () => {
    const body = {
      data: {
        endpoints: [
          null,
          { pricing: { prompt: '1', completion: '1' } },
          { tag: 'a', pricing: 'free' },
          { tag: 'b', pricing: { prompt: '1' } },
          { tag: 'c', pricing: { prompt: '1', completion: '2' } },
        ],
      },
    };
    const result = endpointObservations(md({}), body, ectx);
    expect(result.observations.map((o) => o.provider)).toEqual(['c']);
    expect(result.rejected.map((r) => [r.index, r.code])).toEqual([
      [0, 'INVALID_ENDPOINT'],
      [1, 'INVALID_ENDPOINT'],
      [2, 'INVALID_ENDPOINT'],
      [3, 'INVALID_ENDPOINT'],
    ]);
    expect(endpointObservations(md({}), { error: { code: 404 } }, ectx).rejected[0]?.code).toBe(
      'NOT_AN_ENDPOINTS_RESPONSE',
    );
  });

  it('slugs providers from the tag, else from the display name', () => {
    expect(providerSlug('DeepInfra/fp8', 'DeepInfra')).toBe('deepinfra');
    expect(providerSlug(null, 'Google AI Studio')).toBe('google-ai-studio');
    expect(providerSlug(null, null)).toBeNull();
  });
});

describe('speech-to-text models (per-duration price in `prompt`)', () => {
  const modelsFile = sharedData(
    'openrouter',
    'models',
    'openrouter_models_output-modalities-all_unified-llm-pricing_2026-08-19.json',
  );
  const entries = (JSON.parse(readFileSync(modelsFile, 'utf8')) as { data: Record<string, unknown>[] }).data;

  it('keeps openai/whisper-1 "0.006" out of the per-token prompt column', () => {
    const entry = entries.find((e) => e['id'] === 'openai/whisper-1')!;
    expect(entry['pricing']).toMatchObject({ prompt: '0.006', completion: '0' });
    const arch = entry['architecture'] as { input_modalities: string[]; output_modalities: string[] };
    const speech = md({
      model_id: 'openai/whisper-1',
      context_length: entry['context_length'] as number,
      architecture: {
        modality: null,
        input_modalities: arch.input_modalities,
        output_modalities: arch.output_modalities,
        tokenizer: null,
        instruct_type: null,
      },
      pricing: { prompt: '0.006', completion: '0' },
    });
    expect(isSpeechInput(speech)).toBe(true);
    const obs = routedPriceObservation(speech, ctx);
    expect(obs.components.find((c) => c.dimension === 'prompt')).toBeUndefined();
    expect(obs.components).toContainEqual(
      expect.objectContaining({ dimension: SPEECH_PROMPT_DIMENSION, raw_value: '0.006', unit: 'per_unit' }),
    );
  });

  it('leaves text models with audio input priced per token', () => {
    const audioChat = md({
      context_length: 128000,
      architecture: {
        modality: null,
        input_modalities: ['text', 'audio'],
        output_modalities: ['text'],
        tokenizer: null,
        instruct_type: null,
      },
    });
    expect(isSpeechInput(audioChat)).toBe(false);
    expect(routedPriceObservation(audioChat, ctx).components).toContainEqual(
      expect.objectContaining({ dimension: 'prompt', unit: 'per_token' }),
    );
  });
});
