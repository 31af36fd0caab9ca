// The API on a pipeline-filled database (tests/int/api/setup.ts: two recorded OpenRouter days through
// the real stages, served as a login granted api_reader). Expected values come from the recorded files
// and services/api/README.md, never from the API's code. Exports and the Atom feed have their own files.
import path from 'node:path';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiApp, createCatalogReader, MAX_URL_LENGTH } from '@llmpt/api';
import { repoRoot, waitFor, withClient, type FreshDatabase } from '@llmpt/testkit';
import {
  expectedPricing,
  readJson,
  recorded,
  startRecordedApi,
  type Json,
  type RecordedApi,
} from './setup.ts';

const LABEL = 'api';

/** The fields of a model entry the catalog publishes (README "Model fields"), as OpenRouter writes them. */
function modelFields(m: Json): Json {
  const arch = (m.architecture ?? {}) as Json;
  return {
    canonical_slug: m.canonical_slug ?? null,
    name: m.name,
    created: m.created ?? null,
    description: m.description ?? null,
    context_length: m.context_length ?? null,
    architecture: {
      modality: arch.modality ?? null,
      input_modalities: arch.input_modalities ?? [],
      output_modalities: arch.output_modalities ?? [],
      tokenizer: arch.tokenizer ?? null,
      instruct_type: arch.instruct_type ?? null,
    },
    top_provider: m.top_provider ?? null,
    per_request_limits: m.per_request_limits ?? null,
    supported_parameters: m.supported_parameters ?? [],
    expiration_date: m.expiration_date ?? null,
  };
}

