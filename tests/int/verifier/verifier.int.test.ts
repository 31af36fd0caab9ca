// The verifier wired as main.ts wires it, on the real stack: pairs and prices read from a migrated
// Postgres (model_providers, price_at), probes sent to a local server answering with the recorded
// chat completions, events published to Kafka, read back and written by the sink's store into
// byok_verifications and price_discrepancies (migrations/0018). Expected values are worked by hand
// from services/verifier/README.md "What a verification checks", as in the verifier's unit test.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createProducer, type Producer } from '@llmpt/runtime/kafka';
import { normalizedPrice } from '@llmpt/schemas/samples';
import { createPostgresStore, project, type DecodedEvent, type PriceStore } from '@llmpt/sink';
import {
  consumeAll,
  createTestTopics,
  deleteTestTopics,
  freshDatabase,
  sharedData,
  testKafka,
  uniquePrefix,
  type FreshDatabase,
} from '@llmpt/testkit';
import {
  createProbeClient,
  kafkaPublisher,
  loadCandidates,
  priceLookup,
  runVerification,
  type RunSummary,
} from '@llmpt/verifier';

const cassette = (file: string) =>
  JSON.stringify(
    (
      parseYaml(readFileSync(sharedData('openrouter', 'chat', file), 'utf8')) as {
        interactions: { response: { parsed_body: unknown } }[];
      }
    ).interactions[0]!.response.parsed_body,
  );

const answers: Record<string, string> = {
  'openai/gpt-4.1-mini|openai': cassette('chat-cassette_gpt41mini-websearch_pydantic-ai_2026-08-11.yaml'),
  'google/gemini-2.5-flash|google-ai-studio': cassette(
    'chat-cassette_gemini25flash-cache_pydantic-ai_2026-03-08.yaml',
  ),
};

let server: Server;
let baseUrl = '';
let fresh: FreshDatabase;
let db: pg.Client;
let store: PriceStore;
let producer: Producer;
const kafka = testKafka('verifier-int');
const prefix = uniquePrefix('verifier');
let summary: RunSummary;

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(text) as { model: string; provider: { order: string[] } };
      const answer = answers[`${body.model}|${body.provider.order[0]}`];
      if (answer === undefined) return void res.writeHead(404).end('{"error":{"code":404,"message":"none"}}');
      res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  fresh = await freshDatabase('verifier', { namePrefix: 'llmpt_verifier' });
  db = new pg.Client({ connectionString: fresh.url });
  await db.connect();
  store = createPostgresStore({ databaseUrl: fresh.url });
  await createTestTopics(prefix, { kafka });
  producer = createProducer(kafka, { idempotent: true });
  await producer.connect();

  // The endpoint prices as the pipeline holds them (USD per 1M, scale 8): gpt-4.1-mini as OpenRouter
  // listed it on 2026-08-01 ($0.40 / $1.60, cache read $0.10, web search $0.01 each); Gemini 2.5 Flash
  // as /endpoints publishes it (prompt $0.30, completion $2.50, cache read $0.03, no cache-write rate).
  await store.writeBatch(
    project([
      normalizedPrice({
        model_id: 'openai/gpt-4.1-mini',
        provider: 'openai',
        observed_at: Date.UTC(2026, 7, 1),
        prompt: '0.40000000',
        completion: '1.60000000',
        input_cache_read: '0.10000000',
        input_cache_write: null,
        image: null,
        web_search: '0.01000000',
      }),
      normalizedPrice({
        model_id: 'google/gemini-2.5-flash',
        provider: 'google-ai-studio',
        // Seen in the same listing as the pair above: the verifier probes the pairs of the latest
        // listings only (README "What a run probes").
        observed_at: Date.UTC(2026, 7, 1),
        prompt: '0.30000000',
        completion: '2.50000000',
        input_cache_read: '0.03000000',
        input_cache_write: null,
        image: null,
      }),
    ]),
  );

  summary = await runVerification({
    runId: `${prefix}run`,
    client: createProbeClient({ baseUrl, apiKey: 'sk-or-test', timeoutMs: 10_000 }),
    candidates: await loadCandidates(db),
    priceOf: priceLookup(db),
    publish: kafkaPublisher(producer, prefix),
    k: 10,
    recentDays: 7,
    spendCap: '1',
    promptTokenBound: 64,
    tolerance: { absolute: '0.000000001', relative: '0.01' },
    now: () => new Date(),
  });
});

