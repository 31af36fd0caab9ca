// Poison input end to end: a `/models` response of a few real entries and malformed ones. Discovery
// sends the entries it cannot read to the dead-letter topic with the reason and goes on; a price
// string it cannot judge ("abc") passes discovery and dead-letters in the normalizer with the
// coordinates of the message; the good models still reach the database.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEvent } from '@llmpt/schemas';
import { sampleCatalog, startFixtureServer, type FixtureServer } from '@llmpt/fixture-server';
import { consumeAll, uniquePrefix } from '@llmpt/testkit';
import { eventsOf, observationRows, runEvents, valuesOf } from './checks.ts';
import { expectedRoutedPrice, readModels, type ModelEntry } from './expected.ts';
import { startPipeline, type E2EPipeline } from './harness.ts';

const real = readModels(sampleCatalog().models[0]);
const pick = (id: string): ModelEntry => {
  const m = real.find((e) => e.id === id);
  if (!m) throw new Error(`${id} is not in the sample catalog`);
  return m;
};
const sonnet = pick('anthropic/claude-sonnet-4.6');
const gpt4o = pick('openai/gpt-4o');
const auto = pick('openrouter/auto');
const UNPARSABLE_ID = 'e2e-test/unparsable-prompt';

const { id: _dropped, ...withoutId } = gpt4o;
const entries: unknown[] = [
  sonnet,
  withoutId, // 1: no id
  { ...gpt4o, id: 'e2e-test/pricing-not-an-object', pricing: 'free' }, // 2
  { ...gpt4o, id: 'e2e-test/number-prompt', pricing: { ...gpt4o.pricing, prompt: 0.0000025 } }, // 3
  gpt4o,
  {
    ...gpt4o,
    id: UNPARSABLE_ID,
    canonical_slug: UNPARSABLE_ID,
    pricing: { prompt: 'abc', completion: '0.00001' },
  },
  { ...sonnet, pricing: { ...sonnet.pricing, prompt: '0.000001' } }, // 6: duplicate id, second copy
  auto,
];

describe('dead letters from discovery and the normalizer', () => {
  let dir: string;
  let server: FixtureServer;
  let p: E2EPipeline;
  const runId = `e2e-${uniquePrefix('dlq').slice(2, -1)}`;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'llmpt-e2e-dlq-'));
    const file = path.join(dir, 'models.json');
    writeFileSync(file, JSON.stringify({ data: entries }));
    server = await startFixtureServer({ models: file });
    p = await startPipeline({
      name: 'dead-letters',
      store: 'postgres',
      openRouterBaseUrl: server.url,
      scraperEnv: { SCRAPE_ENDPOINTS: 'false' },
    });
  });
  afterAll(async () => {
    await p?.stop();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rejects the malformed entries, dead-letters the unparsable price, writes the rest', async () => {
    const res = await p.runDay(runId);
    // The one-line summary: 8 entries read, 4 sent on, 4 rejected.
    expect(res.stdout).toMatch(
      new RegExp(
        `^discovery run=${runId} models=8 sent=4 rejected=4 blocked=0 providers=\\S+ seconds=\\d+\\.\\d{2}$`,
        'm',
      ),
    );

    const dead = await eventsOf(p, 'DeadLetter');
    const fromDiscovery = dead.filter((d) => d.stage === 'discovery');
    const modelsUrl = `${server.url}/api/v1/models`;
    expect(
      fromDiscovery
        .map((d) => ({
          code: d.error_code,
          run: d.run_id,
          url: d.source_url,
          topic: d.source_topic,
          retriable: d.retriable,
          entry: JSON.parse(d.payload.toString('utf8')) as unknown,
        }))
        .sort((a, b) => JSON.stringify(a.entry).localeCompare(JSON.stringify(b.entry))),
    ).toEqual(
      [entries[1], entries[2], entries[3], entries[6]]
        .map((entry, i) => ({
          code: i === 3 ? 'DUPLICATE_ID' : 'INVALID_ENTRY',
          run: runId,
          url: modelsUrl,
          topic: null,
          retriable: false,
          entry,
        }))
        .sort((a, b) => JSON.stringify(a.entry).localeCompare(JSON.stringify(b.entry))),
    );
    // The reasons name what is wrong.
    const reason = (i: number) =>
      fromDiscovery.find((d) => d.payload.toString('utf8') === JSON.stringify(entries[i]))?.error_message;
    expect(reason(1)).toMatch(/id/);
    expect(reason(2)).toMatch(/pricing/);
    expect(reason(3)).toMatch(/prompt/);
    expect(reason(6)).toMatch(/duplicate id anthropic\/claude-sonnet-4\.6/);

    // The normalizer's dead letter points at the raw observation it could not read.
    const fromNormalizer = dead.filter((d) => d.stage === 'normalizer');
    expect(fromNormalizer.map((d) => d.error_code)).toEqual(['UNPARSABLE_PRICE']);
    const dl = fromNormalizer[0]!;
    expect(dl.error_message).toMatch(/abc/);
    expect(dl.source_topic).toBe(p.topics.rawPriceObserved);
    expect(dl.run_id).toBe(runId);
    const raws = await consumeAll(p.kafka, p.topics.rawPriceObserved);
    const source = raws.find((m) => m.partition === dl.source_partition && m.offset === dl.source_offset);
    expect(source?.name).toBe('RawPriceObserved');
    expect(source?.event).toMatchObject({ model_id: UNPARSABLE_ID, source_type: 'openrouter_api' });
    // The payload is the failed message itself.
    expect(decodeEvent(dl.payload)).toMatchObject({
      name: 'RawPriceObserved',
      event: { model_id: UNPARSABLE_ID },
    });

    // The rest of the run completed: the good models are catalogued and priced.
    const catalog = await p.db.query<{ model_id: string }>(
      'select model_id from models_catalog order by model_id',
    );
    expect(catalog.rows.map((r) => r.model_id)).toEqual([sonnet.id, gpt4o.id, auto.id, UNPARSABLE_ID].sort());
    const normalized = await runEvents(p, 'NormalizedPrice', runId);
    const rows = await observationRows(
      p.db,
      normalized.map((e) => e.event_id),
    );
    expect(rows.map((r) => [r.model_id, r.status])).toEqual([
      ['anthropic/claude-sonnet-4.6', 'ok'],
      ['openai/gpt-4o', 'ok'],
      ['openrouter/auto', 'unavailable'],
    ]);
    // The first copy of the duplicated id is the one priced: $3 / $15 per 1M.
    expect(valuesOf(rows[0]!)).toEqual(expectedRoutedPrice(sonnet.pricing).values);
    expect(rows[0]).toMatchObject({ prompt: '3.00000000', completion: '15.00000000' });
    console.info('[e2e dead-letters]', {
      ms: res.ms,
      discoveryDeadLetters: fromDiscovery.length,
      normalizerDeadLetters: fromNormalizer.length,
      observations: rows.length,
    });
  });
});
