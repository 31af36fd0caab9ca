// Written from services/api/README.md "Endpoints" and "Model fields".
import { describe, expect, it } from 'vitest';
import {
  lastModified,
  toOpenRouterEndpoints,
  toOpenRouterModel,
  type CatalogModelRow,
  type EndpointRow,
} from './catalog.ts';
import type { StoredTier } from './openrouter.ts';

const model: CatalogModelRow = {
  model_id: 'anthropic/claude-opus-4.7',
  canonical_slug: 'anthropic/claude-opus-4.7-20260416',
  name: 'Anthropic: Claude Opus 4.7',
  description: null,
  created: 1776300000,
  context_length: 1000000,
  modality: 'text+image->text',
  input_modalities: ['text', 'image'],
  output_modalities: ['text'],
  tokenizer: 'Claude',
  supported_parameters: ['tools'],
  top_provider: { is_moderated: true },
  raw: { architecture: { instruct_type: null }, per_request_limits: null },
  expiration_date: null,
  status: 'ok',
  observed_at: new Date('2026-08-19T06:00:01Z'),
  base: [{ dimension: 'prompt', amount: '5.00000000' }],
  tiers: [],
  unregistered: [],
};

const variant = (name: string, prompt: string): StoredTier => ({
  label: `variant=${name}`,
  prompt_tokens_gte: null,
  prompt_tokens_gt: null,
  utc_start: null,
  utc_end: null,
  variant: name,
  other: [],
  prices: [{ dimension: 'prompt', amount: prompt }],
});

const endpoint = (e: Partial<EndpointRow>): EndpointRow => ({
  provider: 'anthropic',
  provider_name: 'Anthropic',
  tag: 'anthropic',
  context_length: 1000000,
  max_completion_tokens: 128000,
  quantization: 'unknown',
  endpoint_status: 0,
  status: 'ok',
  observed_at: new Date('2026-08-19T06:00:02Z'),
  base: [{ dimension: 'prompt', amount: '5.00000000' }],
  tiers: [],
  unregistered: [],
  ...e,
});

describe('toOpenRouterEndpoints', () => {
  it('a price with a base is one entry named "<provider name> | <canonical slug>"', () => {
    expect(toOpenRouterEndpoints(model, endpoint({}))).toEqual([
      {
        name: 'Anthropic | anthropic/claude-opus-4.7-20260416',
        model_id: 'anthropic/claude-opus-4.7',
        model_name: 'Anthropic: Claude Opus 4.7',
        context_length: 1000000,
        pricing: { prompt: '0.000005' },
        provider_name: 'Anthropic',
        tag: 'anthropic',
        quantization: 'unknown',
        max_completion_tokens: 128000,
        status: 0,
      },
    ]);
  });

  it('several endpoints (empty base, every tier a variant): one entry per variant; a tag-like variant is the tag', () => {
    const out = toOpenRouterEndpoints(
      model,
      endpoint({
        base: [],
        tiers: [variant('anthropic/2', '5.00000000'), variant('anthropic', '6.00000000')],
      }),
    );
    expect(out.map((e) => [e.tag, e.quantization, e.pricing])).toEqual([
      ['anthropic/2', 'unknown', { prompt: '0.000005' }],
      ['anthropic', 'unknown', { prompt: '0.000006' }],
    ]);
  });

  it('a quantization variant is the quantization; the tag stays the stored one', () => {
    const out = toOpenRouterEndpoints(
      model,
      endpoint({
        provider: 'deepinfra',
        tag: 'deepinfra/fp8',
        base: [],
        tiers: [variant('fp8', '1.00000000'), variant('bf16', '2.00000000')],
      }),
    );
    expect(out.map((e) => [e.tag, e.quantization])).toEqual([
      ['deepinfra/fp8', 'fp8'],
      ['deepinfra/fp8', 'bf16'],
    ]);
  });
});

describe('toOpenRouterModel and lastModified', () => {
  it('takes the catalog fields, null where the catalog has none, and the newest observation time', () => {
    const m = toOpenRouterModel(model);
    expect(m).toMatchObject({
      id: 'anthropic/claude-opus-4.7',
      created: 1776300000,
      architecture: { modality: 'text+image->text', tokenizer: 'Claude', instruct_type: null },
      per_request_limits: null,
      pricing: { prompt: '0.000005' },
    });
    expect(lastModified([model, endpoint({})])?.toISOString()).toBe('2026-08-19T06:00:02.000Z');
    expect(lastModified([])).toBeNull();
  });
});
