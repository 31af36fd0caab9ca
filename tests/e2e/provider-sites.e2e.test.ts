// The official pricing pages through the whole pipeline: the scraper fetches each configured page
// once per run from a local server (the real captures in shared/data/pricing_pages, at the path the
// real URL has), the normalizer converts, the sink writes. Endpoints are off to keep it focused.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCatalog, startFixtureServer, type FixtureServer } from '@llmpt/fixture-server';
import { enabledProviders, loadProvidersConfig } from '@llmpt/scraper';
import { repoRoot, sharedDataDir } from '@llmpt/testkit';
import { startPipeline, type E2EPipeline } from './harness.ts';

const config = loadProvidersConfig(path.join(repoRoot, 'configs', 'providers.yml'));
const providers = [...enabledProviders(config).values()];

/** Each enabled page served at /<host><path>, as withBaseUrl() maps it, from its recorded capture. */
function pages(): Record<string, { path: string; contentType: string }> {
  const out: Record<string, { path: string; contentType: string }> = {};
  for (const p of providers) {
    const url = new URL(p.url);
    const [file, format] = (p.capture ?? '').split(' ');
    if (!file) continue;
    out[`/${url.host}${url.pathname}`] = {
      path: path.join(sharedDataDir, 'pricing_pages', file),
      contentType: format?.includes('markdown') ? 'text/markdown; charset=utf-8' : 'text/html; charset=utf-8',
    };
  }
  return out;
}

describe('provider pricing pages end to end', () => {
  let server: FixtureServer;
  let p: E2EPipeline;
  const catalog = sampleCatalog();

  beforeAll(async () => {
    server = await startFixtureServer({ ...catalog, pages: pages() });
    p = await startPipeline({
      name: 'provider-sites',
      store: 'postgres',
      openRouterBaseUrl: server.url,
      scraperEnv: {
        SCRAPE_ENDPOINTS: 'false',
        SCRAPE_PROVIDER_SITES: 'true',
        PROVIDER_PAGES_BASE_URL: server.url,
      },
    });
  });
  afterAll(async () => {
    await p?.stop();
    await server?.close();
  });

  it('observes every model of a configured provider once, from one fetch per page', async () => {
    const res = await p.runDay('e2e-provider-sites');
    expect(res.code).toBe(0);
    const rows = await p.db.query<{
      model_id: string;
      status: string;
      reason: string | null;
      prompt: string | null;
      completion: string | null;
    }>(
      `select model_id, status, unavailable_reason reason, prompt::text, completion::text
         from price_observations where source_type = 'provider_site' order by model_id`,
    );
    const authors = new Set(providers.map((x) => x.slug));
    const expectedModels = (catalog.models[0] ? await modelsOf(catalog.models[0]) : []).filter(
      (id) => authors.has(id.split('/')[0]!) && !id.includes(':'),
    );
    expect(rows.rows.map((r) => r.model_id)).toEqual(expectedModels.sort());
    // Each page once, whatever the number of models of its provider.
    for (const [pagePath] of Object.entries(pages())) {
      expect(server.requests().filter((r) => r === pagePath)).toHaveLength(1);
    }
    const byModel = new Map(rows.rows.map((r) => [r.model_id, r]));
    // A model the page does not list is unavailable with its reason, never a guessed price.
    for (const r of rows.rows) {
      if (r.status === 'unavailable') expect(r.reason).toBeTruthy();
      else expect(r.prompt ?? r.completion).not.toBeNull();
    }
    // Checked by hand against the captures. Gemini 2.5 Pro: "$1.25, prompts <= 200k tokens $2.50,
    // prompts > 200k tokens" -> the highest tier is published. DeepSeek v4 pro: a promo "$0.435 (75%
    // off)" next to the list price "$1.74" -> the list price (the promo is kept as a tier in the raw event).
    expect(byModel.get('google/gemini-2.5-pro')).toMatchObject({ status: 'ok', prompt: '2.50000000' });
    expect(byModel.get('deepseek/deepseek-v4-pro')).toMatchObject({ status: 'ok', prompt: '1.74000000' });
    expect(byModel.get('anthropic/claude-sonnet-4.6')).toMatchObject({
      status: 'ok',
      prompt: '3.00000000',
      completion: '15.00000000',
    });
    expect(byModel.get('openai/o1-pro')).toMatchObject({
      status: 'unavailable',
      reason: 'model not listed on page',
    });
  });
});

async function modelsOf(file: string): Promise<string[]> {
  const { readFile } = await import('node:fs/promises');
  const json = JSON.parse(await readFile(file, 'utf8')) as { data: { id: string }[] };
  return json.data.map((m) => m.id);
}
