// The Atom feed (services/api/README.md "Changes as an Atom feed") on the recorded days
// (tests/int/api/setup.ts), read by a real feed parser (feedsmith), entry by entry against /v1/changes
// with the same filters.
import { request } from 'node:http';
import { parseAtomFeed } from 'feedsmith';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiApp, createCatalogReader, loadApiConfig } from '@llmpt/api';
import { startRecordedApi, type Json, type RecordedApi } from './setup.ts';

const LABEL = 'api_atom';

describe('GET /v1/changes.atom on two recorded OpenRouter days', () => {
  let api: RecordedApi;
  let base: string;
  let validate: RecordedApi['validate'];
  const get: RecordedApi['get'] = (p, h) => api.get(p, h);

  beforeAll(async () => {
    api = await startRecordedApi(LABEL);
    ({ base, validate } = api);
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
  });

  // The Atom feed (services/api/README.md "Changes as an Atom feed"), read by a real feed parser
  // (feedsmith), entry by entry against /v1/changes with the same filters.
  async function atom(query: string) {
    const res = await fetch(`${base}/v1/changes.atom${query}`);
    expect(res.status, query).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const text = await res.text();
    return { res, text, feed: parseAtomFeed(text) };
  }

  /** /v1/changes with the filters, every page, newest first. */
  async function changesNewestFirst(query: string): Promise<Json[]> {
    const all: Json[] = [];
    let cursor: string | null = null;
    do {
      const sep: string = query ? '&' : '?';
      const page = await get(
        `/v1/changes${query}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.res.status).toBe(200);
      all.push(...(page.body!.data as Json[]));
      cursor = page.body!.next_cursor as string | null;
    } while (cursor);
    return all.reverse();
  }

  /** What the test reads of a parsed entry. */
  interface FeedEntry {
    readonly id?: string;
    readonly updated?: unknown;
    readonly title?: { readonly value?: string };
    readonly links?: readonly { readonly href?: string; readonly rel?: string }[];
    readonly content?: { readonly value?: string };
  }

  function expectEntriesEqualChanges(entries: readonly FeedEntry[] | undefined, changes: Json[]) {
    expect(entries?.map((e) => e.id)).toEqual(changes.map((c) => `urn:llmpt:event:${String(c.event_id)}`));
    changes.forEach((c, i) => {
      const e = entries![i]!;
      const provider = (c.provider as string | null) ?? 'openrouter';
      expect(e.updated, String(c.event_id)).toBe(c.at);
      expect(e.title?.value).toMatch(
        new RegExp(`^${String(c.model_id)} · ${provider} · ${String(c.kind)}`.replace(/[.+]/g, '\\$&')),
      );
      expect(e.links?.find((l) => l.rel === 'alternate')?.href).toBe(
        `${base}/v1/models/${String(c.model_id)}/history?provider=${encodeURIComponent(provider)}`,
      );
      const content = e.content?.value ?? '';
      for (const m of c.changes as {
        dimension: string;
        tier: string | null;
        previous: string | null;
        current: string | null;
      }[])
        expect(content).toContain(
          `${m.tier ? `[${m.tier}] ` : ''}${m.dimension}: ${m.previous ?? 'none'} → ${m.current ?? 'none'}`,
        );
      expect(content).toContain(`source: ${String(c.source)}, alert: ${c.alert ? 'yes' : 'no'}`);
    });
  }

  it('changes.atom: a feed parser reads the same changes as /v1/changes, newest first, with links that answer', async () => {
    const changes = await changesNewestFirst('?limit=500');
    expect(changes.length).toBeGreaterThan(3);
    const { feed, text } = await atom('?limit=500');
    expect(feed.id).toBe('urn:llmpt:changes');
    expect(feed.title?.value).toBe('LLM price changes');
    expect(feed.updated).toBe(changes[0]!.at);
    expect(feed.links?.find((l) => l.rel === 'self')?.href).toBe(`${base}/v1/changes.atom?limit=500`);
    expectEntriesEqualChanges(feed.entries, changes);
    // Default limit 50; limit=3 is the three newest.
    expect((await atom('')).feed.entries).toHaveLength(Math.min(50, changes.length));
    expectEntriesEqualChanges((await atom('?limit=3')).feed.entries, changes.slice(0, 3));
    // An entry's link answers (the model's history for that provider).
    const link = feed.entries![0]!.links!.find((l) => l.rel === 'alternate')!.href!;
    const history = await fetch(link);
    expect(history.status).toBe(200);
    // The same request, the same bytes.
    expect((await atom('?limit=500')).text).toBe(text);
  });

  it('changes.atom: the filters of /v1/changes, each filtered feed with its own stable id', async () => {
    for (const query of [
      '?model=qwen/qwen3-14b',
      '?model=qwen/qwen3-14b&provider=openrouter',
      '?alerts=true',
      '?since=2026-08-19',
      '?alerts=true&since=2026-08-19T00:00:00Z&limit=2',
    ]) {
      const limit = /limit=(\d+)/.exec(query)?.[1];
      const changes = (await changesNewestFirst(query.replace(/&limit=\d+/, ''))).slice(
        0,
        limit ? Number(limit) : 50,
      );
      const { feed } = await atom(query);
      expect(feed.id, query).toMatch(/^urn:llmpt:changes:[0-9a-f]{64}$/);
      expect((await atom(query)).feed.id).toBe(feed.id);
      expectEntriesEqualChanges(feed.entries, changes);
    }
    expect((await atom('?model=qwen/qwen3-14b')).feed.entries!.length).toBeGreaterThan(0);
    expect((await atom('?model=nobody/nothing')).feed.entries ?? []).toEqual([]);
  });

  it('changes.atom: bad filters are 400 JSON errors as documented', async () => {
    for (const query of [
      '?limit=0',
      '?limit=501',
      '?limit=x',
      '?cursor=abc',
      '?since=yesterday',
      '?model=bad',
      '?alerts=maybe',
      '?at=2026-08-19',
    ]) {
      const { res, body } = await get(`/v1/changes.atom${query}`);
      expect(res.status, query).toBe(400);
      expect((body!.error as Json).code, query).toBe('BAD_REQUEST');
      validate('/v1/changes.atom', 400, body);
    }
  });

  /** GET with a Host header of our choosing (fetch does not let a caller set Host). */
  function getWithHost(url: string, host: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { host } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('links: on the request’s Host without PUBLIC_BASE_URL; on PUBLIC_BASE_URL, whatever the Host, with it', async () => {
    // Without PUBLIC_BASE_URL (README "Environment"): the request's own origin, Host header included.
    const direct = parseAtomFeed(await getWithHost(`${base}/v1/changes.atom?limit=5`, 'seen.example:8080'));
    expect(direct.links?.find((l) => l.rel === 'self')?.href).toBe(
      'http://seen.example:8080/v1/changes.atom?limit=5',
    );
    for (const e of direct.entries ?? [])
      expect(e.links?.find((l) => l.rel === 'alternate')?.href).toMatch(
        /^http:\/\/seen\.example:8080\/v1\/models\//,
      );

    // With it: a second app on the same database, configured as main.ts does from the environment.
    const config = loadApiConfig({
      DATABASE_URL: 'postgres://unused@localhost/x',
      PUBLIC_BASE_URL: 'https://prices.example/llm/',
    });
    const url = new URL(api.db.url);
    url.username = api.login;
    url.password = api.password;
    const reader = createCatalogReader({ databaseUrl: url.toString(), poolSize: 2 });
    const app = await buildApiApp({
      reader,
      now: () => new Date('2026-08-20T00:00:00Z'),
      publicBaseUrl: config.PUBLIC_BASE_URL!,
    });
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const addr = app.server.address();
      const proxied = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
      const text = await getWithHost(`${proxied}/v1/changes.atom?limit=5&alerts=false`, 'evil.example');
      expect(text).not.toContain('evil.example');
      expect(text).not.toContain('127.0.0.1');
      const feed = parseAtomFeed(text);
      expect(feed.links?.find((l) => l.rel === 'self')?.href).toBe(
        'https://prices.example/llm/v1/changes.atom?limit=5&alerts=false',
      );
      expect(feed.entries?.length).toBe(5);
      for (const e of feed.entries!) {
        const link = e.links?.find((l) => l.rel === 'alternate')?.href ?? '';
        expect(link).toMatch(/^https:\/\/prices\.example\/llm\/v1\/models\/[^/]+\/[^/]+\/history\?provider=/);
        // The same path answers on the API itself (the proxy would strip the prefix).
        const res = await fetch(`${proxied}${link.slice('https://prices.example/llm'.length)}`);
        expect(res.status, link).toBe(200);
      }
      // Only the links change: the entries are the same as the direct feed's.
      const same = parseAtomFeed(await getWithHost(`${base}/v1/changes.atom?limit=5&alerts=false`, 'h'));
      expect(feed.entries!.map((e) => e.id)).toEqual(same.entries!.map((e) => e.id));
    } finally {
      await app.close();
      await reader.close();
    }
  });
});
