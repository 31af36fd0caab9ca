import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleCatalog } from './sample-catalog.ts';
import { startFixtureServer } from './server.ts';
import type { FixtureServer } from './server.ts';

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

describe('fixture server on the sample catalog', () => {
  it('serves models, providers and endpoints per day in the real shapes', async () => {
    server = await startFixtureServer(sampleCatalog());
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.dayCount).toBe(2);

    const models = await fetch(`${server.url}/api/v1/models`);
    expect(models.headers.get('content-type')).toBe('application/json');
    const bytes = Buffer.from(await models.arrayBuffer());
    // Served byte for byte, so content hashes are those of the file.
    expect(bytes.equals(readFileSync(sampleCatalog().models[0]))).toBe(true);
    const day1 = JSON.parse(bytes.toString('utf8')) as {
      data: { id: string; pricing: { prompt: string } }[];
    };
    expect(day1.data.map((m) => m.id)).toContain('openai/gpt-5.3-chat');
    expect(day1.data.find((m) => m.id === 'qwen/qwen3-14b')?.pricing.prompt).toBe('0.0000002275');

    const providers = (await getJson(`${server.url}/api/v1/providers`)).body as { data: { slug: string }[] };
    expect(providers.data.map((p) => p.slug)).toEqual(
      expect.arrayContaining(['openai', 'anthropic', 'fake-provider']),
    );

    const ep = await getJson(`${server.url}/api/v1/models/openai/gpt-4o/endpoints`);
    expect(ep.status).toBe(200);
    const data = (
      ep.body as { data: Record<string, unknown> & { endpoints: { tag: string; status: number }[] } }
    ).data;
    expect(Object.keys(data)).toEqual(['id', 'name', 'created', 'description', 'architecture', 'endpoints']);
    expect(data.id).toBe('openai/gpt-4o');
    expect(data.endpoints.map((e) => [e.tag, e.status])).toEqual([
      ['openai', 0],
      ['azure', -2],
    ]);

    server.setDay(1);
    const day2 = (await getJson(`${server.url}/api/v1/models?output_modalities=text`)).body as {
      data: { id: string; pricing: { prompt: string } }[];
    };
    expect(day2.data.map((m) => m.id)).not.toContain('openai/gpt-5.3-chat');
    expect(day2.data.map((m) => m.id)).toContain('google/gemini-3.7-flash');
    expect(day2.data.find((m) => m.id === 'qwen/qwen3-14b')?.pricing.prompt).toBe('0.00000012');
    expect(() => server?.setDay(2)).toThrow(RangeError);
  });

  it('resolves canonical slugs and :free ids, 404s unknown models like the API', async () => {
    server = await startFixtureServer(sampleCatalog());
    const models = JSON.parse(readFileSync(sampleCatalog().models[0], 'utf8')) as {
      data: { id: string; canonical_slug: string }[];
    };
    const gpt55 = models.data.find((m) => m.id === 'openai/gpt-5.5');
    expect(gpt55?.canonical_slug).not.toBe('openai/gpt-5.5');
    const bySlug = await getJson(`${server.url}/api/v1/models/${gpt55?.canonical_slug ?? ''}/endpoints`);
    expect((bySlug.body as { data: { id: string; endpoints: unknown[] } }).data.id).toBe('openai/gpt-5.5');
    expect((bySlug.body as { data: { endpoints: unknown[] } }).data.endpoints.length).toBeGreaterThan(0);

    const free = await getJson(`${server.url}/api/v1/models/openai/gpt-oss-20b:free/endpoints`);
    expect(free.status).toBe(200);
    const auto = await getJson(`${server.url}/api/v1/models/openrouter/auto/endpoints`);
    expect((auto.body as { data: { endpoints: unknown[] } }).data.endpoints).toEqual([]);

    const missing = await getJson(`${server.url}/api/v1/models/nobody/nothing/endpoints`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: 404, message: 'No endpoints found for nobody/nothing' } });
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect(server.requests()).toContain('/api/v1/models/openai/gpt-oss-20b:free/endpoints');
  });

  it('injects faults for a number of requests, then recovers', async () => {
    server = await startFixtureServer({
      ...sampleCatalog(),
      faults: { '/api/v1/models': { status: 503, times: 1 } },
    });
    const first = await getJson(`${server.url}/api/v1/models`);
    expect(first).toEqual({ status: 503, body: { error: { code: 503, message: 'Injected fault' } } });
    expect((await fetch(`${server.url}/api/v1/models`)).status).toBe(200);
    server.setFault('/api/v1/models/*', { status: 500 });
    expect((await fetch(`${server.url}/api/v1/models/openai/gpt-4o/endpoints`)).status).toBe(500);
    server.setFault('/api/v1/models/*', null);
    expect((await fetch(`${server.url}/api/v1/models/openai/gpt-4o/endpoints`)).status).toBe(200);
  });
});
