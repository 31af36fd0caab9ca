// The answer cache (services/api/README.md "Caching", rules 1–5) on the recorded days: a second app on
// the same database with the cache on, its reader counting the queries it is asked, its clock ours.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiApp, createCatalogReader, type CatalogReader } from '@llmpt/api';
import { startRecordedApi, type RecordedApi } from './setup.ts';

const TTL_MS = 10_000;

describe('the answer cache', () => {
  let api: RecordedApi;
  let app: Awaited<ReturnType<typeof buildApiApp>>;
  let reader: CatalogReader;
  let base: string;
  let clock = 1_000_000;
  const calls = new Map<string, number>();
  const count = (name: string) => calls.get(name) ?? 0;

  beforeAll(async () => {
    api = await startRecordedApi('api_cache');
    const url = new URL(api.db.url);
    url.username = api.login;
    url.password = api.password;
    reader = createCatalogReader({ databaseUrl: url.toString(), poolSize: 4 });
    const counted = new Proxy(reader, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          calls.set(String(prop), count(String(prop)) + 1);
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    app = await buildApiApp({
      reader: counted,
      now: () => new Date('2026-08-20T00:00:00Z'),
      rateLimit: { max: 10_000, windowMs: 60_000 },
      cache: { ttlMs: TTL_MS, maxBytes: 64 << 20, clock: () => clock },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const addr = app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await reader?.close();
    await api?.stop();
  });

  const get = async (p: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${p}`, { headers });
    return { res, text: await res.text() };
  };

  it('serves the second request from the cache: same body, same ETag, one query (rules 1, 2, 5)', async () => {
    const before = count('models');
    const first = await get('/v1/models');
    const second = await get('/v1/models');
    expect(first.res.status).toBe(200);
    expect(first.res.headers.get('x-cache')).toBe('miss');
    expect(second.res.status).toBe(200);
    expect(second.res.headers.get('x-cache')).toBe('hit');
    expect(second.text).toBe(first.text);
    expect(second.res.headers.get('etag')).toBe(first.res.headers.get('etag'));
    expect(second.res.headers.get('last-modified')).toBe(first.res.headers.get('last-modified'));
    expect(second.res.headers.get('content-type')).toBe(first.res.headers.get('content-type'));
    expect(second.res.headers.get('age')).toBe('0');
    expect(first.res.headers.get('cache-control')).toBe(`public, max-age=${TTL_MS / 1000}`);
    expect(second.res.headers.get('cache-control')).toBe(`public, max-age=${TTL_MS / 1000}`);
    expect(count('models') - before).toBe(1);
    // A 304 still works on a hit.
    const again = await get('/v1/models', { 'if-none-match': first.res.headers.get('etag')! });
    expect(again.res.status).toBe(304);
    expect(again.res.headers.get('x-cache')).toBe('hit');
  });

  it('the key is the whole target: another query string is another answer (rule 2)', async () => {
    const before = count('models');
    const now = await get('/v1/models');
    const past = await get('/v1/models?at=2026-08-02');
    expect(past.res.headers.get('x-cache')).toBe('miss');
    expect(past.text).not.toBe(now.text);
    expect(count('models') - before).toBe(1);
  });

  it('fresh for the TTL, then recomputed by the first request, forgotten after twice the TTL (rules 3–5)', async () => {
    await get('/v1/changes?limit=5');
    clock += 4_000;
    const hit = await get('/v1/changes?limit=5');
    expect(hit.res.headers.get('x-cache')).toBe('hit');
    expect(hit.res.headers.get('age')).toBe('4');
    clock += TTL_MS; // 14 s: stale. The first request recomputes; the ones meanwhile get the stale one.
    const before = count('changes');
    const [refresh, ...meanwhile] = await Promise.all(
      Array.from({ length: 10 }, () => get('/v1/changes?limit=5')),
    );
    const kinds = [refresh, ...meanwhile].map((a) => a!.res.headers.get('x-cache'));
    expect(kinds.filter((k) => k === 'miss')).toHaveLength(1);
    expect(kinds.every((k) => k === 'miss' || k === 'stale' || k === 'hit')).toBe(true);
    expect(count('changes') - before).toBe(1);
    expect(new Set([refresh, ...meanwhile].map((a) => a!.text)).size).toBe(1);
    const after = await get('/v1/changes?limit=5');
    expect(after.res.headers.get('x-cache')).toBe('hit');
    expect(after.res.headers.get('age')).toBe('0');
    clock += 2 * TTL_MS; // forgotten: a plain miss
    const gone = await get('/v1/changes?limit=5');
    expect(gone.res.headers.get('x-cache')).toBe('miss');
    expect(count('changes') - before).toBe(2);
  });

  it('computes a key once while many requests ask for it at the same time (rule 4)', async () => {
    const before = count('models');
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => get('/v1/models?at=2026-08-19T12:00:00Z')),
    );
    expect(answers.every((a) => a.res.status === 200)).toBe(true);
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(count('models') - before).toBe(1);
    expect(answers.filter((a) => a.res.headers.get('x-cache') === 'hit').length).toBe(19);
  });

  it('never keeps an error, and keeps nothing of a route outside rule 1', async () => {
    const a = await get('/v1/models/nobody/nothing/endpoints');
    const b = await get('/v1/models/nobody/nothing/endpoints');
    expect([a.res.status, b.res.status]).toEqual([404, 404]);
    expect(b.res.headers.get('x-cache')).toBe('miss');
    expect(b.res.headers.get('cache-control')).toBeNull();
    const bad = await get('/v1/models?at=yesterday');
    expect(bad.res.status).toBe(400);
    expect((await get('/v1/models?at=yesterday')).res.headers.get('x-cache')).toBe('miss');
    const live = await get('/livez');
    expect(live.res.headers.get('x-cache')).toBeNull();
    expect(live.res.headers.get('cache-control')).toBeNull();
  });

  it("one client's Host never reaches another's answer (rule 2, no PUBLIC_BASE_URL)", async () => {
    const atom = (host: string) =>
      new Promise<{ cache: string | undefined; body: string }>((resolve, reject) => {
        const u = new URL(`${base}/v1/changes.atom?limit=3`);
        const req = request(
          { host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, headers: { host } },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (body += d));
            res.on('end', () => resolve({ cache: res.headers['x-cache'] as string | undefined, body }));
          },
        );
        req.on('error', reject);
        req.end();
      });
    const a1 = await atom('prices.example');
    const a2 = await atom('prices.example');
    const evil = await atom('evil.example');
    expect([a1.cache, a2.cache, evil.cache]).toEqual(['miss', 'hit', 'miss']);
    expect(a2.body).toBe(a1.body);
    expect(a1.body).toContain('http://prices.example/');
    expect(evil.body).not.toContain('prices.example');
    expect(a1.body).not.toContain('evil.example');
  });

  it('an export is kept with its own headers', async () => {
    const first = await get('/v1/exports/csv/2026-08-19.csv');
    const second = await get('/v1/exports/csv/2026-08-19.csv');
    expect(first.res.status).toBe(200);
    expect(second.res.headers.get('x-cache')).toBe('hit');
    expect(second.text).toBe(first.text);
    expect(second.res.headers.get('content-type')).toBe(first.res.headers.get('content-type'));
    expect(second.res.headers.get('content-disposition')).toBe(first.res.headers.get('content-disposition'));
  });
});