afterAll(async () => {
  await producer?.disconnect();
  await store?.close();
  await db?.end();
  await fresh?.drop();
  await deleteTestTopics(prefix, { kafka });
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('the verifier on the stack', () => {
  it('probes the pairs the catalog holds, at the prices price_at gives', () => {
    expect(summary).toMatchObject({ disabled: false, sampled: 2, probed: 2, discrepancies: 1 });
    expect(summary.outcomes).toEqual({ charged: 2 });
  });

  it('publishes both events, which the sink writes once and never rewrites', async () => {
    const verified = await consumeAll(kafka, `${prefix}pricing.price-verified.v1`);
    const discrepancies = await consumeAll(kafka, `${prefix}pricing.price-discrepancy.v1`);
    expect(verified.map((m) => m.key).sort()).toEqual([
      'google/gemini-2.5-flash|google-ai-studio',
      'openai/gpt-4.1-mini|openai',
    ]);
    expect(discrepancies.map((m) => m.key)).toEqual(['google/gemini-2.5-flash|google-ai-studio']);
    const events = [...verified, ...discrepancies].map(
      (m) => ({ name: m.name, event: m.event }) as DecodedEvent,
    );

    const first = await store.writeBatch(project(events));
    expect(first.inserted).toMatchObject({ verifications: 2, discrepancies: 1 });
    const again = await store.writeBatch(project(events));
    expect(again.inserted).toMatchObject({ verifications: 0, discrepancies: 0 });

    const rows = await db.query(
      `select model_id, provider, outcome, served_provider, is_byok, cost::text, price_key,
              expected_cost::text, charged_cost::text, difference::text, discrepancy,
              usage -> 'server_tool_use_details' ->> 'web_search_requests' as searches
         from byok_verifications order by model_id`,
    );
    expect(rows.rows).toEqual([
      {
        model_id: 'google/gemini-2.5-flash',
        provider: 'google-ai-studio',
        outcome: 'charged',
        served_provider: 'Google AI Studio',
        is_byok: false,
        cost: '0.0004970133333333333',
        price_key: 'google/gemini-2.5-flash|google-ai-studio|openrouter_endpoints',
        // 7 × 0.30/M + 2161 × 0.03/M + 2161 written at the prompt rate (no cache-write price) × 0.30/M
        // + 100 × 2.50/M = 0.0000021 + 0.00006483 + 0.0006483 + 0.00025.
        expected_cost: '0.00096523',
        charged_cost: '0.0004970133333333333',
        difference: '-0.0004682166666666667',
        discrepancy: true,
        searches: null,
      },
      {
        model_id: 'openai/gpt-4.1-mini',
        provider: 'openai',
        outcome: 'charged',
        served_provider: 'OpenAI',
        is_byok: false,
        cost: '0.0133176',
        price_key: 'openai/gpt-4.1-mini|openai|openrouter_endpoints',
        // 8174 × 0.40/M + 30 × 1.60/M + 1 × 0.01 = 0.0032696 + 0.000048 + 0.01.
        expected_cost: '0.0133176',
        charged_cost: '0.0133176',
        difference: '0',
        discrepancy: false,
        searches: '1',
      },
    ]);
    const d = await db.query(
      `select model_id, expected_cost::text, charged_cost::text, relative_difference::text from price_discrepancies`,
    );
    expect(d.rows).toEqual([
      {
        model_id: 'google/gemini-2.5-flash',
        expected_cost: '0.00096523',
        charged_cost: '0.0004970133333333333',
        relative_difference: '-0.48508300',
      },
    ]);
  });

  it('keeps the verifications as history: an update is refused, and the next run sees them as verified', async () => {
    await expect(db.query(`update byok_verifications set notes = 'edited'`)).rejects.toThrow(/append-only/);
    await expect(db.query(`delete from price_discrepancies`)).rejects.toThrow(/append-only/);
    const after = await loadCandidates(db);
    expect(after.every((c) => c.last_verified_at !== null)).toBe(true);
  });
});
