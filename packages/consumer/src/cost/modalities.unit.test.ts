// Cache durations, audio and image tokens, each a worked example with the arithmetic in the comments.
// Prices are USD per 1M tokens (per image for `image`), so cost = tokens × price / 1,000,000.
import { describe, expect, it } from 'vitest';
import { costOfCall, type CallCost, type CallPrice } from './compute.ts';
import { tokenCounts } from './usage.ts';

const byComponent = (c: CallCost) => Object.fromEntries(c.components.map((x) => [x.component, x.cost]));

describe('cache writes by duration (Anthropic cache_creation)', () => {
  // anthropic/claude-sonnet-4 as OpenRouter lists it: $3 in, $15 out, $0.30 read, $3.75 5-minute write,
  // $6 1-hour write (schemas/test/samples.ts).
  const sonnet: CallPrice = {
    prompt: '3.00000000',
    completion: '15.00000000',
    input_cache_read: '0.30000000',
    input_cache_write: '3.75000000',
    input_cache_write_1h: '6.00000000',
  };

  it('a 1 h cache write is billed at input_cache_write_1h, a 5 min one at input_cache_write', () => {
    const cost = costOfCall(
      {
        format: 'anthropic',
        usage: {
          input_tokens: 1_000,
          output_tokens: 500,
          cache_creation_input_tokens: 30_000,
          cache_creation: { ephemeral_5m_input_tokens: 10_000, ephemeral_1h_input_tokens: 20_000 },
          cache_read_input_tokens: 40_000,
        },
      },
      sonnet,
    );
    // prompt 1000 × 3 / 1e6 = 0.003; 5 min 10000 × 3.75 / 1e6 = 0.0375; 1 h 20000 × 6 / 1e6 = 0.12;
    // read 40000 × 0.30 / 1e6 = 0.012; completion 500 × 15 / 1e6 = 0.0075; total 0.18.
    expect(byComponent(cost)).toEqual({
      prompt: '0.003',
      input_cache_write: '0.0375',
      input_cache_write_1h: '0.12',
      input_cache_read: '0.012',
      completion: '0.0075',
    });
    expect(cost.total).toBe('0.18');
    expect(cost.tokens.promptTotal).toBe(71_000);
  });

  it('without the split every write is a 5-minute one; a split that does not add up is refused', () => {
    const t = tokenCounts({
      format: 'anthropic',
      usage: { input_tokens: 1, output_tokens: 1, cache_creation_input_tokens: 30_000 },
    });
    expect([t.cacheWrite, t.cacheWrite1h]).toEqual([30_000, 0]);
    expect(() =>
      tokenCounts({
        format: 'anthropic',
        usage: {
          input_tokens: 1,
          output_tokens: 1,
          cache_creation_input_tokens: 30_000,
          cache_creation: { ephemeral_5m_input_tokens: 10_000, ephemeral_1h_input_tokens: 10_000 },
        },
      }),
    ).toThrow(expect.objectContaining({ code: 'USAGE_INVALID' }));
  });

  it('a 1 h write is never billed at another rate: no input_cache_write_1h price is PRICE_MISSING', () => {
    const { input_cache_write_1h: _, ...v1 } = sonnet;
    expect(() =>
      costOfCall(
        {
          format: 'anthropic',
          usage: {
            input_tokens: 1,
            output_tokens: 1,
            cache_creation: { ephemeral_1h_input_tokens: 100 },
          },
        },
        v1,
      ),
    ).toThrow(expect.objectContaining({ code: 'PRICE_MISSING' }));
  });
});

