// The verifier in the offline daily run (README "The daily run"): a local stand-in for OpenRouter's
// chat API answers with real recorded chat completions (../shared/data/openrouter/chat, served in
// place, never copied), so a new user sees the verifier probe the sample's pairs, compare each charge
// with the price in force and flag what differs, without a key and without spending anything.
// Absent ../shared: said, and skipped.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { parse as parseYaml } from 'yaml';
import { createProducer, type Kafka } from '@llmpt/runtime/kafka';
import { sharedData } from '@llmpt/testkit';
import {
  createProbeClient,
  formatSummary,
  kafkaPublisher,
  loadCandidates,
  priceLookup,
  runVerification,
} from '@llmpt/verifier';

/** The sample's pairs that have a recorded answer, and the recording (a cassette and its call). */
const RECORDED: Readonly<Record<string, { file: string; call: number }>> = {
  // 2026-03-08: 3211 prompt tokens written to Anthropic's cache.
  'anthropic/claude-sonnet-4.6|anthropic': {
    file: 'chat-cassette_anthropic-sonnet46-cache_pydantic-ai_2026-03-08.yaml',
    call: 0,
  },
  // 2026-03-08: Gemini's explicit cache, the same 2161 tokens reported read and written.
  'google/gemini-2.5-flash|google-ai-studio': {
    file: 'chat-cassette_gemini25flash-cache_pydantic-ai_2026-03-08.yaml',
    call: 0,
  },
};

function recordedAnswer(file: string, call: number): string {
  const doc = parseYaml(readFileSync(sharedData('openrouter', 'chat', file), 'utf8')) as {
    interactions: { response: { parsed_body: unknown } }[];
  };
  return JSON.stringify(doc.interactions[call]!.response.parsed_body);
}

async function recordedServer(): Promise<{ server: Server; url: string }> {
  const answers = new Map(Object.entries(RECORDED).map(([k, r]) => [k, recordedAnswer(r.file, r.call)]));
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(text) as { model?: string; provider?: { order?: string[] } };
      const answer = answers.get(`${body.model}|${body.provider?.order?.[0]}`);
      if (answer === undefined)
        return void res.writeHead(404).end('{"error":{"code":404,"message":"no recording"}}');
      res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * Probes the sample's recorded pairs, publishes the events, waits (`drain`) until the sink wrote
 * them, and returns the lines to print.
 */
export async function verifyOffline(o: {
  readonly kafka: Kafka;
  readonly prefix: string;
  readonly databaseUrl: string;
  readonly drain: () => Promise<void>;
}): Promise<string[]> {
  if (!existsSync(sharedData('openrouter', 'chat')))
    return [
      'verifier: skipped (no ../shared/data/openrouter/chat: no recorded chat completions to answer it)',
    ];
  const db = new pg.Client({ connectionString: o.databaseUrl });
  await db.connect();
  const { server, url } = await recordedServer();
  const producer = createProducer(o.kafka, { idempotent: true });
  await producer.connect();
  try {
    const candidates = (await loadCandidates(db, { recentOnly: false })).filter(
      (c) => `${c.model_id}|${c.provider}` in RECORDED,
    );
    // One run id for every offline run: the same probes are the same events (ids derive from the run
    // and the pair), so running the daily again adds no row, as the rest of the offline run.
    const runId = 'daily-offline-verify';
    const summary = await runVerification({
      runId,
      // The local stand-in, never OpenRouter: no key is used and nothing is spent.
      client: createProbeClient({ baseUrl: url, apiKey: 'offline-recorded-answers', timeoutMs: 10_000 }),
      candidates,
      priceOf: priceLookup(db),
      publish: kafkaPublisher(producer, o.prefix),
      k: candidates.length,
      recentDays: 7,
      spendCap: '1',
      promptTokenBound: 64,
      tolerance: { absolute: '0.000000001', relative: '0.01' },
      now: () => new Date(),
    });
    await o.drain();
    const { rows } = await db.query<Record<string, string | boolean | null>>(
      `select model_id, provider, outcome, expected_cost::text expected, charged_cost::text charged,
              difference::text difference, discrepancy, price_key
         from byok_verifications where run_id = $1 order by model_id, provider`,
      [runId],
    );
    return [
      `${formatSummary(summary)} (offline: recorded answers from ../shared/data/openrouter/chat)`,
      ...rows.map(
        (r) =>
          `  ${String(r.model_id)} @ ${String(r.provider)}: ${String(r.outcome)}, charged $${String(r.charged)}, ` +
          `expected $${String(r.expected)} at ${String(r.price_key)} (difference ${String(r.difference)})` +
          (r.discrepancy ? ' DISCREPANCY' : ''),
      ),
      '  (table byok_verifications; discrepancies in price_discrepancies; services/verifier/README.md)',
    ];
  } finally {
    await producer.disconnect();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await db.end();
  }
}
