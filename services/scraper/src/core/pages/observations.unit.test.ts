import { contentHash, type ModelDiscovered } from '@llmpt/schemas';
import { describe, expect, it } from 'vitest';
import { parseProvidersConfig } from '../providers-config.ts';
import { pageObservations } from './observations.ts';
import { failedPage, parsePricingPage } from './parse.ts';

const config = parseProvidersConfig({
  version: 1,
  userAgent: 'test',
  politeness: {
    perHostConcurrency: 1,
    minIntervalMs: 0,
    timeoutMs: 1000,
    maxBytes: 100_000,
    retries: 0,
    robots: false,
  },
  providers: [
    {
      slug: 'acme',
      name: 'Acme',
      url: 'https://acme.example/pricing',
      render: 'static',
      parser: {
        kind: 'table',
        format: 'html',
        headers: ['Model', 'Input'],
        columns: { Input: 'prompt', Output: 'completion' },
      },
      models: { 'Acme One': 'acme/one', 'Acme Two': 'acme/two' },
    },
  ],
});
const acme = config.providers[0]!;
const html =
  '<table><tr><th>Model</th><th>Input</th><th>Output</th></tr><tr><td>Acme One</td><td>$3.00</td><td>$15</td></tr></table>';
const ctx = { url: acme.url, fetchedAt: 1_700_000_000_000, runId: 'run-7', contentHash: contentHash(html) };

function md(modelId: string): ModelDiscovered {
  return {
    event_id: `md-${modelId}`,
    run_id: 'run-7',
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
    content_hash: 'x',
  };
}

describe('pageObservations', () => {
  const page = parsePricingPage(acme, html, ctx);

  it('a listed model: status ok with the page components, source and hash kept', () => {
    const obs = pageObservations(md('acme/one'), acme, page, ctx);
    expect(obs).toMatchObject({
      model_id: 'acme/one',
      provider: 'acme',
      provider_name: 'Acme',
      source_type: 'provider_site',
      source_url: 'https://acme.example/pricing',
      fetched_at: 1_700_000_000_000,
      content_hash: contentHash(html),
      status: 'ok',
      unavailable_reason: null,
      caused_by: 'md-acme/one',
      run_id: 'run-7',
      endpoint: null,
    });
    expect(obs?.components).toEqual([
      { dimension: 'prompt', raw_value: '$3.00', unit: 'per_1m_tokens', currency: 'USD', tier: null },
      { dimension: 'completion', raw_value: '$15', unit: 'per_1m_tokens', currency: 'USD', tier: null },
    ]);
    // Deterministic id: the same fact on the same bytes is the same event.
    expect(pageObservations(md('acme/one'), acme, page, ctx)?.event_id).toBe(obs?.event_id);
  });

  it('a model of the provider missing from the page: unavailable, no number', () => {
    const obs = pageObservations(md('acme/two'), acme, page, ctx);
    expect(obs).toMatchObject({
      status: 'unavailable',
      unavailable_reason: 'model not listed on page',
      components: [],
    });
  });

  it('a page that gave no prices: every model unavailable with the page problem', () => {
    const broken = parsePricingPage(acme, '<div>No tables here</div>', ctx);
    const obs = pageObservations(md('acme/one'), acme, broken, ctx);
    expect(obs?.status).toBe('unavailable');
    expect(obs?.unavailable_reason).toBe('page layout changed: selector "table" matched nothing');
    const robots = pageObservations(md('acme/one'), acme, failedPage('robots.txt disallows /pricing'), ctx);
    expect(robots?.unavailable_reason).toBe('robots.txt disallows /pricing');
  });

  it('another author, or an OpenRouter variant: not this page', () => {
    expect(pageObservations(md('other/one'), acme, page, ctx)).toBeNull();
    expect(pageObservations(md('acme/one:free'), acme, page, ctx)).toBeNull();
  });
});
