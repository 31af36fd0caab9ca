import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedData } from '@llmpt/core/paths';
import { describe, expect, it } from 'vitest';
import { parseProvidersResponse } from './providers.ts';

const dir = sharedData('openrouter', 'providers');
const read = (file: string): unknown => JSON.parse(readFileSync(path.join(dir, file), 'utf8'));

describe('parseProvidersResponse', () => {
  it('parses the old schema (2026-03): no headquarters or datacenters', () => {
    const { providers, rejected } = parseProvidersResponse(read('openrouter_providers_karag_2026-03.json'));
    expect(rejected).toEqual([]);
    expect(providers).toHaveLength(73);
    expect(providers[0]).toEqual({
      slug: 'arcee-ai',
      name: 'Arcee AI',
      privacy_policy_url: null,
      terms_of_service_url: null,
      status_page_url: null,
      headquarters: null,
      datacenters: null,
    });
  });

  it('parses the new schema (2026-05) with headquarters and datacenters', () => {
    const may07 = parseProvidersResponse(read('openrouter_providers_aiscanner_2026-05-07.json'));
    const may18 = parseProvidersResponse(read('openrouter_providers_aiscanner_2026-05-18.json'));
    expect(may07.providers).toHaveLength(81);
    expect(may18.providers).toHaveLength(82);
    expect(may18.providers.map((p) => p.slug)).toContain('crucible');
    expect(may07.providers.map((p) => p.slug)).not.toContain('crucible');
    const bySlug = new Map(may18.providers.map((p) => [p.slug, p]));
    expect(bySlug.get('arcee-ai')).toMatchObject({ headquarters: 'US', datacenters: ['US'] });
    // Test rows ship in the real response: parsed as they are (filtering is the caller's policy).
    expect(bySlug.get('fake-provider')).toMatchObject({ name: 'FakeProvider', datacenters: [] });
    expect(bySlug.get('stealth')).toMatchObject({ headquarters: null, datacenters: null });
    expect(bySlug.get('streamlake')?.privacy_policy_url).toMatch(/^https:\/\/www\.streamlake\.ai\//);
  });

  it('accepts a bare array and rejects bad entries with a reason', () => {
    const { providers, rejected } = parseProvidersResponse([
      { name: 'Mancer 2', slug: 'mancer', datacenters: ['US', 3] },
      { name: 'No slug' },
      null,
      { name: 'Again', slug: 'mancer' },
    ]);
    expect(providers).toEqual([
      {
        slug: 'mancer',
        name: 'Mancer 2',
        privacy_policy_url: null,
        terms_of_service_url: null,
        status_page_url: null,
        headquarters: null,
        datacenters: ['US'],
      },
    ]);
    expect(rejected.map((r) => r.index)).toEqual([1, 2, 3]);
    expect(rejected[2]?.reason).toMatch(/duplicate slug mancer/);
  });

  it('throws NOT_A_PROVIDERS_LIST for anything else', () => {
    expect(() => parseProvidersResponse({ providers: [] })).toThrow(
      expect.objectContaining({ code: 'NOT_A_PROVIDERS_LIST' }),
    );
  });
});