describe('audio tokens', () => {
  // An OpenAI audio model: text $2.50 in / $10 out, audio $40 in / $80 out.
  const audioModel: CallPrice = {
    prompt: '2.50000000',
    completion: '10.00000000',
    input_audio: '40.00000000',
    audio_output: '80.00000000',
  };

  it('OpenAI: audio tokens are part of prompt_tokens and completion_tokens, billed at the audio rates', () => {
    const cost = costOfCall(
      {
        format: 'openai',
        usage: {
          prompt_tokens: 1_500,
          completion_tokens: 700,
          prompt_tokens_details: { audio_tokens: 1_000, cached_tokens: 0 },
          completion_tokens_details: { audio_tokens: 600, reasoning_tokens: 0 },
        },
      },
      audioModel,
    );
    // text in (1500 − 1000) × 2.50 / 1e6 = 0.00125; audio in 1000 × 40 / 1e6 = 0.04;
    // text out (700 − 600) × 10 / 1e6 = 0.001; audio out 600 × 80 / 1e6 = 0.048; total 0.09025.
    expect(byComponent(cost)).toEqual({
      prompt: '0.00125',
      input_audio: '0.04',
      completion: '0.001',
      audio_output: '0.048',
    });
    expect(cost.total).toBe('0.09025');
  });

  it('Gemini: promptTokensDetails AUDIO, cached audio at input_audio_cache', () => {
    // Gemini-style rates, audio apart from text so the test tells them apart: prompt $1.25, audio $2,
    // cached audio $0.125, cached text $0.125, completion $10.
    const price: CallPrice = {
      prompt: '1.25000000',
      completion: '10.00000000',
      input_cache_read: '0.12500000',
      input_audio: '2.00000000',
      input_audio_cache: '0.12500000',
    };
    const cost = costOfCall(
      {
        format: 'gemini',
        usageMetadata: {
          promptTokenCount: 10_000,
          cachedContentTokenCount: 3_000,
          promptTokensDetails: [
            { modality: 'TEXT', tokenCount: 6_000 },
            { modality: 'AUDIO', tokenCount: 4_000 },
          ],
          cacheTokensDetails: [
            { modality: 'TEXT', tokenCount: 2_000 },
            { modality: 'AUDIO', tokenCount: 1_000 },
          ],
          candidatesTokenCount: 100,
        },
      },
      price,
    );
    // audio uncached 4000 − 1000 = 3000 × 2 / 1e6 = 0.006; cached audio 1000 × 0.125 / 1e6 = 0.000125;
    // cached text 3000 − 1000 = 2000 × 0.125 / 1e6 = 0.00025; text 10000 − 3000 − 3000 = 4000 × 1.25 / 1e6
    // = 0.005; completion 100 × 10 / 1e6 = 0.001; total 0.012375.
    expect(byComponent(cost)).toEqual({
      prompt: '0.005',
      input_cache_read: '0.00025',
      input_audio: '0.006',
      input_audio_cache: '0.000125',
      completion: '0.001',
    });
    expect(cost.total).toBe('0.012375');
  });

  it('no audio rate: audio input billed at the prompt rate, and the notes say so', () => {
    const cost = costOfCall(
      {
        format: 'openai',
        usage: { prompt_tokens: 1_000, completion_tokens: 0, prompt_tokens_details: { audio_tokens: 400 } },
      },
      { prompt: '2.50000000', completion: '10.00000000' },
    );
    // 600 × 2.50 / 1e6 = 0.0015; 400 × 2.50 / 1e6 = 0.001; total 0.0025.
    expect(byComponent(cost)).toEqual({ prompt: '0.0015', input_audio: '0.001' });
    expect(cost.notes).toEqual(['input_audio: no price, 400 tokens billed at the prompt rate']);
  });
});

