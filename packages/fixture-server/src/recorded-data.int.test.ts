// Against the large recorded files (1.2 MB derived map, the 63-capture series): > 1 s, hence int.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sharedDataDir } from './paths.ts';
import { startFixtureServer } from './server.ts';
import type { FixtureServer } from './server.ts';

const openrouter = path.join(sharedDataDir, 'openrouter');
let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

describe('fixture server on the recorded data', () => {
  it('builds endpoints from the aiscanner derived map, prices as strings', async () => {
    server = await startFixtureServer({
      models: path.join(openrouter, 'models', 'openrouter_models_aiscanner_2026-05-18.json'),
      endpoints: path.join(
        openrouter,
        'endpoints',
        'openrouter_endpoints-derived-map_aiscanner_2026-05-18.json',
      ),
      providers: path.join(openrouter, 'providers', 'openrouter_providers_aiscanner_2026-05-18.json'),
    });
    const res = await getJson(`${server.url}/api/v1/models/openai/gpt-oss-120b/endpoints`);
    const endpoints = (
      res.body as { data: { endpoints: { tag: string; pricing: Record<string, unknown> }[] } }
    ).data.endpoints;
    expect(endpoints).toHaveLength(19);
    const novita = endpoints.find((e) => e.tag === 'novita/fp4');
    expect(novita?.pricing.prompt).toBe('0.00000005');
    expect(typeof novita?.pricing.discount).toBe('number');
    const providers = (await getJson(`${server.url}/api/v1/providers`)).body as { data: unknown[] };
    expect(providers.data).toHaveLength(82);
  });

  it('serves a static page with its content type', async () => {
    const page = path.join(sharedDataDir, 'pricing_pages', 'deepseek_api-docs-pricing_2026-05-08_raw.html');
    server = await startFixtureServer({
      models: path.join(openrouter, 'models', 'openrouter_models_skissue_2026-03-03_data-array.json'),
      pages: { '/quick_start/pricing': { path: page, contentType: 'text/html; charset=utf-8' } },
    });
    const res = await fetch(`${server.url}/quick_start/pricing`);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect((await res.text()).length).toBe(readFileSync(page, 'utf8').length);
    // A bare-array snapshot is served as is.
    const models = (await getJson(`${server.url}/api/v1/models`)).body;
    expect(Array.isArray(models) && models.length).toBe(342);
  });
});
