// Written from services/api/README.md "The catalog in one answer" (GET /v1/catalog).
import { describe, expect, it } from 'vitest';
import {
  catalogListing,
  listingLastModified,
  type Amounts,
  type ListingInput,
  type ListingModelRow,
  type ListingPriceRow,
} from './catalog-listing.ts';

const noColumns: Amounts = {
  prompt: null,
  completion: null,
  input_cache_read: null,
  input_cache_write: null,
};

const model = (id: string, extra: Partial<ListingModelRow> = {}): ListingModelRow => ({
  model_id: id,
  name: `Name of ${id}`,
  created: 1776300000,
  context_length: 200000,
  input_modalities: ['text'],
  output_modalities: ['text'],
  expiration_date: null,
  ...extra,
});

const price = (
  model_id: string,
  provider: string | null,
  extra: Partial<ListingPriceRow> = {},
): ListingPriceRow => ({
  model_id,
  provider,
  source: provider === null ? 'openrouter_api' : 'openrouter_endpoints',
  status: 'ok',
  observed_at: new Date('2026-08-19T06:00:01Z'),
  base: [
    { dimension: 'prompt', amount: '1.00000000' },
    { dimension: 'completion', amount: '2.00000000' },
  ],
  tier_count: 0,
  columns: { ...noColumns, prompt: '1.00000000', completion: '2.00000000' },
  ...extra,
});

const input = (i: Partial<ListingInput>): ListingInput => ({ prices: [], models: [], lastChanges: [], ...i });

