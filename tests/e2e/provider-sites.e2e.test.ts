// The official pricing pages through the whole pipeline: the scraper fetches each configured page
// once per run from a local server (the real captures in shared/data/pricing_pages, at the path the
// real URL has), the normalizer converts, the sink writes. Endpoints are off to keep it focused (so
// host pages are not narrowed by the endpoints: each prices every model its mapping names).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCatalog, startFixtureServer, type FixtureServer } from '@llmpt/fixture-server';
import { loadProvidersConfig } from '@llmpt/scraper';
import { repoRoot, sharedDataDir, sumBy } from '@llmpt/testkit';
import { startPipeline, type E2EPipeline } from './harness.ts';
import { drainedMetrics, expectMetricsEqualTopics } from './metrics-checks.ts';

const config = loadProvidersConfig(path.join(repoRoot, 'configs', 'providers.yml'));
// Author pages (one per author slug) and host pages (role: host), as configs/providers.yml enables them.
const providers = config.providers.filter((p) => p.enabled);

/** Each enabled page served at /<host><path>, as withBaseUrl() maps it, from its recorded capture. */
function pages(): Record<string, { path: string; contentType: string }> {
  const out: Record<string, { path: string; contentType: string }> = {};
  for (const p of providers) {
    const url = new URL(p.url);
    const [file, format] = (p.capture ?? '').split(' ');
    if (!file) continue;
    out[`/${url.host}${url.pathname}`] = {
      path: path.join(sharedDataDir, 'pricing_pages', file),
      contentType: format?.startsWith('(html') ? 'text/html; charset=utf-8' : 'text/markdown; charset=utf-8',
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
      provider: string;
      status: string;
      reason: string | null;
      prompt: string | null;
      completion: string | null;
    }>(
      `select model_id, provider, status, unavailable_reason reason, prompt::text, completion::text
         from price_observations where source_type = 'provider_site' order by model_id, provider`,
    );
    // The config header's rule: an author page speaks for its author's models, a host page for the ids
    // its mapping names (any author); OpenRouter variants ("x:free") for neither.
    const ids = (catalog.models[0] ? await modelsOf(catalog.models[0]) : []).filter(
      (id) => !id.includes(':'),
    );
    const expectedKeys = providers
      .flatMap((page) =>
        ids
          .filter((id) =>
            page.role === 'host'
              ? Object.values(page.models).includes(id)
              : id.split('/')[0] === page.slug || Object.values(page.models).includes(id),
          )
          .map((id) => `${id}|${page.slug}`),
      )
      .sort();
    expect(rows.rows.map((r) => `${r.model_id}|${r.provider}`).sort()).toEqual(expectedKeys);
    expect(new Set(rows.rows.map((r) => r.provider))).toContain('novita');
    // Each page once, whatever the number of models of its provider.
    for (const [pagePath] of Object.entries(pages())) {
      expect(server.requests().filter((r) => r === pagePath)).toHaveLength(1);
    }
    const byModel = new Map(
      rows.rows.filter((r) => r.provider === r.model_id.split('/')[0]).map((r) => [r.model_id, r]),
    );
    const byKey = new Map(rows.rows.map((r) => [`${r.model_id}|${r.provider}`, r]));
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
    // A host page: novita_pricing...md line 40, "| [deepseek/deepseek-v4-pro](...) | 1,048,576 | $1.69
    // /Mt· Cache Read $0.13 /Mt | $3.38 /Mt |", under provider novita next to DeepSeek's own $1.74.
    expect(byKey.get('deepseek/deepseek-v4-pro|novita')).toMatchObject({
      status: 'ok',
      prompt: '1.69000000',
      completion: '3.38000000',
    });
    expect(byModel.get('openai/o1-pro')).toMatchObject({
      status: 'unavailable',
      reason: 'model not listed on page',
    });
    // docs/metrics.md: the scraper's counters equal the topics, and the pages' outcomes the rows, with
    // the reason class of the table ("model not listed on page" → not_listed); each page's times.
    const metrics = await drainedMetrics(p);
    await expectMetricsEqualTopics(p, metrics);
    const classOf = (r: { status: string; reason: string | null }) =>
      r.status === 'ok'
        ? 'ok|'
        : r.reason === 'model not listed on page'
          ? 'unavailable|not_listed'
          : `? ${r.reason}`;
    const expectedOutcomes: Record<string, number> = {};
    for (const r of rows.rows) {
      const k = `${r.provider}|${classOf(r)}`;
      expectedOutcomes[k] = (expectedOutcomes[k] ?? 0) + 1;
    }
    expect(
      sumBy(metrics.scraper, 'llmpt_scrape_observations_total', ['provider', 'outcome', 'reason'], {
        source: 'provider_site',
      }),
    ).toEqual(expectedOutcomes);
    expect(expectedOutcomes['openai|unavailable|not_listed']).toBeGreaterThan(0);
  });
});

async function modelsOf(file: string): Promise<string[]> {
  const { readFile } = await import('node:fs/promises');
  const json = JSON.parse(await readFile(file, 'utf8')) as { data: { id: string }[] };
  return json.data.map((m) => m.id);
}