describe('services/api on two recorded OpenRouter days', () => {
  let api: RecordedApi;
  let db: FreshDatabase;
  let base: string;
  let login: string;
  let password: string;
  let validate: RecordedApi['validate'];
  const get: RecordedApi['get'] = (p, h) => api.get(p, h);

  beforeAll(async () => {
    api = await startRecordedApi(LABEL);
    ({ db, base, validate, login, password } = api);
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
  });

  it('the OpenAPI document is valid OpenAPI 3.1 and documents every v1 route', async () => {
    const { res, body } = await get('/openapi.json');
    expect(res.status).toBe(200);
    expect(body!.openapi).toBe('3.1.0');
    expect(Object.keys(body!.paths as Json).sort()).toEqual([
      '/livez',
      '/readyz',
      '/v1/catalog',
      '/v1/changes',
      '/v1/changes.atom',
      '/v1/cost',
      '/v1/exports/{file}',
      '/v1/exports/{format}/{file}',
      '/v1/models',
      '/v1/models/{author}/{slug}/endpoints',
      '/v1/models/{author}/{slug}/history',
      '/v1/subscriptions',
      '/v1/subscriptions/{id}',
      '/v1/subscriptions/{id}/replay',
    ]);
  });

  it('for each recorded day, the routed pricing equals that day’s recorded /models pricing, model by model', async () => {
    for (const [day, at] of [
      ['day1', '2026-08-01T12:00:00Z'],
      ['day2', '2026-08-19T12:00:00Z'],
    ] as const) {
      const { res, body } = await get(`/v1/models?at=${at}`);
      expect(res.status).toBe(200);
      validate('/v1/models', 200, body);
      const ours = new Map((body!.data as Json[]).map((m) => [m.id as string, m]));
      for (const m of recorded[day]) {
        const mine = ours.get(m.id as string);
        expect(mine, `${day} ${String(m.id)}`).toBeDefined();
        const published = m.pricing as Json;
        // OpenRouter's "-1" (variable router price) is not a price: stored as unavailable, served as {}
        // (services/api/README.md "Price keys").
        if (Object.values(published).includes('-1')) expect(mine!.pricing).toEqual({});
        else expect(mine!.pricing, `${day} ${String(m.id)}`).toEqual(expectedPricing(published));
        // Model fields are the catalog entry in force at `at` (README "Model fields"): that day's.
        expect(modelFields(mine!), `${day} ${String(m.id)}`).toEqual(modelFields(m));
      }
    }
  });

  it('?at= on each day: the model metadata as that day published it, where the two days differ', async () => {
    // From the recorded files: the models whose published metadata differs between the two days.
    const day2 = new Map(recorded.day2.map((m) => [m.id as string, m]));
    const differing = recorded.day1.filter((m) => {
      const later = day2.get(m.id as string);
      return later !== undefined && JSON.stringify(modelFields(m)) !== JSON.stringify(modelFields(later));
    });
    // x-ai/grok-4.3 was renamed "SpaceXAI: Grok 4.3" on day 2, among others.
    expect(differing.map((m) => m.id)).toContain('x-ai/grok-4.3');
    for (const m of differing) {
      const id = m.id as string;
      const [atDay1, atDay2] = await Promise.all(
        ['2026-08-18T23:59:59Z', '2026-08-19T06:00:02Z'].map(async (at) => {
          const { res, body } = await get(`/v1/models?at=${at}`);
          expect(res.status).toBe(200);
          return (body!.data as Json[]).find((x) => x.id === id);
        }),
      );
      expect(modelFields(atDay1!), id).toEqual(modelFields(m));
      expect(modelFields(atDay2!), id).toEqual(modelFields(day2.get(id)!));
    }
    // /endpoints names the model as published on the day asked for.
    for (const [at, name] of [
      ['2026-08-02', 'xAI: Grok 4.3'],
      ['2026-08-19T12:00:00Z', 'SpaceXAI: Grok 4.3'],
    ]) {
      const { res, body } = await get(`/v1/models/x-ai/grok-4.3/endpoints?at=${at}`);
      expect(res.status).toBe(200);
      validate('/v1/models/{author}/{slug}/endpoints', 200, body);
      expect((body!.data as Json).name).toBe(name);
    }
  });

  it('?at= before and after a change: old and new price (qwen/qwen3-14b cut on 2026-08-19)', async () => {
    const price = async (at: string) => {
      const { body } = await get(`/v1/models?at=${encodeURIComponent(at)}`);
      return (body!.data as Json[]).find((m) => m.id === 'qwen/qwen3-14b')?.pricing as Json | undefined;
    };
    // Values from fixtures/sample-catalog/README.md "What changes".
    expect(await price('2026-08-18T23:59:59Z')).toMatchObject({
      prompt: '0.0000002275',
      completion: '0.00000091',
    });
    expect(await price('2026-08-19T06:00:02+00:00')).toMatchObject({
      prompt: '0.00000012',
      completion: '0.00000024',
    });
    // A date means its UTC midnight; the default is now (2026-08-20 here).
    expect(await price('2026-08-19')).toMatchObject({ prompt: '0.0000002275' });
    expect((await get('/v1/models')).body).toEqual((await get('/v1/models?at=2026-08-20T00:00:00Z')).body);
    // Before the first observation nothing existed; a model added on day 2 is absent on day 1.
    expect((await get('/v1/models?at=2026-07-01T00:00:00Z')).body).toEqual({ data: [] });
    const day1 = (await get('/v1/models?at=2026-08-02')).body!.data as Json[];
    expect(day1.map((m) => m.id)).not.toContain('google/gemini-3.7-flash');
    expect(day1).toHaveLength(recorded.day1.length);
  });

  it('/endpoints answers in OpenRouter’s shape with one endpoint per provider at its recorded price', async () => {
    const recordedDay2 = readJson('endpoints', 'day2.json');
    const withEndpoints = Object.keys(recordedDay2).filter((k) => k !== '_provenance');
    expect(withEndpoints.length).toBeGreaterThan(5);
    let compared = 0;
    for (const id of withEndpoints) {
      const { res, body } = await get(`/v1/models/${id}/endpoints?at=2026-08-19T12:00:00Z`);
      expect(res.status, id).toBe(200);
      validate('/v1/models/{author}/{slug}/endpoints', 200, body);
      const data = body!.data as Json;
      expect(data.id).toBe(id);
      const mine = data.endpoints as Json[];
      for (const e of recordedDay2[id] as Json[]) {
        const found = mine.find((x) => x.provider_name === e.provider_name && x.tag === e.tag);
        if (!found) throw new Error(`${id}: no endpoint ${String(e.provider_name)} ${String(e.tag)}`);
        const { discount, ...prices } = e.pricing as Json;
        expect(found.pricing, `${id} ${String(e.provider_name)}`).toMatchObject(expectedPricing(prices));
        if (typeof discount === 'number' && discount !== 0)
          expect((found.pricing as Json).discount).toBe(discount);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(withEndpoints.length);
    // As OpenRouter lists them: one entry per recorded endpoint.
    const opus = (await get('/v1/models/anthropic/claude-opus-4.7/endpoints?at=2026-08-19T12:00:00Z')).body!;
    expect(((opus.data as Json).endpoints as Json[]).length).toBe(
      (recordedDay2['anthropic/claude-opus-4.7'] as Json[]).length,
    );
  });

  it('history: effective-dated intervals per (provider, source), from/to at the observed change', async () => {
    const { res, body } = await get('/v1/models/qwen/qwen3-14b/history');
    expect(res.status).toBe(200);
    validate('/v1/models/{author}/{slug}/history', 200, body);
    const intervals = (body!.data as Json).intervals as Json[];
    const routed = intervals.filter((i) => i.source === 'openrouter_api');
    // Day 1's price from its routed observation (06:00:01Z) until day 2's (also 06:00:01Z), then day 2's.
    expect(routed.map((i) => [i.from, i.to, i.ended_by, (i.dimensions as Json).prompt])).toEqual([
      ['2026-08-01T06:00:01.000Z', '2026-08-19T06:00:01.000Z', 'change', '0.22750000'],
      ['2026-08-19T06:00:01.000Z', null, null, '0.12000000'],
    ]);
    expect(routed[1]).toMatchObject({
      provider: null,
      status: 'ok',
      currency: 'USD',
      source_url: 'https://openrouter.ai/api/v1/models',
      first_observed_at: '2026-08-19T06:00:01.000Z',
    });
    expect(Object.keys(routed[1]!.dimensions as Json)).toHaveLength(15);
    // Filters: the routed price only, one source, and a provider with no price (404).
    const only = (await get('/v1/models/qwen/qwen3-14b/history?provider=openrouter')).body!;
    expect(((only.data as Json).intervals as Json[]).every((i) => i.provider === null)).toBe(true);
    const endpointsOnly = (await get('/v1/models/qwen/qwen3-14b/history?source=openrouter_endpoints')).body!;
    expect(
      ((endpointsOnly.data as Json).intervals as Json[]).every((i) => i.source === 'openrouter_endpoints'),
    ).toBe(true);
    // A tiered model keeps its tiers per interval.
    const sol = (await get('/v1/models/openai/gpt-5.6-sol/history?provider=openrouter')).body!;
    const last = ((sol.data as Json).intervals as Json[]).at(-1)!;
    expect((last.tiers as Json[])[0]).toMatchObject({ prompt_tokens_gte: 272000 });
    for (const [url, status] of [
      ['/v1/models/qwen/qwen3-14b/history?provider=nobody', 404],
      ['/v1/models/nobody/nothing/history', 404],
      ['/v1/models/qwen/qwen3-14b/history?source=somewhere', 400],
      ['/v1/models/qwen/qwen3-14b/history?provider=a%20b', 400],
    ] as const) {
      const r = await get(url);
      expect(r.res.status, url).toBe(status);
      validate('/v1/models/{author}/{slug}/history', status, r.body);
    }
  });

  it('history: each interval carries the content hash of the fetch that opened it (README "History")', async () => {
    // The expectation from the recorded bytes, never from our tables: an endpoints interval is the
    // sha256 of the /endpoints body the scrape read (setup.ts serves the recorded list as
    // {"data":{"id","endpoints"}}), a routed interval the sha256 of the model's /models entry as
    // canonical JSON (keys sorted at every level). `from` is the opening fetch's instant: 06:00:01Z
    // (routed) or 06:00:02Z (endpoints) of a recorded day.
    const sortKeys = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(sortKeys)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(
              Object.keys(v)
                .sort()
                .map((k) => [k, sortKeys((v as Json)[k])]),
            )
          : v;
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    const dayOf = (from: string) => (from.startsWith('2026-08-01') ? 'day1' : 'day2');
    const expectedHash = (model: string, i: Json): string => {
      const day = dayOf(String(i.from));
      if (i.source === 'openrouter_endpoints') {
        const list = readJson('endpoints', `${day}.json`)[model];
        return sha256(JSON.stringify({ data: { id: model, endpoints: list } }));
      }
      const entry = recorded[day].find((m) => m.id === model);
      return sha256(JSON.stringify(sortKeys(entry)));
    };
    let checked = 0;
    const sources = new Set<string>();
    for (const model of [
      'qwen/qwen3-14b',
      'openai/gpt-5.6-sol',
      ...recorded.day2.slice(0, 6).map((m) => String(m.id)),
    ]) {
      const { res, body } = await get(`/v1/models/${model}/history`);
      expect(res.status, model).toBe(200);
      validate('/v1/models/{author}/{slug}/history', 200, body);
      for (const i of (body!.data as Json).intervals as Json[]) {
        expect(i.content_hash, `${model} ${String(i.price_key)} ${String(i.from)}`).toBe(
          expectedHash(model, i),
        );
        sources.add(String(i.source));
        checked++;
      }
    }
    expect([...sources].sort()).toEqual(['openrouter_api', 'openrouter_endpoints']);
    // qwen3-14b's routed price changed on day 2: two intervals, two different fetches.
    const routed = ((await get('/v1/models/qwen/qwen3-14b/history?provider=openrouter')).body!.data as Json)
      .intervals as Json[];
    expect(routed).toHaveLength(2);
    expect(routed[0]!.content_hash).not.toBe(routed[1]!.content_hash);
    // The same as the raw events say (the RawPriceObserved fetched at the interval's start).
    const raws = api.events
      .flat()
      .flatMap((e) => (e.name === 'RawPriceObserved' ? [e.event] : []))
      .filter((r) => r.model_id === 'qwen/qwen3-14b' && r.source_type === 'openrouter_api');
    expect(
      routed.map((i) => raws.find((r) => r.fetched_at === Date.parse(String(i.from)))?.content_hash),
    ).toEqual(routed.map((i) => i.content_hash));
    expect(checked).toBeGreaterThan(10);
  });

  it('changes: filters, alerts, since, and paging that neither repeats nor skips', async () => {
    const all = (await get('/v1/changes?limit=500')).body!;
    validate('/v1/changes', 200, all);
    const items = all.data as Json[];
    expect(all.next_cursor).toBeNull();
    const total = await withClient(db.url, async (c) =>
      Number((await c.query<{ n: string }>('select count(*)::text as n from price_changes')).rows[0]!.n),
    );
    expect(items).toHaveLength(total);
    // Oldest first.
    const ats = items.map((i) => `${String(i.at)} ${String(i.event_id)}`);
    expect(ats).toEqual([...ats].sort());
    // The qwen/qwen3-14b cut of day 2 on its routed price (fixtures/sample-catalog/README.md).
    const qwen = (await get('/v1/changes?model=qwen/qwen3-14b&provider=openrouter')).body!;
    const cut = (qwen.data as Json[]).find((i) => i.kind === 'changed')!;
    expect(cut).toMatchObject({ provider: null, source: 'openrouter_api', at: '2026-08-19T06:00:01.000Z' });
    expect(cut.changes as Json[]).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ dimension: 'prompt', previous: '0.22750000', current: '0.12000000' }),
      ]),
    );
    // alerts=true: only alerts, and at least the cut (-47 %) is one.
    const alerts = (await get('/v1/changes?alerts=true&limit=500')).body!.data as Json[];
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.every((i) => i.alert === true)).toBe(true);
    expect(alerts.length).toBe(items.filter((i) => i.alert === true).length);
    // since: day 2's changes only.
    const since = (await get('/v1/changes?since=2026-08-10&limit=500')).body!.data as Json[];
    expect(since.length).toBeGreaterThan(0);
    expect(since).toEqual(items.filter((i) => String(i.at) >= '2026-08-10'));
    // Paging by 7: the pages concatenated are the whole list.
    const paged: Json[] = [];
    let cursor: string | null = null;
    do {
      const page: Json = (await get(`/v1/changes?limit=7${cursor ? `&cursor=${cursor}` : ''}`)).body!;
      validate('/v1/changes', 200, page);
      expect((page.data as Json[]).length).toBeLessThanOrEqual(7);
      paged.push(...(page.data as Json[]));
      cursor = page.next_cursor as string | null;
    } while (cursor !== null);
    expect(paged).toEqual(items);
    for (const url of [
      '/v1/changes?limit=0',
      '/v1/changes?limit=501',
      '/v1/changes?limit=abc',
      '/v1/changes?cursor=bogus!',
      '/v1/changes?cursor=eyJhIjoxfQ',
      '/v1/changes?since=last-week',
      '/v1/changes?alerts=yes',
      '/v1/changes?model=no-slash',
      '/v1/changes?order=desc',
    ]) {
      const r = await get(url);
      expect(r.res.status, url).toBe(400);
      validate('/v1/changes', 400, r.body);
    }
  });

  it('changes: order=newest pages back through every change exactly once, the oldest-first list reversed', async () => {
    // README "Changes": order=newest is the same items in exactly the reverse sequence; its cursor
    // gives the strictly older items.
    const oldest = (await get('/v1/changes?limit=500')).body!;
    expect(oldest.next_cursor).toBeNull();
    const total = await withClient(db.url, async (c) =>
      Number(
        (await c.query<{ n: string }>('select count(*)::text as n from price_changes_in_force')).rows[0]!.n,
      ),
    );
    expect(oldest.data as Json[]).toHaveLength(total);
    const walk = async (query: string): Promise<{ items: Json[]; pages: number; cursors: string[] }> => {
      const items: Json[] = [];
      const cursors: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Json = (await get(`/v1/changes?${query}${cursor ? `&cursor=${cursor}` : ''}`)).body!;
        validate('/v1/changes', 200, page);
        expect((page.data as Json[]).length).toBeLessThanOrEqual(7);
        items.push(...(page.data as Json[]));
        cursor = page.next_cursor as string | null;
        if (cursor) cursors.push(cursor);
        pages++;
      } while (cursor !== null);
      return { items, pages, cursors };
    };
    const newest = await walk('order=newest&limit=7');
    expect(newest.pages).toBe(Math.ceil(total / 7));
    expect(new Set(newest.items.map((i) => i.event_id)).size).toBe(total);
    expect(newest.items).toEqual([...(oldest.data as Json[])].reverse());
    // Newest first: each item's (at, event_id) strictly before the previous one's.
    const keys = newest.items.map((i) => `${String(i.at)} ${String(i.event_id)}`);
    expect(keys).toEqual([...keys].sort().reverse());
    // With a filter too, and order=oldest spelled out is the default.
    const qwenOldest = (await get('/v1/changes?model=qwen/qwen3-14b&order=oldest&limit=500')).body!
      .data as Json[];
    expect(qwenOldest.length).toBeGreaterThan(1);
    const qwenNewest = await walk('model=qwen/qwen3-14b&order=newest&limit=1');
    expect(qwenNewest.items).toEqual([...qwenOldest].reverse());
    // The Atom feed reads the same newest-first query: its entries are the first page's.
    const atom = await (await fetch(`${base}/v1/changes.atom?limit=7`)).text();
    const entryIds = [...atom.matchAll(/<id>urn:llmpt:event:([^<]+)<\/id>/g)].map((m) => m[1]);
    expect(entryIds).toEqual(newest.items.slice(0, 7).map((i) => i.event_id));
    // A cursor walks one way only: used with the other order it is a 400.
    const oldestCursor = (await get('/v1/changes?limit=7')).body!.next_cursor as string;
    for (const url of [
      `/v1/changes?limit=7&cursor=${newest.cursors[0]!}`,
      `/v1/changes?limit=7&order=oldest&cursor=${newest.cursors[0]!}`,
      `/v1/changes?limit=7&order=newest&cursor=${oldestCursor}`,
      '/v1/changes?order=NEWEST',
      '/v1/changes.atom?order=newest',
    ]) {
      const r = await get(url);
      expect(r.res.status, url).toBe(400);
      expect((r.body!.error as Json).code).toBe('BAD_REQUEST');
    }
  });

  it('ETag and Last-Modified; If-None-Match answers 304; br and gzip; CORS', async () => {
    const first = await get('/v1/models?at=2026-08-19T12:00:00Z');
    validate('/v1/models', 200, first.body);
    const tag = first.res.headers.get('etag');
    expect(tag).toMatch(/^"/);
    // Day 2's routed prices were observed at 06:00:01Z.
    expect(first.res.headers.get('last-modified')).toBe('Wed, 19 Aug 2026 06:00:01 GMT');
    const again = await get('/v1/models?at=2026-08-19T12:00:00Z', { 'if-none-match': tag! });
    expect(again.res.status).toBe(304);
    expect(again.body).toBeUndefined();
    const other = await get('/v1/models?at=2026-08-02', { 'if-none-match': tag! });
    expect(other.res.status).toBe(200);
    for (const enc of ['br', 'gzip']) {
      const res = await fetch(`${base}/v1/models`, { headers: { 'accept-encoding': enc } });
      expect(res.headers.get('content-encoding')).toBe(enc);
      expect(((await res.json()) as Json).data).toEqual(
        (first.body!.data as Json[]).length ? expect.any(Array) : [],
      );
    }
    const cors = await fetch(`${base}/v1/models`, { headers: { origin: 'https://app.example' } });
    expect(cors.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const foreign = await fetch(`${base}/v1/models`, { headers: { origin: 'https://evil.example' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('If-Modified-Since answers 304 when not modified since; If-None-Match, when present, decides alone', async () => {
    // README "Behaviour common to every endpoint". Day 2's routed prices were observed at 06:00:01Z.
    const url = '/v1/models?at=2026-08-19T12:00:00Z';
    const first = await get(url);
    const lastModified = first.res.headers.get('last-modified')!;
    const tag = first.res.headers.get('etag')!;
    expect(lastModified).toBe('Wed, 19 Aug 2026 06:00:01 GMT');
    for (const since of [
      lastModified,
      'Thu, 20 Aug 2026 00:00:00 GMT',
      'Wednesday, 19-Aug-26 06:00:01 GMT', // RFC 850
      'Wed Aug 19 06:00:01 2026', // asctime
    ]) {
      const res = await fetch(`${base}${url}`, { headers: { 'if-modified-since': since } });
      expect(res.status, since).toBe(304);
      expect(await res.text()).toBe('');
      expect(res.headers.get('etag')).toBe(tag);
      expect(res.headers.get('last-modified')).toBe(lastModified);
    }
    // HEAD too; compressed or not, a 304 has no body.
    const head = await fetch(`${base}${url}`, {
      method: 'HEAD',
      headers: { 'if-modified-since': lastModified },
    });
    expect(head.status).toBe(304);
    const br = await fetch(`${base}${url}`, {
      headers: { 'if-modified-since': lastModified, 'accept-encoding': 'br' },
    });
    expect(br.status).toBe(304);
    expect(await br.text()).toBe('');
    // Modified after the date, or a date that is not an HTTP-date: 200 with the body.
    for (const since of ['Wed, 19 Aug 2026 06:00:00 GMT', '2026-08-20T00:00:00Z', 'soon']) {
      const { res, body } = await get(url, { 'if-modified-since': since });
      expect(res.status, since).toBe(200);
      expect(body).toEqual(first.body);
    }
    // An older `at` was last modified on day 1: a date between the days makes it a 304, not day 2's answer.
    const day1 = await get('/v1/models?at=2026-08-02', {
      'if-modified-since': 'Sat, 01 Aug 2026 12:00:00 GMT',
    });
    expect(day1.res.status).toBe(304);
    // Both headers: If-None-Match decides. A tag that does not match is a 200 even with a later date;
    // a matching tag is a 304 even with an earlier date.
    const both = await get(url, {
      'if-none-match': '"other"',
      'if-modified-since': 'Thu, 20 Aug 2026 00:00:00 GMT',
    });
    expect(both.res.status).toBe(200);
    expect(both.body).toEqual(first.body);
    const tagWins = await get(url, {
      'if-none-match': tag,
      'if-modified-since': 'Sat, 01 Aug 2026 00:00:00 GMT',
    });
    expect(tagWins.res.status).toBe(304);
    // History answers carry Last-Modified as well; changes do not, and ignore the header.
    const history = await get('/v1/models/qwen/qwen3-14b/history');
    const again = await get('/v1/models/qwen/qwen3-14b/history', {
      'if-modified-since': history.res.headers.get('last-modified')!,
    });
    expect(again.res.status).toBe(304);
    const changes = await get('/v1/changes', { 'if-modified-since': 'Thu, 20 Aug 2026 00:00:00 GMT' });
    expect(changes.res.headers.get('last-modified')).toBeNull();
    expect(changes.res.status).toBe(200);
  });

  it('bad input is a 4xx with a JSON error code and message, never a 500 or a stack', async () => {
    const cases: [string, number, string][] = [
      ['/v1/models/nobody/no-such-model/endpoints', 404, 'NOT_FOUND'],
      ['/v1/models/google/gemini-3.7-flash/endpoints?at=2026-08-02', 404, 'NOT_FOUND'], // not yet listed
      ['/v1/models?at=yesterday', 400, 'BAD_REQUEST'],
      ['/v1/models?at=2026-02-30', 400, 'BAD_REQUEST'],
      ['/v1/models?at=2026-08-19T00:00:00', 400, 'BAD_REQUEST'], // no zone
      ['/v1/models?at=' + 'x'.repeat(41), 400, 'BAD_REQUEST'],
      ['/v1/models?at=a&at=b', 400, 'BAD_REQUEST'],
      ['/v1/models?limit=10', 400, 'BAD_REQUEST'], // unknown filter
      ['/v1/models/openai/gpt%00x/endpoints', 400, 'BAD_REQUEST'],
      ['/v1/models/openai/' + 'a'.repeat(300) + '/endpoints', 400, 'BAD_REQUEST'],
      ['/v1/models?at=' + 'x'.repeat(MAX_URL_LENGTH), 400, 'BAD_REQUEST'],
      ['/v1/nothing', 404, 'NOT_FOUND'],
      ["/v1/models/openai/gpt-5.5'%3Bdrop/endpoints", 400, 'BAD_REQUEST'],
    ];
    for (const [url, status, code] of cases) {
      const { res, body } = await get(url);
      expect(res.status, url).toBe(status);
      expect(res.headers.get('content-type'), url).toMatch(/^application\/json/);
      expect((body!.error as Json).code, url).toBe(code);
      expect(typeof (body!.error as Json).message).toBe('string');
      expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|node_modules/);
      if (url.startsWith('/v1/models?') || url.endsWith('/endpoints'))
        validate(
          url.includes('/endpoints') ? '/v1/models/{author}/{slug}/endpoints' : '/v1/models',
          status,
          body,
        );
    }
  });

  it('a client over the rate limit gets 429 with Retry-After; the probes are not limited', async () => {
    const url = new URL(db.url);
    url.username = login;
    url.password = password;
    const reader = createCatalogReader({ databaseUrl: url.toString(), poolSize: 1 });
    const app = await buildApiApp({ reader, rateLimit: { max: 2, windowMs: 60_000 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++)
        statuses.push((await app.inject({ url: '/v1/models?at=2026-08-02' })).statusCode);
      expect(statuses).toEqual([200, 200, 429]);
      const limited = await app.inject({ url: '/v1/models' });
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      const body = limited.json<Json>();
      expect((body.error as Json).code).toBe('RATE_LIMITED');
      validate('/v1/models', 429, body);
      expect((await app.inject({ url: '/livez' })).statusCode).toBe(200);
      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    } finally {
      await app.close();
      await reader.close();
    }
  });

  it('/livez and /readyz (the database answers as api_reader)', async () => {
    for (const probe of ['/livez', '/readyz']) {
      const { res, body } = await get(probe);
      expect(res.status).toBe(200);
      expect(body).toEqual({ status: 'ok' });
      validate(probe, 200, body);
    }
  });

  it('a database that does not answer: /readyz and the routes answer 503 UNAVAILABLE, /livez stays 200', async () => {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    const reader = createCatalogReader({ databaseUrl: 'postgres://nobody:x@127.0.0.1:1/none', poolSize: 1 });
    const app = await buildApiApp({ reader });
    try {
      expect((await app.inject({ url: '/livez' })).statusCode).toBe(200);
      const ready = await app.inject({ url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json<Json>()).toMatchObject({ error: { code: 'UNAVAILABLE' } });
      validate('/readyz', 503, ready.json());
      const routes: [string, string][] = [
        ['/v1/models', '/v1/models'],
        ['/v1/catalog', '/v1/catalog'],
        ['/v1/models/a/b/endpoints', '/v1/models/{author}/{slug}/endpoints'],
        ['/v1/models/a/b/history', '/v1/models/{author}/{slug}/history'],
        ['/v1/changes', '/v1/changes'],
        ['/v1/changes.atom', '/v1/changes.atom'],
        ['/v1/exports/litellm.json', '/v1/exports/{file}'],
        ['/v1/exports/csv/2026-08-19.csv', '/v1/exports/{format}/{file}'],
      ];
      for (const [url, route] of routes) {
        const r = await app.inject({ url });
        expect(r.statusCode, url).toBe(503);
        expect(r.json<Json>(), url).toMatchObject({ error: { code: 'UNAVAILABLE' } });
        validate(route, 503, r.json());
      }
    } finally {
      await app.close();
      await reader.close();
    }
  });

  it('main.ts: serves from its environment and its metrics on their own port, then on SIGTERM closes and exits 0', async () => {
    const freePort = () =>
      new Promise<number>((resolve) => {
        const probe = createServer().listen(0, '127.0.0.1', () => {
          const a = probe.address();
          probe.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
        });
      });
    const port = await freePort();
    const metricsPort = await freePort();
    const url = new URL(db.url);
    url.username = login;
    url.password = password;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'services/api/src/main.ts')],
      {
        env: {
          PATH: process.env.PATH,
          DATABASE_URL: url.toString(),
          PORT: String(port),
          METRICS_PORT: String(metricsPort),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, {
        timeoutMs: 20_000,
        message: 'the API process to be ready',
      });
      const models = await fetch(`http://127.0.0.1:${port}/v1/models?at=2026-08-19T12:00:00Z`);
      expect(((await models.json()) as Json).data).toHaveLength(recorded.day2.length + 1); // + day 1's gpt-5.3-chat
      // docs/metrics.md "API": the one catalog request this test made, by its route pattern, on the
      // metrics port; the public port has no /metrics.
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).toContain('llmpt_api_requests_total{route="/v1/models",method="GET",status="200"} 1\n');
      expect(metrics).toMatch(/^llmpt_api_request_duration_seconds_count\{route="\/v1\/models"\} 1$/m);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toMatch(/shutdown complete/);
      // The password of DATABASE_URL never reaches the logs.
      expect(output).not.toContain(password);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('api_reader reads but cannot write', async () => {
    const url = new URL(db.url);
    url.username = login;
    url.password = password;
    await withClient(url.toString(), async (c) => {
      const { rows } = await c.query<{ n: string }>('select count(*)::text as n from price_observations');
      expect(Number(rows[0]!.n)).toBeGreaterThan(60);
      await expect(c.query(`delete from models_catalog`)).rejects.toMatchObject({ code: '42501' });
      // The model metadata history (migrations/0015): readable, not writable.
      const versions = await c.query<{ n: string }>('select count(*)::text as n from model_versions');
      expect(Number(versions.rows[0]!.n)).toBeGreaterThan(recorded.day2.length);
      await expect(
        c.query(`insert into model_sightings (model_id, fetched_at, event_id) values ('x', now(), 'x')`),
      ).rejects.toMatchObject({ code: '42501' });
      await expect(c.query(`insert into providers (slug, name) values ('x', 'x')`)).rejects.toMatchObject({
        code: '42501',
      });
    });
  });
});
