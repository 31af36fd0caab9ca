// The verifier against a local server answering with the real recorded chat completions in
// ../shared/data/openrouter/chat (SOURCES.md §8). Each expected cost below is worked by hand from the
// rule (services/verifier/README.md "What a verification checks": the usage's disjoint token counts
// × the price in force per 1M tokens, plus per-unit fees) and the prices OpenRouter listed around the
// day of the call (the recorded /models snapshots named at each price).
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { CallPrice } from '@llmpt/consumer';
import { sharedData } from '@llmpt/core/paths';
import type { Candidate } from '../core/plan.ts';
import type { Tolerance } from '../core/verify.ts';
import { createProbeClient } from './openrouter.ts';
import { runVerification, type PriceLookup, type VerifierEvents } from './run.ts';

const chat = (f: string) => sharedData('openrouter', 'chat', f);
const models = (f: string) => sharedData('openrouter', 'models', f);

/** The i-th recorded answer of a pydantic-ai cassette, as the JSON body OpenRouter sent. */
function cassetteAnswer(file: string, i: number): string {
  const doc = parseYaml(readFileSync(chat(file), 'utf8')) as {
    interactions: { response: { parsed_body: unknown } }[];
  };
  // The cassette keeps the body parsed (YAML); JSON.stringify writes each number in its shortest
  // round-trip form, the form OpenRouter's JSON used (e.g. cost 0.0004970133333333333).
  return JSON.stringify(doc.interactions[i]!.response.parsed_body);
}

/** A model's pricing in a recorded /models snapshot, USD per token as published. */
function listed(file: string, id: string): Record<string, string> {
  const doc = JSON.parse(readFileSync(models(file), 'utf8')) as
    | { data: { id: string; pricing: Record<string, string> }[] }
    | { id: string; pricing: Record<string, string> }[];
  const list = Array.isArray(doc) ? doc : doc.data;
  const m = list.find((x) => x.id === id);
  if (!m) throw new Error(`${id} not in ${file}`);
  return m.pricing;
}

/** The pipeline's units (docs/price-model.md §1): tokens per 1M, web_search and request per unit. */
function perMillion(p: Record<string, string>, keys: readonly string[]): CallPrice {
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = p[k];
    if (v === undefined) continue;
    out[k] = ['web_search', 'request', 'image'].includes(k) ? v : new Decimal(v).times(1e6).toFixed();
  }
  return out;
}

const TOKENS = ['prompt', 'completion', 'internal_reasoning', 'input_cache_read', 'input_cache_write'];

// Prices in force on each call's day. Sonnet 4.6 and Gemini 2.5 Flash: identical in the snapshots of
// 2026-03-04 and 2026-03-17, so in force on 2026-03-08 (checked below).
const sonnet46 = perMillion(
  listed('openrouter_models_skissue_2026-03-04_data-array.json', 'anthropic/claude-sonnet-4.6'),
  TOKENS,
);
const gemini = perMillion(
  listed('openrouter_models_skissue_2026-03-04_data-array.json', 'google/gemini-2.5-flash'),
  TOKENS,
);
// gpt-4.1-mini on 2026-08-11: the 2026-08-01 snapshot (same in 2026-08-19's).
const gpt41mini = perMillion(
  listed('openrouter_models_token-tariff_2026-08-01.json', 'openai/gpt-4.1-mini'),
  [...TOKENS, 'web_search'],
);
// Sonnet 4.5 on 2026-05-22: the 2026-05-18 snapshot (the routed price; Bedrock serves it at $3/$15).
const sonnet45 = perMillion(
  listed('openrouter_models_aiscanner_2026-05-18.json', 'anthropic/claude-sonnet-4.5'),
  TOKENS,
);
// Sonnet 4 on 2026-01-07: the 2026-01-20 snapshot.
const sonnet4 = perMillion(
  listed('openrouter_models_jetpack_2026-01-20.json', 'anthropic/claude-sonnet-4'),
  TOKENS,
);

const tolerance: Tolerance = { absolute: '0.000000001', relative: '0.01' };

