// The API on a pipeline-filled database, shared by the int tests of tests/int/api: the sample catalog's
// two recorded OpenRouter days (fixtures/sample-catalog, 2026-08-01 and 2026-08-19, entries verbatim
// from OpenRouter) run through the REAL discovery, scraper and normalizer cores, projected by the
// sink's project() into a fresh database, and served by the API in process on 127.0.0.1, connected as
// a login granted api_reader. The app's clock is 2026-08-20T00:00:00Z. `validate` checks a response
// body against the API's own OpenAPI document (itself validated by swagger-parser).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Decimal } from 'decimal.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import SwaggerParser from '@apidevtools/swagger-parser';
import { expect } from 'vitest';
import { contentHash, type DecodedEvent } from '@llmpt/schemas';
import { discoverModels, emptyBlocklist, parseModelsResponse } from '@llmpt/discovery';
import { endpointObservations, endpointsUrl, routedPriceObservation } from '@llmpt/scraper';
import { normalizeAndDecide, type PriceState } from '@llmpt/normalizer';
import { createPostgresStore, project } from '@llmpt/sink';
import { buildApiApp, createCatalogReader } from '@llmpt/api';
import { freshDatabase, repoRoot, withClient, type FreshDatabase } from '@llmpt/testkit';

export type Json = Record<string, unknown>;
const catalogDir = path.join(repoRoot, 'fixtures', 'sample-catalog');
const DAYS = [
  { day: 'day1', at: Date.parse('2026-08-01T06:00:00Z') },
  { day: 'day2', at: Date.parse('2026-08-19T06:00:00Z') },
] as const;
export const readJson = (...p: string[]) =>
  JSON.parse(readFileSync(path.join(catalogDir, ...p), 'utf8')) as Json;
export const recorded = {
  day1: readJson('day1.models.json').data as Json[],
  day2: readJson('day2.models.json').data as Json[],
};

/** The events the real stages publish for one recorded day. */
export function dayEvents(day: 'day1' | 'day2', at: number, state: Map<string, PriceState>): DecodedEvent[] {
  const out: DecodedEvent[] = [];
  const endpoints = readJson('endpoints', `${day}.json`);
  const runId = `api-test-${day}`;
  const { events } = discoverModels(parseModelsResponse(readJson(`${day}.models.json`)).entries, {
    runId,
    fetchedAt: at,
    sourceUrl: 'https://openrouter.ai/api/v1/models',
    blocklist: emptyBlocklist,
  });
  for (const md of events) {
    out.push({ name: 'ModelDiscovered', event: md });
    const raws = [routedPriceObservation(md, { runId, fetchedAt: at + 1000 })];
    const list = endpoints[md.model_id];
    if (Array.isArray(list)) {
      const resp = { data: { id: md.model_id, endpoints: list } };
      raws.push(
        ...endpointObservations(md, resp, {
          runId,
          fetchedAt: at + 2000,
          sourceUrl: endpointsUrl('https://openrouter.ai', md),
          contentHash: contentHash(JSON.stringify(resp)),
        }).observations,
      );
    }
    for (const raw of raws) {
      out.push({ name: 'RawPriceObserved', event: raw });
      const { normalized, changed, next } = normalizeAndDecide(state, raw);
      if (next) state.set(normalized.price_key, next);
      out.push({ name: 'NormalizedPrice', event: normalized });
      if (changed) out.push({ name: 'PriceChanged', event: changed });
    }
  }
  return out;
}

/** A published per-token price as we store it: ×1M, scale 8 half-even, ÷1M (README "Price keys"). */
export function asStored(published: string): string {
  return new Decimal(published).times(1e6).toDecimalPlaces(8, Decimal.ROUND_HALF_EVEN).div(1e6).toFixed();
}

/** The recorded `pricing` as our API must print it: every key, float artifacts rounded as stored. */
export function expectedPricing(pricing: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(pricing)) {
    if (k === 'overrides')
      out[k] = (v as Json[]).map((o) =>
        Object.fromEntries(
          Object.entries(o).map(([ok, ov]) => [ok, typeof ov === 'string' ? asStored(ov) : ov]),
        ),
      );
    else out[k] = typeof v === 'string' ? asStored(v) : v;
  }
  return out;
}

