// /v1/cost on the pipeline-filled database (setup.ts), from services/api/README.md "Cost of a call".
// The usages are real: OpenRouter chat completions recorded in ../shared/data/openrouter/chat
// (SOURCES.md §8). The expected costs come from the consumer's costOfCallAt run directly on the same
// database (the API must not price differently), and from OpenRouter's own charged `usage.cost`.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { parse as parseYaml } from 'yaml';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costOfCallAt, priceAtPg, type PriceAtQuery, type UsageInput } from '@llmpt/consumer';
import { sharedData } from '@llmpt/testkit';
import { startRecordedApi, type Json, type RecordedApi } from './setup.ts';

interface RecordedCall {
  readonly file: string;
  readonly model: string;
  readonly usage: Json;
  readonly created: number;
}

/** Every recorded completion with usage and cost: the cassettes' calls and the raw ai-sdk answer. */
function recordedCalls(): RecordedCall[] {
  const calls: RecordedCall[] = [];
  for (const file of [
    'chat-cassette_anthropic-sonnet46-cache_pydantic-ai_2026-03-08.yaml',
    'chat-cassette_gemini25flash-cache_pydantic-ai_2026-03-08.yaml',
    'chat-cassette_gpt41mini-websearch_pydantic-ai_2026-08-11.yaml',
    'chat-cassette_sonnet45-bedrock-reasoning_pydantic-ai_2026-05-22.yaml',
  ]) {
    const cassette = parseYaml(readFileSync(sharedData('openrouter', 'chat', file), 'utf8')) as {
      interactions: { request: { parsed_body: Json }; response: { parsed_body: Json } }[];
    };
    for (const i of cassette.interactions)
      calls.push({
        file,
        model: i.request.parsed_body.model as string,
        usage: i.response.parsed_body.usage as Json,
        created: i.response.parsed_body.created as number,
      });
  }
  // The raw body starts with keep-alive whitespace (TRAPS.md): JSON.parse skips it.
  const raw = JSON.parse(
    readFileSync(
      sharedData(
        'openrouter',
        'chat',
        'chat-response_claude-sonnet4-via-google_ai-sdk-provider_2026-01-07.json',
      ),
      'utf8',
    ),
  ) as Json;
  calls.push({
    file: 'chat-response_claude-sonnet4-via-google',
    model: raw.model as string,
    usage: raw.usage as Json,
    created: raw.created as number,
  });
  return calls;
}

const DAYS = ['2026-08-01T12:00:00Z', '2026-08-19T12:00:00Z'] as const;