// ---- the local OpenRouter ------------------------------------------------------------------------

type Answer = { status: number; body: string } | 'hold';
const answers = new Map<string, Answer>();
const held: ServerResponse[] = [];
const requests: { authorization: string | undefined; body: Record<string, unknown> }[] = [];
let server: Server;
let baseUrl = '';

function route(req: IncomingMessage, res: ServerResponse): void {
  let text = '';
  req.on('data', (c: Buffer) => (text += c.toString('utf8')));
  req.on('end', () => {
    const body = JSON.parse(text) as { model: string; provider: { order: string[] } };
    requests.push({ authorization: req.headers.authorization, body });
    const a = answers.get(`${body.model}|${body.provider.order[0]}`);
    if (a === undefined)
      return void res.writeHead(404).end('{"error":{"code":404,"message":"no such pair"}}');
    if (a === 'hold') return void held.push(res);
    res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body);
  });
}

beforeAll(async () => {
  server = createServer(route);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of held) res.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function candidate(
  model_id: string,
  provider: string,
  provider_name: string | null,
  ageMinutes: number,
): Candidate {
  return {
    model_id,
    provider,
    provider_name,
    first_seen_at: new Date(NOW.getTime() - ageMinutes * 60_000).toISOString(),
    price_changed_at: null,
    last_verified_at: null,
  };
}

const NOW = new Date('2026-12-07T03:00:00Z');
const priceKeyOf = (model: string, provider: string) => `${model}|${provider}|openrouter_endpoints`;

function lookup(prices: Record<string, CallPrice>): PriceLookup {
  return async (t) => {
    const price = prices[`${t.model_id}|${t.provider}`];
    return price
      ? { price, ref: { price_key: priceKeyOf(t.model_id, t.provider), event_id: `np-${t.model_id}` } }
      : null;
  };
}

async function run(over: {
  candidates: Candidate[];
  prices: Record<string, CallPrice>;
  key?: string;
  spendCap?: string;
  timeoutMs?: number;
}) {
  const published: VerifierEvents[] = [];
  const summary = await runVerification({
    runId: 'run-test',
    client:
      over.key === ''
        ? null
        : createProbeClient({
            baseUrl,
            apiKey: over.key ?? 'sk-or-test',
            timeoutMs: over.timeoutMs ?? 5_000,
          }),
    candidates: over.candidates,
    priceOf: lookup(over.prices),
    publish: async (e) => void published.push(e),
    k: 20,
    recentDays: 7,
    spendCap: over.spendCap ?? '1',
    promptTokenBound: 64,
    tolerance,
    now: () => NOW,
  });
  const byPair = new Map(published.map((e) => [`${e.verified.model_id}|${e.verified.provider}`, e]));
  return { summary, published, byPair };
}

describe('the prices used are the ones in force on the day of each call', () => {
  it('Sonnet 4.6 and Gemini 2.5 Flash list the same prices on 2026-03-04 and 2026-03-17', () => {
    for (const id of ['anthropic/claude-sonnet-4.6', 'google/gemini-2.5-flash'])
      expect(listed('openrouter_models_skissue_2026-03-17_data-array.json', id)).toEqual(
        listed('openrouter_models_skissue_2026-03-04_data-array.json', id),
      );
    // The float artifact as OpenRouter lists it, and the same value per 1M tokens.
    expect(
      listed('openrouter_models_skissue_2026-03-04_data-array.json', 'google/gemini-2.5-flash')
        .input_cache_write,
    ).toBe('0.00000008333333333333334');
    expect(gemini.input_cache_write).toBe('0.08333333333333334');
  });
});

describe('a run against the recorded completions', () => {
  it('checks each charge against its usage at the price in force, and flags one discrepancy', async () => {
    answers.clear();
    requests.length = 0;
    answers.set('anthropic/claude-sonnet-4.6|anthropic', {
      status: 200,
      body: cassetteAnswer('chat-cassette_anthropic-sonnet46-cache_pydantic-ai_2026-03-08.yaml', 0),
    });
    answers.set('anthropic/claude-sonnet-4.6|anthropic-2', {
      status: 200,
      body: cassetteAnswer('chat-cassette_anthropic-sonnet46-cache_pydantic-ai_2026-03-08.yaml', 1),
    });
    answers.set('google/gemini-2.5-flash|google-ai-studio', {
      status: 200,
      body: cassetteAnswer('chat-cassette_gemini25flash-cache_pydantic-ai_2026-03-08.yaml', 0),
    });
    answers.set('google/gemini-2.5-flash|google-ai-studio-endpoint', {
      status: 200,
      body: cassetteAnswer('chat-cassette_gemini25flash-cache_pydantic-ai_2026-03-08.yaml', 0),
    });
    answers.set('openai/gpt-4.1-mini|openai', {
      status: 200,
      body: cassetteAnswer('chat-cassette_gpt41mini-websearch_pydantic-ai_2026-08-11.yaml', 0),
    });
    answers.set('anthropic/claude-sonnet-4.5|amazon-bedrock', {
      status: 200,
      body: cassetteAnswer('chat-cassette_sonnet45-bedrock-reasoning_pydantic-ai_2026-05-22.yaml', 0),
    });
    // The raw body as OpenRouter sent it, keep-alive whitespace lines first.
    answers.set('anthropic/claude-sonnet-4|anthropic', {
      status: 200,
      body: readFileSync(
        chat('chat-response_claude-sonnet4-via-google_ai-sdk-provider_2026-01-07.json'),
        'utf8',
      ),
    });

    // The endpoint price of Gemini as OpenRouter's /endpoints API publishes prices (prompt,
    // completion, cache read): no cache-write rate, so the cost of a call bills the writes at the
    // prompt rate (its documented fallback) while OpenRouter billed them at the cache-write rate.
    const geminiEndpoint: CallPrice = {
      prompt: gemini.prompt!,
      completion: gemini.completion!,
      input_cache_read: gemini.input_cache_read!,
    };
    const { summary, byPair } = await run({
      candidates: [
        candidate('anthropic/claude-sonnet-4.6', 'anthropic', 'Anthropic', 1),
        candidate('anthropic/claude-sonnet-4.6', 'anthropic-2', 'Anthropic', 2),
        candidate('google/gemini-2.5-flash', 'google-ai-studio', 'Google AI Studio', 3),
        candidate('google/gemini-2.5-flash', 'google-ai-studio-endpoint', 'Google AI Studio', 4),
        candidate('openai/gpt-4.1-mini', 'openai', 'OpenAI', 5),
        candidate('anthropic/claude-sonnet-4.5', 'amazon-bedrock', null, 6),
        candidate('anthropic/claude-sonnet-4', 'anthropic', 'Anthropic', 7),
      ],
      prices: {
        'anthropic/claude-sonnet-4.6|anthropic': sonnet46,
        'anthropic/claude-sonnet-4.6|anthropic-2': sonnet46,
        'google/gemini-2.5-flash|google-ai-studio': gemini,
        'google/gemini-2.5-flash|google-ai-studio-endpoint': geminiEndpoint,
        'openai/gpt-4.1-mini|openai': gpt41mini,
        'anthropic/claude-sonnet-4.5|amazon-bedrock': sonnet45,
        'anthropic/claude-sonnet-4|anthropic': sonnet4,
      },
    });

    // Every request: pinned, no fallback, usage accounting on, one output token, the key sent.
    expect(requests).toHaveLength(7);
    for (const r of requests) {
      expect(r.authorization).toBe('Bearer sk-or-test');
      expect(r.body).toMatchObject({ max_tokens: 1, stream: false, usage: { include: true } });
      expect((r.body.provider as { allow_fallbacks: boolean }).allow_fallbacks).toBe(false);
    }

    // Sonnet 4.6, cache write (call 1): prompt 3214 of which 3211 written to the cache.
    //   3 × $3/M = 0.000009; 3211 × $3.75/M = 0.01204125; 100 × $15/M = 0.0015 → 0.01355025.
    const write = byPair.get('anthropic/claude-sonnet-4.6|anthropic')!.verified;
    expect(write).toMatchObject({
      outcome: 'charged',
      expected_cost: '0.01355025',
      charged_cost: '0.01355025',
    });
    expect(write.difference).toBe('0');
    expect(write.usage).toMatchObject({ cache_write_tokens: 3211, cached_tokens: 0, is_byok: false });

    // Sonnet 4.6, cache read (call 2): prompt 3329 = 3 + 3211 read + 115 written.
    //   3 × 3/M = 0.000009; 3211 × 0.30/M = 0.0009633; 115 × 3.75/M = 0.00043125; 53 × 15/M = 0.000795
    //   → 0.00219855.
    const read = byPair.get('anthropic/claude-sonnet-4.6|anthropic-2')!.verified;
    expect(read).toMatchObject({
      outcome: 'charged',
      expected_cost: '0.00219855',
      charged_cost: '0.00219855',
      discrepancy: false,
    });

    // Gemini 2.5 Flash, call 1: prompt 2168 = 7 + 2161 cached, and the same 2161 reported written.
    // OpenRouter bills them read AND written, the write at the float-artifact rate 0.08333333333333334/M:
    //   7 × 0.30/M = 0.0000021; 2161 × 0.03/M = 0.00006483;
    //   2161 × 0.08333333333333334/M = 0.00018008333333333334774; 100 × 2.50/M = 0.00025
    //   → 0.00049701333333333334774, charged 0.0004970133333333333: 4.774e-20 apart, within tolerance.
    const g = byPair.get('google/gemini-2.5-flash|google-ai-studio')!.verified;
    expect(g.expected_cost).toBe('0.00049701333333333334774');
    expect(g.charged_cost).toBe('0.0004970133333333333');
    expect(g.difference).toBe('-0.00000000000000000004774');
    expect(g.discrepancy).toBe(false);

    // The same call at the endpoint price without a cache-write rate: the 2161 writes at $0.30/M:
    //   0.0000021 + 0.00006483 + 2161 × 0.30/M = 0.0006483 + 0.00025 → 0.00096523;
    //   charged − expected = 0.0004970133333333333 − 0.00096523 = −0.0004682166666666667, beyond
    //   max(1e-9, 1% × 0.00096523): the one discrepancy of the run.
    const ge = byPair.get('google/gemini-2.5-flash|google-ai-studio-endpoint')!;
    expect(ge.verified).toMatchObject({
      expected_cost: '0.00096523',
      difference: '-0.0004682166666666667',
      discrepancy: true,
    });
    expect(ge.discrepancy).toMatchObject({
      model_id: 'google/gemini-2.5-flash',
      provider: 'google-ai-studio-endpoint',
      price_key: priceKeyOf('google/gemini-2.5-flash', 'google-ai-studio-endpoint'),
      expected_cost: '0.00096523',
      charged_cost: '0.0004970133333333333',
      difference: '-0.0004682166666666667',
      // −0.0004682166666666667 / 0.00096523 = −0.485083…
      relative_difference: '-0.48508300',
      caused_by: ge.verified.event_id,
    });

    // gpt-4.1-mini with one web search: 8174 × 0.40/M = 0.0032696; 30 × 1.60/M = 0.000048;
    //   1 search × $0.01 = 0.01 → 0.0133176 (the fee is inside usage.cost).
    const ws = byPair.get('openai/gpt-4.1-mini|openai')!.verified;
    expect(ws).toMatchObject({
      outcome: 'charged',
      expected_cost: '0.0133176',
      charged_cost: '0.0133176',
      discrepancy: false,
    });
    expect(ws.components.find((c) => c.component === 'web_search')).toEqual({
      component: 'web_search',
      quantity: '1',
      rate: '0.01',
      cost: '0.01',
    });

    // Sonnet 4.5 on Bedrock with reasoning: 53 completion tokens of which 48 reasoning, billed as output:
    //   43 × 3/M = 0.000129; 5 × 15/M = 0.000075; 48 × 15/M = 0.00072 → 0.000924.
    const rsn = byPair.get('anthropic/claude-sonnet-4.5|amazon-bedrock')!.verified;
    expect(rsn).toMatchObject({
      outcome: 'charged',
      served_provider: 'Amazon Bedrock',
      expected_cost: '0.000924',
      charged_cost: '0.000924',
    });
    expect(rsn.usage?.reasoning_tokens).toBe(48);

    // Sonnet 4 pinned to anthropic but answered by "Google" (Vertex): recorded as such, never compared
    // (the charge is another provider's price), whatever the arithmetic (59 × 3/M + 484 × 15/M = 0.007437).
    const other = byPair.get('anthropic/claude-sonnet-4|anthropic')!;
    expect(other.verified).toMatchObject({
      outcome: 'served_by_other_provider',
      served_provider: 'Google',
      expected_cost: null,
      charged_cost: '0.007437',
      discrepancy: false,
    });
    expect(other.verified.usage?.upstream_inference_cost).toBeNull();
    expect(other.discrepancy).toBeNull();

    expect(summary).toMatchObject({ disabled: false, probed: 7, discrepancies: 1, stoppedBy: null });
    expect(summary.outcomes).toEqual({ charged: 6, served_by_other_provider: 1 });
    // Spend: the sum of the seven reported costs.
    const costs = [
      '0.01355025',
      '0.00219855',
      '0.0004970133333333333',
      '0.0004970133333333333',
      '0.0133176',
      '0.000924',
      '0.007437',
    ];
    expect(summary.spent).toBe(costs.reduce((s, c) => s.plus(c), new Decimal(0)).toFixed());
  });

  it('a BYOK answer compares what the provider billed (upstream_inference_cost), its fee apart', async () => {
    // No BYOK answer is recorded (SOURCES.md §8: "only synthetic test data exists"). This one is built
    // from the fields OpenRouter documents for usage accounting: is_byok true, usage.cost = OpenRouter's
    // fee, cost_details.upstream_inference_cost = what the provider billed the user's key. The usage
    // is the recorded gpt-4.1-mini web-search call's; the fee is 5% of 0.0133176 = 0.00066588.
    const recorded = JSON.parse(
      cassetteAnswer('chat-cassette_gpt41mini-websearch_pydantic-ai_2026-08-11.yaml', 0),
    ) as { usage: Record<string, unknown> };
    recorded.usage.is_byok = true;
    recorded.usage.cost = 0.00066588;
    recorded.usage.cost_details = { upstream_inference_cost: 0.0133176 };
    answers.clear();
    answers.set('openai/gpt-4.1-mini|openai', { status: 200, body: JSON.stringify(recorded) });
    const { summary, byPair } = await run({
      candidates: [candidate('openai/gpt-4.1-mini', 'openai', 'OpenAI', 1)],
      prices: { 'openai/gpt-4.1-mini|openai': gpt41mini },
    });
    const v = byPair.get('openai/gpt-4.1-mini|openai')!.verified;
    expect(v.usage).toMatchObject({
      is_byok: true,
      cost: '0.00066588',
      upstream_inference_cost: '0.0133176',
    });
    expect(v).toMatchObject({ expected_cost: '0.0133176', charged_cost: '0.0133176', discrepancy: false });
    // Both are paid: the fee to OpenRouter and the upstream cost on the key. 0.00066588 + 0.0133176.
    expect(summary.spent).toBe('0.01398348');
  });

  it('records a refusal and a timeout as such, each sent once', async () => {
    answers.clear();
    requests.length = 0;
    // OpenRouter's documented error shape for a moderation refusal (HTTP 403, error.metadata with
    // reasons and flagged_input); no refusal is recorded, so the body is built from those fields.
    answers.set('openai/gpt-4.1-mini|openai', {
      status: 403,
      body: JSON.stringify({
        error: {
          code: 403,
          message:
            'openai/gpt-4.1-mini requires moderation on OpenAI. Your input was flagged for "harassment".',
          metadata: {
            reasons: ['harassment'],
            flagged_input: 'Reply with OK.',
            provider_name: 'OpenAI',
            model_slug: 'openai/gpt-4.1-mini',
          },
        },
      }),
    });
    answers.set('anthropic/claude-sonnet-4.6|anthropic', 'hold');
    const { summary, byPair } = await run({
      candidates: [
        candidate('openai/gpt-4.1-mini', 'openai', 'OpenAI', 1),
        candidate('anthropic/claude-sonnet-4.6', 'anthropic', 'Anthropic', 2),
      ],
      prices: { 'openai/gpt-4.1-mini|openai': gpt41mini, 'anthropic/claude-sonnet-4.6|anthropic': sonnet46 },
      timeoutMs: 300,
    });
    expect(byPair.get('openai/gpt-4.1-mini|openai')!.verified).toMatchObject({
      outcome: 'refused',
      http_status: 403,
      error_code: '403',
      usage: null,
      expected_cost: null,
      not_compared: 'no usage (refused)',
    });
    const t = byPair.get('anthropic/claude-sonnet-4.6|anthropic')!.verified;
    expect(t).toMatchObject({ outcome: 'timeout', http_status: null, usage: null });
    expect(t.latency_ms).toBeGreaterThanOrEqual(300);
    // Never retried: one request per pair.
    expect(requests.map((r) => r.body.model)).toEqual(['openai/gpt-4.1-mini', 'anthropic/claude-sonnet-4.6']);
    // The refusal costs nothing; the timeout counts at its bound (the charge is unknown):
    // 64 × $3.75/M (the highest input rate) + 1 × $15/M = 0.00024 + 0.000015 = 0.000255.
    expect(summary.spent).toBe('0.000255');
    expect(summary.outcomes).toEqual({ refused: 1, timeout: 1 });
  });

  it('stops at the spend cap: no probe whose bound would take the spend past it', async () => {
    answers.clear();
    requests.length = 0;
    answers.set('openai/gpt-4.1-mini|openai', {
      status: 200,
      body: cassetteAnswer('chat-cassette_gpt41mini-websearch_pydantic-ai_2026-08-11.yaml', 0),
    });
    answers.set('anthropic/claude-sonnet-4.5|amazon-bedrock', {
      status: 200,
      body: cassetteAnswer('chat-cassette_sonnet45-bedrock-reasoning_pydantic-ai_2026-05-22.yaml', 0),
    });
    // gpt-4.1-mini first (the newest): bound 64 × 0.40/M + 1 × 1.60/M = 0.0000272 ≤ cap 0.01: sent.
    // It charges 0.0133176. Sonnet 4.5 next: 0.0133176 + 64 × 3/M + 1 × 15/M > 0.01: not sent.
    const { summary } = await run({
      candidates: [
        candidate('openai/gpt-4.1-mini', 'openai', 'OpenAI', 1),
        candidate('anthropic/claude-sonnet-4.5', 'amazon-bedrock', null, 2),
      ],
      prices: {
        'openai/gpt-4.1-mini|openai': gpt41mini,
        'anthropic/claude-sonnet-4.5|amazon-bedrock': sonnet45,
      },
      spendCap: '0.01',
    });
    expect(requests.map((r) => r.body.model)).toEqual(['openai/gpt-4.1-mini']);
    expect(summary.probed).toBe(1);
    expect(summary.spent).toBe('0.0133176');
    expect(summary.stoppedBy).toMatch(/^spend cap/);
    expect(summary.skipped).toEqual([
      { model_id: 'anthropic/claude-sonnet-4.5', provider: 'amazon-bedrock', reason: summary.stoppedBy },
    ]);
  });

  it('sends no request without a key', async () => {
    answers.clear();
    requests.length = 0;
    const { summary, published } = await run({
      candidates: [candidate('openai/gpt-4.1-mini', 'openai', 'OpenAI', 1)],
      prices: { 'openai/gpt-4.1-mini|openai': gpt41mini },
      key: '',
    });
    expect(requests).toHaveLength(0);
    expect(published).toHaveLength(0);
    expect(summary).toMatchObject({ disabled: true, probed: 0, spent: '0', stoppedBy: 'no API key' });
  });
});