describe('GET /v1/catalog listing', () => {
  it('lists exactly the models with a routed price, sorted by id, with their catalog fields', () => {
    const out = catalogListing(
      input({
        models: [
          model('z/last', { input_modalities: null, output_modalities: null, expiration_date: '2026-09-01' }),
          model('a/first'),
          model('m/only-endpoints'),
        ],
        prices: [price('z/last', null), price('a/first', null), price('m/only-endpoints', 'deepinfra')],
      }),
    );
    expect(out.data.map((e) => e.id)).toEqual(['a/first', 'z/last']);
    expect(out.data[1]).toMatchObject({
      name: 'Name of z/last',
      created: 1776300000,
      context_length: 200000,
      input_modalities: [],
      output_modalities: [],
      expiration_date: '2026-09-01',
      providers: [],
      has_tiers: false,
      last_change: null,
    });
    // Only the providers of listed models count.
    expect(out.providers).toEqual([]);
  });

  it('amounts are the base’s, not the highest tier; has_tiers says there is more', () => {
    const tiered = price('google/gemini-2.5-pro', null, {
      base: [
        { dimension: 'prompt', amount: '1.25000000' },
        { dimension: 'completion', amount: '10.00000000' },
        { dimension: 'input_cache_read', amount: '0.12500000' },
      ],
      tier_count: 1,
      columns: {
        prompt: '2.50000000',
        completion: '15.00000000',
        input_cache_read: '0.25000000',
        input_cache_write: null,
      },
    });
    const [e] = catalogListing(input({ models: [model('google/gemini-2.5-pro')], prices: [tiered] })).data;
    expect(e!.routed).toEqual({
      prompt: '1.25000000',
      completion: '10.00000000',
      input_cache_read: '0.12500000',
      input_cache_write: null,
    });
    expect(e!.has_tiers).toBe(true);
    expect(e!.free).toBe(false);
  });

  it('a price with an empty base (one variant per endpoint) shows its stored columns', () => {
    const variants = price('openai/gpt-oss-120b', 'deepinfra', {
      base: [],
      tier_count: 2,
      columns: { ...noColumns, prompt: '0.15000000', completion: '0.60000000' },
    });
    const out = catalogListing(
      input({
        models: [model('openai/gpt-oss-120b')],
        prices: [price('openai/gpt-oss-120b', null), variants],
      }),
    );
    expect(out.data[0]!.providers).toEqual([
      {
        provider: 'deepinfra',
        source: 'openrouter_endpoints',
        status: 'ok',
        prompt: '0.15000000',
        completion: '0.60000000',
        input_cache_read: null,
        input_cache_write: null,
        has_tiers: true,
        observed_at: '2026-08-19T06:00:01.000Z',
      },
    ]);
    expect(out.data[0]!.has_tiers).toBe(true);
  });

  it('unavailable: routed null (the model stays listed), a provider with four null amounts', () => {
    const out = catalogListing(
      input({
        models: [model('openrouter/auto')],
        prices: [
          price('openrouter/auto', null, { status: 'unavailable', base: [], columns: noColumns }),
          price('openrouter/auto', 'somewhere', { status: 'unavailable', base: [], columns: noColumns }),
        ],
      }),
    );
    expect(out.data[0]).toMatchObject({ id: 'openrouter/auto', routed: null, free: false });
    expect(out.data[0]!.providers[0]).toMatchObject({ status: 'unavailable', ...noColumns });
  });

  it('free only when routed prompt and completion are both exactly zero', () => {
    const freeOf = (base: ListingPriceRow['base']) =>
      catalogListing(input({ models: [model('x/y')], prices: [price('x/y', null, { base })] })).data[0]!.free;
    expect(
      freeOf([
        { dimension: 'prompt', amount: '0.00000000' },
        { dimension: 'completion', amount: '0' },
      ]),
    ).toBe(true);
    expect(
      freeOf([
        { dimension: 'prompt', amount: '0.00000000' },
        { dimension: 'completion', amount: '0.00000001' },
      ]),
    ).toBe(false);
    // A missing completion is not a zero.
    expect(freeOf([{ dimension: 'prompt', amount: '0.00000000' }])).toBe(false);
  });

  it('providers sorted by provider then source; the top-level list has each slug once, sorted', () => {
    const out = catalogListing(
      input({
        models: [model('b/two'), model('a/one')],
        prices: [
          price('a/one', null),
          price('a/one', 'together', { source: 'provider_site' }),
          price('a/one', 'together'),
          price('a/one', 'Zeta'),
          price('a/one', 'anthropic'),
          price('b/two', null),
          price('b/two', 'together'),
        ],
      }),
    );
    expect(out.data[0]!.providers.map((p) => `${p.provider}|${p.source}`)).toEqual([
      'Zeta|openrouter_endpoints',
      'anthropic|openrouter_endpoints',
      'together|openrouter_endpoints',
      'together|provider_site',
    ]);
    expect(out.providers).toEqual(['Zeta', 'anthropic', 'together']);
  });

  it('last_change is the model’s row as given', () => {
    const out = catalogListing(
      input({
        models: [model('a/one')],
        prices: [price('a/one', null)],
        lastChanges: [
          {
            model_id: 'a/one',
            at: '2026-08-19T06:00:02.000Z',
            kind: 'changed',
            alert: true,
            provider: 'novita',
          },
          {
            model_id: 'gone/model',
            at: '2026-08-20T00:00:00.000Z',
            kind: 'removed',
            alert: false,
            provider: null,
          },
        ],
      }),
    );
    expect(out.data[0]!.last_change).toEqual({
      at: '2026-08-19T06:00:02.000Z',
      kind: 'changed',
      alert: true,
      provider: 'novita',
    });
  });

  it('Last-Modified: the newest of the listed prices’ observations and of every change given', () => {
    const prices = [
      price('a/one', null, { observed_at: new Date('2026-08-19T06:00:01Z') }),
      price('a/one', 'novita', { observed_at: new Date('2026-08-19T06:00:02Z') }),
      // Not listed (no routed price): its observation does not count.
      price('b/two', 'novita', { observed_at: new Date('2026-08-19T09:00:00Z') }),
    ];
    const listing = catalogListing(input({ models: [model('a/one'), model('b/two')], prices }));
    expect(listingLastModified(listing, prices, [])).toEqual(new Date('2026-08-19T06:00:02Z'));
    // A removal of another model (absent from the listing) changed the catalog later.
    const removal = {
      model_id: 'c/gone',
      at: '2026-08-20T00:00:00.000Z',
      kind: 'removed',
      alert: false,
      provider: null,
    };
    expect(listingLastModified(listing, prices, [removal])).toEqual(new Date('2026-08-20T00:00:00Z'));
    expect(listingLastModified(catalogListing(input({})), [], [])).toBeNull();
  });
});