/** The events the real stages publish for the two recorded days (one batch per day), in topic order. */
export function recordedEvents(): DecodedEvent[][] {
  const state = new Map<string, PriceState>();
  return DAYS.map(({ day, at }) => dayEvents(day, at, state));
}

export interface RecordedApi {
  readonly db: FreshDatabase;
  /** What filled the database: the real stages' events, one batch per recorded day. */
  readonly events: readonly (readonly DecodedEvent[])[];
  /** http://127.0.0.1:<port> */
  readonly base: string;
  /** The login granted api_reader the app connects as, and its password. */
  readonly login: string;
  readonly password: string;
  /** Asserts that `body` is what the OpenAPI document says `pathKey` answers with `status` (to a GET by default). */
  readonly validate: (pathKey: string, status: number, body: unknown, method?: 'get' | 'post') => void;
  /** GET, the body parsed as JSON (undefined when empty). */
  readonly get: (
    pathAndQuery: string,
    headers?: Record<string, string>,
  ) => Promise<{ res: Response; body: Json | undefined }>;
  /** Closes the app and the reader, drops the database and the login. */
  readonly stop: () => Promise<void>;
}

/** Fills a fresh database (named after `label`) with the two recorded days and serves the API on it. */
export async function startRecordedApi(label: string): Promise<RecordedApi> {
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const login = `api_test_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const db = await freshDatabase(label);
  const events = recordedEvents();
  const store = createPostgresStore({ databaseUrl: db.url, logger });
  try {
    for (const batch of events) await store.writeBatch(project(batch));
  } finally {
    await store.close();
  }
  // The deployment's way: a login of its own, granted the read-only role.
  await withClient(db.url, (c) =>
    c.query(`create role ${login} login password '${password}' in role api_reader`),
  );
  const { base, close } = await serveApi(db.url, login, password);

  // The OpenAPI document: valid per swagger-parser, and the schema every response is checked against.
  const doc = (await (await fetch(`${base}/openapi.json`)).json()) as Json;
  await SwaggerParser.validate(structuredClone(doc) as never);
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const paths = doc.paths as Record<string, Record<string, { responses: Record<string, Json> }>>;
  const validate = (pathKey: string, status: number, body: unknown, method: 'get' | 'post' = 'get'): void => {
    const response = paths[pathKey]?.[method]?.responses[String(status)];
    expect(response, `${method} ${pathKey} ${status} documented`).toBeDefined();
    const schema = ((response!.content as Json)['application/json'] as Json).schema as Json;
    const check = ajv.compile(schema);
    expect(check(body), JSON.stringify(check.errors)).toBe(true);
  };
  const get = async (pathAndQuery: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${pathAndQuery}`, { headers });
    const text = await res.text();
    return { res, body: text === '' ? undefined : (JSON.parse(text) as Json) };
  };
  const stop = async () => {
    await close();
    await db.drop();
    await withClient(db.url.replace(/\/[^/?]+(\?|$)/, '/postgres$1'), (c) =>
      c.query(`drop role if exists ${login}`),
    ).catch(() => undefined);
  };
  return { db, events, base, login, password, validate, get, stop };
}

/**
 * The API app in process on 127.0.0.1 over the database at `databaseUrl`, connected as `login` (a
 * login granted api_reader: roles are the cluster's, so one login serves several databases), with the
 * recorded tests' clock (2026-08-20T00:00:00Z). `close` stops the app and its reader.
 */
export async function serveApi(
  databaseUrl: string,
  login: string,
  password: string,
): Promise<{ base: string; close: () => Promise<void> }> {
  const url = new URL(databaseUrl);
  url.username = login;
  url.password = password;
  const reader = createCatalogReader({ databaseUrl: url.toString(), poolSize: 4 });
  const app = await buildApiApp({
    reader,
    now: () => new Date('2026-08-20T00:00:00Z'),
    rateLimit: { max: 1000, windowMs: 60_000 },
    corsOrigins: ['https://app.example'],
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    base,
    close: async () => {
      await app.close();
      await reader.close();
    },
  };
}