describe('/v1/cost on two recorded days', () => {
  let api: RecordedApi;
  let client: pg.Client;
  const calls = recordedCalls();
  const ours = new Set<string>();

  const post = async (body: unknown, raw = false) => {
    const res = await fetch(`${api.base}/v1/cost`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw ? (body as string) : JSON.stringify(body),
    });
    const text = await res.text();
    return { res, body: JSON.parse(text) as Json };
  };
  const getCost = async (q: Record<string, string>) =>
    api.get(`/v1/cost?${new URLSearchParams(q).toString()}`);
  const lookup = (q: PriceAtQuery) => priceAtPg(client, q);
  const expectError = (
    status: number,
    body: Json | undefined,
    code: string,
    method: 'get' | 'post' = 'post',
  ) => {
    expect((body!.error as Json).code, JSON.stringify(body)).toBe(code);
    expect(typeof (body!.error as Json).message).toBe('string');
    expect(JSON.stringify(body)).not.toMatch(/\n\s+at /); // never a stack trace
    api.validate('/v1/cost', status, body, method);
  };

  beforeAll(async () => {
    api = await startRecordedApi('api_cost');
    client = new pg.Client({ connectionString: api.db.url });
    await client.connect();
    const { rows } = await client.query<{ model_id: string }>(
      'select distinct model_id from public.price_observations',
    );
    for (const r of rows) ours.add(r.model_id);
  }, 60_000);

  afterAll(async () => {
    await client?.end();
    await api?.stop();
  });

  it('the recorded completions are the ones SOURCES.md lists, with usage and cost', () => {
    expect(calls).toHaveLength(7);
    for (const c of calls) expect(typeof c.usage.cost, c.file).toBe('number');
    // Only two of their models are in our recorded catalog; the others must be unknown models.
    expect(calls.filter((c) => ours.has(c.model)).map((c) => c.model)).toEqual([
      'anthropic/claude-sonnet-4.6',
      'anthropic/claude-sonnet-4.6',
      'google/gemini-2.5-flash',
      'google/gemini-2.5-flash',
    ]);
  });

  it('the OpenAPI document has GET and POST /v1/cost', async () => {
    const { body } = await api.get('/openapi.json');
    const op = (body!.paths as Json)['/v1/cost'] as Json;
    expect(Object.keys(op).sort()).toEqual(['get', 'post']);
  });

  for (const at of DAYS)
    it(`${at}: every provider's cost equals the consumer's costOfCallAt, cheapest first; GET answers the same`, async () => {
      for (const call of calls.filter((c) => ours.has(c.model))) {
        const { res, body } = await post({ model: call.model, at, usage: call.usage });
        expect(res.status, JSON.stringify(body)).toBe(200);
        api.validate('/v1/cost', 200, body, 'post');
        const data = body.data as Json;
        // The usage carries cost and cache_write_tokens: OpenRouter's format (README table).
        expect(data.format).toBe('openrouter');
        expect(data.at).toBe(new Date(at).toISOString());
        const costs = data.costs as Json[];
        const unpriced = data.unpriced as Json[];

        // One entry per provider with a price at `at`, the routed price included (provider null).
        const rows = await priceAtPg(client, { modelId: call.model, at, provider: null, source: null });
        const providers = [...new Set(rows.map((r) => r.provider))].sort();
        expect([...costs, ...unpriced].map((c) => c.provider as string | null).sort()).toEqual(providers);
        expect(providers).toContain(null);

        const usage: UsageInput = { format: 'openrouter', usage: call.usage as never };
        for (const item of costs) {
          const provider = item.provider as string | null;
          const direct = await costOfCallAt(
            lookup,
            provider === null
              ? { modelId: call.model, at, provider: null, source: 'openrouter_api' }
              : { modelId: call.model, at, provider },
            usage,
          );
          expect(item.price_key).toBe(direct.price.price_key);
          expect(item.total).toBe(direct.total);
          expect(item.catalog_total).toBe(direct.catalogTotal);
          expect(item.total_source).toBe(direct.source);
          expect(item.reported).toEqual(direct.reported);
          expect(item.components).toEqual(
            direct.components.map((x) => ({
              dimension: x.component,
              count: x.quantity,
              rate: x.rate,
              unit: x.unit,
              tier: x.tier,
              amount: x.cost,
            })),
          );
          expect(item.tiers_applied).toEqual(direct.tiersApplied);
          expect(item.notes).toEqual(direct.notes);
          expect(item.warnings).toEqual(direct.warnings);
          const price = item.price as Json;
          expect(price).toMatchObject({
            source: direct.price.source_type,
            observed_at: direct.price.observed_at,
            effective_from: direct.price.effective_from,
            event_id: direct.price.event_id,
          });
          const url = await client.query<{ source_url: string }>(
            'select source_url from public.price_observations where event_id = $1',
            [direct.price.event_id],
          );
          expect(price.source_url).toBe(url.rows[0]!.source_url);
          expect(price.source_url).toMatch(/^https:\/\/openrouter\.ai\//);
        }
        // Cheapest first (by catalog_total, as decimals).
        const totals = costs.map((c) => new Decimal(c.catalog_total as string));
        for (let i = 1; i < totals.length; i++) expect(totals[i]!.gte(totals[i - 1]!)).toBe(true);
        // chosen: what costOfCallAt picks with no provider named (the routed price).
        const picked = await costOfCallAt(lookup, { modelId: call.model, at }, usage);
        expect(data.chosen).toBe(picked.price.price_key);

        // GET with the same fields: the same answer.
        const viaGet = await getCost({ model: call.model, at, usage: JSON.stringify(call.usage) });
        expect(viaGet.res.status).toBe(200);
        api.validate('/v1/cost', 200, viaGet.body);
        expect(viaGet.body).toEqual(body);
        expect(viaGet.res.headers.get('etag')).toMatch(/^"/);

        // provider=openrouter: the routed entry alone.
        const routed = await post({ model: call.model, at, usage: call.usage, provider: 'openrouter' });
        expect(routed.res.status).toBe(200);
        expect((routed.body.data as Json).costs).toEqual(costs.filter((c) => c.provider === null));
      }
    });

  it('the routed price of both days bills the recorded calls exactly what OpenRouter charged', async () => {
    // The calls were made on 2026-03-08, before our recorded days (no day of ours matches). SOURCES.md
    // says both Claude Sonnet 4.6 calls reproduce exactly at $3/$15 per M, cache write $3.75, read
    // $0.30, which are the routed rates of both recorded days: the catalog total must equal the charge.
    // Gemini 2.5 Flash's write rate 0.0000000833… per token is stored at scale 8 per 1M (0.08333333):
    // a rate rounded at scale 8 per 1M is off by at most 0.5e-8 per 1M tokens, so the total may differ
    // from the charge by at most (tokens billed) × 0.5e-8 / 1e6 USD, never more.
    for (const at of DAYS)
      for (const call of calls.filter((c) => ours.has(c.model))) {
        const { body } = await post({ model: call.model, at, provider: 'openrouter', usage: call.usage });
        const item = (body.data as Json[] & Json).costs as Json[];
        const reported = item[0]!.reported as Json;
        expect(reported.cost).toBe(String(call.usage.cost));
        expect(item[0]!.total).toBe(String(call.usage.cost));
        expect(item[0]!.total_source).toBe('reported');
        const diff = new Decimal(reported.difference as string);
        expect(
          diff.equals(new Decimal(reported.cost as string).minus(item[0]!.catalog_total as string)),
        ).toBe(true);
        if (call.model === 'anthropic/claude-sonnet-4.6') expect(reported.difference, call.file).toBe('0');
        else {
          const billed = (item[0]!.components as Json[])
            .filter((c) => c.unit === 'per_1m_tokens')
            .reduce((n, c) => n.plus(c.count as string), new Decimal(0));
          const bound = billed.times('0.5e-8').div(1e6);
          expect(diff.abs().lte(bound), `${call.file}: ${diff.toFixed()} > ${bound.toFixed()}`).toBe(true);
        }
      }
  });

  it('at the time the calls were made we had no price: 404 NO_PRICE, never $0', async () => {
    for (const call of calls.filter((c) => ours.has(c.model))) {
      const at = new Date(call.created * 1000).toISOString();
      const { res, body } = await post({ model: call.model, at, usage: call.usage });
      expect(res.status).toBe(404);
      expectError(404, body, 'NO_PRICE');
      expect((body.error as Json).message).toContain(call.model);
    }
  });

  it('models we never observed (the other recorded calls) are 404 NOT_FOUND', async () => {
    for (const call of calls.filter((c) => !ours.has(c.model))) {
      const { res, body } = await post({ model: call.model, at: DAYS[1], usage: call.usage });
      expect(res.status, call.model).toBe(404);
      expectError(404, body, 'NOT_FOUND');
    }
  });

  it('usage formats are detected from their keys; the same tokens cost the same in every format', async () => {
    // 1000 input tokens (200 of them cache reads), 500 output tokens, in each format's own counting
    // (packages/consumer usage.ts): OpenAI counts cached inside prompt_tokens, Anthropic apart,
    // Gemini inside promptTokenCount; Cohere has no cache.
    const model = 'anthropic/claude-sonnet-4.6';
    const shapes: [string, Json][] = [
      [
        'openai',
        { prompt_tokens: 1000, completion_tokens: 500, prompt_tokens_details: { cached_tokens: 200 } },
      ],
      ['anthropic', { input_tokens: 800, output_tokens: 500, cache_read_input_tokens: 200 }],
      [
        'gemini',
        {
          usageMetadata: { promptTokenCount: 1000, candidatesTokenCount: 500, cachedContentTokenCount: 200 },
        },
      ],
      ['gemini', { promptTokenCount: 1000, candidatesTokenCount: 500, cachedContentTokenCount: 200 }],
    ];
    const totals = new Set<string>();
    for (const [format, usage] of shapes) {
      const { res, body } = await post({ model, at: DAYS[1], provider: 'openrouter', usage });
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect((body.data as Json).format).toBe(format);
      const item = ((body.data as Json).costs as Json[])[0]!;
      // $3 × 800 + $0.30 × 200 + $15 × 500, per 1M: 0.0024 + 0.00006 + 0.0075.
      totals.add(item.total as string);
    }
    expect([...totals]).toEqual(['0.00996']);
    for (const usage of [
      { meta: { billed_units: { input_tokens: 1000, output_tokens: 500 } } },
      { billed_units: { input_tokens: 1000, output_tokens: 500 } },
    ]) {
      const { body } = await post({ model, at: DAYS[1], provider: 'openrouter', usage });
      expect((body.data as Json).format).toBe('cohere');
      expect((((body.data as Json).costs as Json[])[0] as Json).total).toBe('0.0105');
    }
  });

  it('bad input answers a 4xx JSON error with a clear code, never a 500', async () => {
    const model = 'anthropic/claude-sonnet-4.6';
    const usage = { prompt_tokens: 10, completion_tokens: 5 };
    const cases: [unknown, number, string, RegExp?][] = [
      [{ model, usage: { prompt_tokens: 1, input_tokens: 1 } }, 400, 'USAGE_AMBIGUOUS', /openai, anthropic/],
      [
        { model, usage: { tokens: 1 } },
        400,
        'USAGE_FORMAT_UNKNOWN',
        /openai, openrouter, anthropic, gemini, cohere/,
      ],
      [{ model, usage: { prompt_tokens: -1, completion_tokens: 1 } }, 400, 'USAGE_INVALID', /prompt_tokens/],
      [
        {
          model,
          usage: { prompt_tokens: 1, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 5 } },
        },
        400,
        'USAGE_INVALID',
        /exceeds prompt_tokens/,
      ],
      [{ model, usage: { promptTokenCount: 1, promptTokensDetails: 'x' } }, 400, 'USAGE_INVALID'],
      [{ model, usage, at: 'yesterday' }, 400, 'BAD_REQUEST', /at/],
      [{ model, usage, at: '2026-02-30' }, 400, 'BAD_REQUEST', /at/],
      [{ model: 'not a model', usage }, 400, 'BAD_REQUEST', /model/],
      [{ model: `a/${'b'.repeat(300)}`, usage }, 400, 'BAD_REQUEST'],
      [{ usage }, 400, 'BAD_REQUEST', /model/],
      [{ model }, 400, 'BAD_REQUEST', /usage/],
      [{ model, usage: [1, 2] }, 400, 'BAD_REQUEST'],
      [{ model, usage, colour: 'red' }, 400, 'BAD_REQUEST'],
      [{ model, usage, format: 'mistral' }, 400, 'BAD_REQUEST', /format/],
      [{ model, usage, source: 'rumour' }, 400, 'BAD_REQUEST', /source/],
      [{ model, usage, images: -1 }, 400, 'BAD_REQUEST', /images/],
      [{ model, usage, web_searches: 1.5 }, 400, 'BAD_REQUEST', /web_searches/],
      [
        { model, usage, provider: 'openrouter', source: 'provider_site', at: DAYS[1] },
        400,
        'BAD_REQUEST',
        /routed/,
      ],
      [{ model, usage, provider: 'openrouter', tier: 'no such tier', at: DAYS[1] }, 400, 'TIER_UNKNOWN'],
      [{ model, usage, provider: 'nobody', at: DAYS[1] }, 404, 'NO_PRICE', /nobody/],
      [{ model: 'nobody/nothing', usage, at: DAYS[1] }, 404, 'NOT_FOUND'],
      // Claude has no per-image price: images cannot be priced, by no provider (never $0).
      [{ model, usage, images: 2, at: DAYS[1] }, 422, 'PRICE_MISSING', /image/],
      [{ model, usage, images: 2, provider: 'openrouter', at: DAYS[1] }, 422, 'PRICE_MISSING', /image/],
    ];
    for (const [body, status, code, message] of cases) {
      const got = await post(body);
      expect(got.res.status, `${JSON.stringify(body).slice(0, 120)} → ${JSON.stringify(got.body)}`).toBe(
        status,
      );
      expectError(status, got.body, code);
      if (message) expect((got.body.error as Json).message).toMatch(message);
    }
    // Not JSON, not an object, too large.
    for (const raw of ['{', '[]', 'null']) {
      const got = await post(raw, true);
      expect(got.res.status, raw).toBe(400);
      expectError(400, got.body, 'BAD_REQUEST');
    }
    const huge = await post({ model, usage: { ...usage, padding: 'x'.repeat(20_000) } });
    expect(huge.res.status).toBe(413);
    expectError(413, huge.body, 'PAYLOAD_TOO_LARGE');

    // GET: the same checks on query text, and a cap on usage.
    const getCases: [Record<string, string>, number, string, RegExp?][] = [
      [{ model, usage: '{' }, 400, 'BAD_REQUEST', /usage: not JSON/],
      [{ model, usage: '7' }, 400, 'BAD_REQUEST', /not a JSON object/],
      [{ model, usage: JSON.stringify({ note: 'x'.repeat(1500) }) }, 400, 'BAD_REQUEST', /1500/],
      [{ model, usage: JSON.stringify(usage), images: 'two' }, 400, 'BAD_REQUEST', /images/],
      [{ model, usage: JSON.stringify(usage), at: 'soon' }, 400, 'BAD_REQUEST', /at/],
      [{ model }, 400, 'BAD_REQUEST', /usage/],
      [{ model, usage: JSON.stringify(usage), page: '2' }, 400, 'BAD_REQUEST'],
      [{ model: 'nobody/nothing', usage: JSON.stringify(usage), at: DAYS[1] }, 404, 'NOT_FOUND'],
    ];
    for (const [q, status, code, message] of getCases) {
      const got = await getCost(q);
      expect(got.res.status, JSON.stringify(got.body)).toBe(status);
      expectError(status, got.body, code, 'get');
      if (message) expect((got.body!.error as Json).message).toMatch(message);
    }
    // A URL-encoded usage past the URL cap is refused before any work.
    const long = await getCost({ model, usage: JSON.stringify({ note: '"'.repeat(1000) }) });
    expect(long.res.status).toBe(400);
  });

  it('browsers may POST a JSON body (CORS preflight allows POST for the configured origin)', async () => {
    const res = await fetch(`${api.base}/v1/cost`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
  });

  it('BYOK and web searches: the fee and the per-search price as the consumer computes them', async () => {
    const model = 'anthropic/claude-sonnet-4.6';
    const usage = { prompt_tokens: 1000, completion_tokens: 100 };
    const { body } = await post({
      model,
      at: DAYS[1],
      provider: 'openrouter',
      usage,
      web_searches: 2,
      byok_requests_this_month: 1_000_000,
    });
    const item = ((body.data as Json).costs as Json[])[0]!;
    // $3 × 1000 + $15 × 100 per 1M = 0.0045; 2 searches × $0.01 = 0.02; BYOK 5 % of 0.0245 = 0.001225.
    expect(Object.fromEntries((item.components as Json[]).map((c) => [c.dimension, c.amount]))).toEqual({
      prompt: '0.003',
      completion: '0.0015',
      web_search: '0.02',
      byok_fee: '0.001225',
    });
    expect(item.total).toBe('0.025725');
    // The same through GET.
    const viaGet = await getCost({
      model,
      at: DAYS[1],
      provider: 'openrouter',
      usage: JSON.stringify(usage),
      web_searches: '2',
      byok_requests_this_month: '1000000',
    });
    expect(viaGet.body).toEqual(body);
  });
});
