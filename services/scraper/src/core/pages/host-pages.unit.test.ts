// Host pages (role: host in configs/providers.yml): a hosting provider's own price list for other
// authors' models. Their mappings are checked against what OpenRouter itself listed for that provider
// (the recorded endpoints of every model, aiscanner's map of 2026-05-07, the day before most captures),
// and their observations follow the rules written in the config header and docs/data-sources.md.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, sharedData } from '@llmpt/core/paths';
import { contentHash, type ModelDiscovered } from '@llmpt/schemas';
import { describe, expect, it } from 'vitest';
import { loadProvidersConfig } from '../../adapters/providers-file.ts';
import { providerSlug } from '../openrouter.ts';
import { enabledHostPages, enabledProviders, type ProviderPage } from '../providers-config.ts';
import { hostPagesFor, pageCovers, pageObservations } from './observations.ts';
import { parsePricingPage } from './parse.ts';

const config = loadProvidersConfig(path.join(repoRoot, 'configs', 'providers.yml'));
const hosts = enabledHostPages(config);

interface MapEntry {
  readonly model_id: string;
  readonly tag: string | null;
}
const recorded = JSON.parse(
  readFileSync(
    sharedData('openrouter', 'endpoints', 'openrouter_endpoints-derived-map_aiscanner_2026-05-07.json'),
    'utf8',
  ),
) as { providers: Record<string, { models: MapEntry[] }> };

/** OpenRouter provider slug (the endpoints' tag before "/", as the scraper keys them) → model ids listed. */
const listedBy = new Map<string, Set<string>>();
for (const [name, p] of Object.entries(recorded.providers))
  for (const m of p.models) {
    const slug = providerSlug(m.tag, name);
    if (slug === null) continue;
    listedBy.set(slug, (listedBy.get(slug) ?? new Set()).add(m.model_id));
  }

function host(slug: string): ProviderPage {
  const p = hosts.find((h) => h.slug === slug);
  if (!p) throw new Error(`no host page ${slug}`);
  return p;
}

function md(modelId: string): ModelDiscovered {
  return {
    event_id: `md-${modelId}`,
    run_id: 'run-h',
    caused_by: null,
    occurred_at: 1,
    model_id: modelId,
    canonical_slug: null,
    name: modelId,
    description: null,
    created: null,
    context_length: null,
    architecture: null,
    supported_parameters: [],
    top_provider: null,
    pricing: {},
    pricing_tiers: [],
    expiration_date: null,
    backfill: false,
    raw_entry: '{}',
    source_url: 'https://openrouter.ai/api/v1/models',
    fetched_at: 1,
    content_hash: 'h',
  };
}

describe('host pages in configs/providers.yml', () => {
  it('are the five hosts with captures, none of them an author page', () => {
    expect(hosts.map((h) => h.slug).sort()).toEqual([
      'cerebras',
      'google-vertex',
      'novita',
      'siliconflow',
      'venice',
    ]);
    for (const h of hosts) expect(enabledProviders(config).get(h.slug)).toBeUndefined();
  });

  it('map only models OpenRouter listed for that provider (recorded endpoints, 2026-05-07)', () => {
    for (const h of hosts) {
      const listed = listedBy.get(h.slug);
      expect(listed, `OpenRouter lists provider ${h.slug}`).toBeDefined();
      const notListed = Object.values(h.models).filter((id) => !listed!.has(id));
      expect(notListed, h.slug).toEqual([]);
    }
  });
});

describe('host page observations', () => {
  const novita = host('novita');
  const body = readFileSync(
    sharedData('pricing_pages', 'novita_pricing_2026-05-08_jina-markdown.md'),
    'utf8',
  );
  const ctx = {
    url: novita.url,
    fetchedAt: 1_778_200_000_000,
    runId: 'run-h',
    contentHash: contentHash(body),
  };
  const page = parsePricingPage(novita, body, ctx);

  it("price another author's model under the host as provider, with the page's URL and hash", () => {
    const obs = pageObservations(md('deepseek/deepseek-v3.2'), novita, page, ctx);
    expect(obs).toMatchObject({
      model_id: 'deepseek/deepseek-v3.2',
      provider: 'novita',
      provider_name: 'Novita',
      source_type: 'provider_site',
      source_url: novita.url,
      content_hash: contentHash(body),
      status: 'ok',
      unavailable_reason: null,
    });
    // Novita line 38: "$0.269 /Mt· Cache Read $0.1345 /Mt | $0.4 /Mt"
    expect(obs!.components.map((c) => [c.dimension, c.raw_value])).toEqual([
      ['prompt', '$0.269'],
      ['input_cache_read', '$0.1345'],
      ['completion', '$0.4'],
    ]);
  });

  it('never speak for a model their mapping does not name, even of an author they serve', () => {
    expect(pageCovers(novita, 'deepseek/deepseek-ocr-2')).toBe(false);
    expect(pageObservations(md('deepseek/deepseek-ocr-2'), novita, page, ctx)).toBeNull();
    expect(pageCovers(novita, 'deepseek/deepseek-v3.2:free')).toBe(false);
  });

  it('are matched against the providers OpenRouter lists for the model when the endpoints were read', () => {
    // deepseek/deepseek-v3.2 is mapped by Novita and SiliconFlow (and its endpoints list both on 2026-05-07).
    expect(hostPagesFor(hosts, 'deepseek/deepseek-v3.2', null).map((h) => h.slug)).toEqual([
      'novita',
      'siliconflow',
    ]);
    expect(
      hostPagesFor(hosts, 'deepseek/deepseek-v3.2', new Set(['novita', 'deepinfra'])).map((h) => h.slug),
    ).toEqual(['novita']);
    expect(hostPagesFor(hosts, 'deepseek/deepseek-v3.2', new Set())).toEqual([]);
  });

  it('a page that gave no prices makes each mapped model unavailable with the reason', () => {
    const broken = parsePricingPage(novita, '# Pricing\n\nNothing here.\n', ctx);
    const obs = pageObservations(md('z-ai/glm-5.1'), novita, broken, ctx);
    expect(obs).toMatchObject({
      status: 'unavailable',
      unavailable_reason: 'page layout changed: no markdown table on the page',
      components: [],
    });
  });
});