describe('image tokens and images', () => {
  it('Gemini image output: candidatesTokensDetails IMAGE at image_output', () => {
    // google/gemini-2.5-flash-image: $0.30 in, $2.50 out, $30 per 1M image output tokens.
    const cost = costOfCall(
      {
        format: 'gemini',
        usageMetadata: {
          promptTokenCount: 20,
          candidatesTokenCount: 1_300,
          candidatesTokensDetails: [
            { modality: 'IMAGE', tokenCount: 1_290 },
            { modality: 'TEXT', tokenCount: 10 },
          ],
        },
      },
      { prompt: '0.30000000', completion: '2.50000000', image_output: '30.00000000' },
    );
    // prompt 20 × 0.30 / 1e6 = 0.000006; text out 10 × 2.50 / 1e6 = 0.000025;
    // image out 1290 × 30 / 1e6 = 0.0387; total 0.038731.
    expect(byComponent(cost)).toEqual({ prompt: '0.000006', completion: '0.000025', image_output: '0.0387' });
    expect(cost.total).toBe('0.038731');
  });

  it('OpenRouter: completion_tokens_details.image_tokens at image_output, input image tokens at image_token', () => {
    const cost = costOfCall(
      {
        format: 'openrouter',
        usage: {
          prompt_tokens: 1_000,
          completion_tokens: 1_300,
          prompt_tokens_details: { image_tokens: 258 },
          completion_tokens_details: { image_tokens: 1_290, reasoning_tokens: 0 },
        },
      },
      {
        prompt: '0.30000000',
        completion: '2.50000000',
        image_token: '0.30000000',
        image_output: '30.00000000',
      },
    );
    // text in (1000 − 258) × 0.30 / 1e6 = 0.0002226; image in 258 × 0.30 / 1e6 = 0.0000774;
    // text out (1300 − 1290) × 2.50 / 1e6 = 0.000025; image out 1290 × 30 / 1e6 = 0.0387; total 0.039025.
    expect(byComponent(cost)).toEqual({
      prompt: '0.0002226',
      image_token: '0.0000774',
      completion: '0.000025',
      image_output: '0.0387',
    });
    expect(cost.total).toBe('0.039025');
  });

  it('per-image prices bill the images the caller counts, never image tokens', () => {
    // 2025-style per-image price: $0.001 per input image; 3 images. 100 × 1 / 1e6 = 0.0001;
    // 3 × 0.001 = 0.003; total 0.0031.
    const price: CallPrice = { prompt: '1.00000000', completion: '1.00000000', image: '0.00100000' };
    const cost = costOfCall(openai(100), price, { images: 3 });
    expect(byComponent(cost)).toEqual({ prompt: '0.0001', image: '0.003' });
    expect(cost.components.find((c) => c.component === 'image')?.unit).toBe('per_image');
    expect(cost.total).toBe('0.0031');
    expect(() => costOfCall(openai(100), { prompt: '1', completion: '1' }, { images: 1 })).toThrow(
      expect.objectContaining({ code: 'PRICE_MISSING' }),
    );
  });
});

describe('recorded OpenRouter usage (shared/data/openrouter/chat, 2026-03-08)', () => {
  it('Gemini explicit cache: the same tokens written and read, both billed, as usage.cost shows', () => {
    // google/gemini-2.5-flash: $0.30 in, $2.50 out, $0.03 read, $0.08333333 write (OpenRouter's
    // 0.00000008333333333333334 at scale 8). Recorded: prompt 2168, cached 2161, cache_write 2161.
    const cost = costOfCall(
      {
        format: 'openrouter',
        usage: {
          prompt_tokens: 2168,
          completion_tokens: 100,
          cost: 0.0004970133333333333,
          prompt_tokens_details: { cached_tokens: 2161, cache_write_tokens: 2161, audio_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0, image_tokens: 0, audio_tokens: 0 },
        },
      },
      {
        prompt: '0.30000000',
        completion: '2.50000000',
        input_cache_read: '0.03000000',
        input_cache_write: '0.08333333',
      },
      { tolerance: '0.000000001' },
    );
    // prompt 2168 − 2161 = 7 × 0.30 / 1e6 = 0.0000021; read 2161 × 0.03 / 1e6 = 0.00006483;
    // write 2161 × 0.08333333 / 1e6 = 0.00018008332613; completion 100 × 2.50 / 1e6 = 0.00025;
    // total 0.00049701332613, 7e-15 below the reported 0.0004970133333333333 (the write rate's scale).
    expect(cost.catalogTotal).toBe('0.00049701332613');
    expect(cost.reported?.disagrees).toBe(false);
  });
});

const openai = (prompt_tokens: number, completion_tokens = 0) =>
  ({ format: 'openai', usage: { prompt_tokens, completion_tokens } }) as const;
