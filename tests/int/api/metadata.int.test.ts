// The model metadata in force at a time (docs/design.md §3 "Model metadata history", migrations/0015;
// services/api/README.md "Model fields", packages/exports/README.md): on the recorded days
// (tests/int/api/setup.ts), a later day's ModelDiscovered with a different context length and name,
// written through the sink's projection, changes neither the answers about a past moment nor a past
// date's export, byte for byte; and a database without sightings (as one filled before 0015) falls
// back to models_catalog for /v1/models and the current export only. Expected values come from the
// recorded files and the rule, never from the readers' code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { discoverModels, emptyBlocklist, parseModelsResponse } from '@llmpt/discovery';
import { createPostgresStore, project } from '@llmpt/sink';
import { withClient, type FreshDatabase } from '@llmpt/testkit';
import { readJson, recorded, startRecordedApi, type Json, type RecordedApi } from './setup.ts';

const LABEL = 'api_metadata';
const MODEL = 'x-ai/grok-4.3';
const DAY3 = Date.parse('2026-08-21T06:00:00Z');
const FORMATS = ['litellm.json', 'genai-prices.json', 'models-dev.json', 'csv.csv'] as const;

const day1Entry = recorded.day1.find((m) => m.id === MODEL)!;
const day2Entry = recorded.day2.find((m) => m.id === MODEL)!;

describe('model metadata as it stood at a time', () => {
  let api: RecordedApi;
  let db: FreshDatabase;
  const get: RecordedApi['get'] = (p, h) => api.get(p, h);
  const text = async (p: string): Promise<string> => {
    const res = await fetch(`${api.base}${p}`);
    expect(res.status, p).toBe(200);
    return res.text();
  };
  const modelAt = async (at: string): Promise<Json | undefined> => {
    const { res, body } = await get(`/v1/models?at=${encodeURIComponent(at)}`);
    expect(res.status).toBe(200);
    api.validate('/v1/models', 200, body);
    return (body!.data as Json[]).find((m) => m.id === MODEL);
  };
  const modelsDevEntry = (file: string): Json => {
    const providers = JSON.parse(file) as Record<string, { models: Record<string, Json> }>;
    return providers.openrouter!.models[MODEL]!;
  };

  beforeAll(async () => {
    api = await startRecordedApi(LABEL);
    db = api.db;
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
  });

  it('the recorded days differ for the model (the premise): renamed on day 2', () => {
    expect(day1Entry.name).toBe('xAI: Grok 4.3');
    expect(day2Entry.name).toBe('SpaceXAI: Grok 4.3');
  });

  it('a past date’s exports carry the metadata of that date, and a later day’s metadata changes none of their bytes', async () => {
    // Exports of a past day carry the names and context lengths in force at its end.
    const before18 = modelsDevEntry(await text('/v1/exports/models-dev/2026-08-18.json'));
    expect(before18).toMatchObject({ name: day1Entry.name, limit: { context: day1Entry.context_length } });
    const before = Object.fromEntries(
      await Promise.all(
        FORMATS.map(async (f) => [f, await text(`/v1/exports/${f.replace('.', '/2026-08-19.')}`)]),
      ),
    ) as Record<(typeof FORMATS)[number], string>;
    expect(modelsDevEntry(before['models-dev.json'])).toMatchObject({
      name: day2Entry.name,
      limit: { context: day2Entry.context_length },
    });
    expect((JSON.parse(before['litellm.json']) as Record<string, Json>)[`openrouter/${MODEL}`]).toMatchObject(
      {
        max_input_tokens: day2Entry.context_length,
      },
    );
    const modelsDay2 = await text('/v1/models?at=2026-08-19T12:00:00Z');
    const modelsDay1 = await text('/v1/models?at=2026-08-02');

    // Day 3: the model's entry with another context length and name, through the real discovery core
    // (so a real ModelDiscovered id for the new content) and the sink's projection.
    const listing = readJson('day2.models.json');
    const entry = {
      ...(listing.data as Json[]).find((m) => m.id === MODEL)!,
      name: 'SpaceXAI: Grok 4.3 (day 3)',
      context_length: 2_000_000,
    };
    const { events } = discoverModels(parseModelsResponse({ data: [entry] }).entries, {
      runId: 'api-test-day3',
      fetchedAt: DAY3,
      sourceUrl: 'https://openrouter.ai/api/v1/models',
      blocklist: emptyBlocklist,
    });
    expect(events).toHaveLength(1);
    const store = createPostgresStore({ databaseUrl: db.url, logger: pino({ level: 'silent' }) });
    try {
      const result = await store.writeBatch(project([{ name: 'ModelDiscovered', event: events[0]! }]));
      expect(result.inserted).toMatchObject({ modelVersions: 1, modelSightings: 1 });
    } finally {
      await store.close();
    }

    // The write took effect: day 3's answer has the new metadata (and day 2's price, still in force).
    const day3 = await modelAt('2026-08-21T07:00:00Z');
    expect(day3).toMatchObject({ name: 'SpaceXAI: Grok 4.3 (day 3)', context_length: 2_000_000 });
    expect(day3!.pricing).toEqual((await modelAt('2026-08-19T12:00:00Z'))!.pricing);
    // And nothing about the past moved: the same bytes.
    for (const f of FORMATS)
      expect(await text(`/v1/exports/${f.replace('.', '/2026-08-19.')}`), f).toBe(before[f]);
    expect(await text('/v1/models?at=2026-08-19T12:00:00Z')).toBe(modelsDay2);
    expect(await text('/v1/models?at=2026-08-02')).toBe(modelsDay1);
  });

  it('without any sighting (a database filled before migration 0015): models_catalog for /v1/models and the current export only', async () => {
    // Simulate the database of before 0015: no sightings. The history is append-only for everyone;
    // replication mode skips user triggers, as an admin's cleanup would.
    await withClient(db.url, async (c) => {
      await c.query('begin');
      await c.query('set local session_replication_role = replica');
      await c.query('delete from model_sightings');
      await c.query('commit');
    });
    const newest = await withClient(db.url, (c) =>
      c.query<{ name: string; context_length: string }>(
        'select name, context_length::text from models_catalog where model_id = $1',
        [MODEL],
      ),
    );
    // models_catalog holds the newest entry: day 3's (the previous test wrote it).
    expect(newest.rows).toEqual([{ name: 'SpaceXAI: Grok 4.3 (day 3)', context_length: '2000000' }]);
    // /v1/models falls back to it, whatever the moment asked about.
    expect(await modelAt('2026-08-02')).toMatchObject({
      name: 'SpaceXAI: Grok 4.3 (day 3)',
      context_length: 2_000_000,
    });
    // The current export too (the app's clock is 2026-08-20).
    expect(modelsDevEntry(await text('/v1/exports/models-dev.json'))).toMatchObject({
      name: 'SpaceXAI: Grok 4.3 (day 3)',
      limit: { context: 2_000_000 },
    });
    // A past date's export never reads models_catalog: no name (models.dev then names the model by
    // its id) and no context length.
    const past = modelsDevEntry(await text('/v1/exports/models-dev/2026-08-19.json'));
    expect(past.name).toBe(MODEL);
    expect(past).not.toHaveProperty('limit');
    const litellm = JSON.parse(await text('/v1/exports/litellm/2026-08-19.json')) as Record<string, Json>;
    expect(litellm[`openrouter/${MODEL}`]).not.toHaveProperty('max_input_tokens');
  });
});
