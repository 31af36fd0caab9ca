// Oracle: web/README.md "Catalog" (cheapest and dearest host, search, filters, sort, URL, last change);
// each expected value is worked out by hand from the rule.
import { describe, expect, it } from 'vitest';
import {
  cheapestAndDearest,
  DEFAULT_STATE,
  modalitiesOf,
  queryOf,
  relativeDate,
  rowsOf,
  stateOf,
  visibleRows,
  type CatalogEntry,
  type CatalogProvider,
  type CatalogState,
} from './catalog.ts';

const host = (
  provider: string,
  prompt: string | null,
  completion: string | null,
  more: Partial<CatalogProvider> = {},
): CatalogProvider => ({
  provider,
  source: 'openrouter_endpoints',
  status: 'ok',
  prompt,
  completion,
  input_cache_read: null,
  input_cache_write: null,
  has_tiers: false,
  observed_at: '2026-08-19T06:00:02.000Z',
  ...more,
});

const entry = (id: string, more: Partial<CatalogEntry> = {}): CatalogEntry => ({
  id,
  name: id,
  created: null,
  context_length: null,
  input_modalities: ['text'],
  output_modalities: ['text'],
  expiration_date: null,
  routed: null,
  free: false,
  providers: [],
  has_tiers: false,
  last_change: null,
  ...more,
});

const routed = (prompt: string | null, completion: string | null) => ({
  prompt,
  completion,
  input_cache_read: null,
  input_cache_write: null,
});

describe('cheapest and dearest host', () => {
  it('lowest and highest prompt + completion, exactly', () => {
    const { cheapest, dearest } = cheapestAndDearest([
      host('a', '1.00000000', '3.00000000'), // 4
      host('b', '0.10000001', '3.89999999'), // 4.00000000: equal to a → tie by slug: a
      host('c', '3.99999999', '0.00000002'), // 4.00000001
      host('d', '0.5', '2'), // 2.5
    ]);
    expect(cheapest).toMatchObject({ provider: 'd', blend: '2.5' });
    expect(dearest).toMatchObject({ provider: 'c', blend: '4.00000001' });
  });
  it('ties go to the first provider slug, then the source, both for the cheapest and the dearest', () => {
    const { cheapest, dearest } = cheapestAndDearest([
      host('zeta', '1', '1'),
      host('alpha', '1', '1', { source: 'provider_site' }),
      host('alpha', '1', '1'),
    ]);
    expect([cheapest?.provider, cheapest?.source]).toEqual(['alpha', 'openrouter_endpoints']);
    expect([dearest?.provider, dearest?.source]).toEqual(['alpha', 'openrouter_endpoints']);
  });
  it('leaves out unavailable prices and prices without input or output; one candidate is both', () => {
    const { cheapest, dearest } = cheapestAndDearest([
      host('gone', null, null, { status: 'unavailable' }),
      host('half', '0.01', null),
      host('only', '2', '8'),
    ]);
    expect(cheapest?.provider).toBe('only');
    expect(dearest?.provider).toBe('only');
  });
  it('no candidate: none', () => {
    expect(cheapestAndDearest([host('x', null, '1')])).toEqual({ cheapest: null, dearest: null });
  });
  it('a free host is the cheapest', () => {
    expect(cheapestAndDearest([host('p', '0.1', '0.2'), host('q', '0', '0')]).cheapest?.provider).toBe('q');
  });
});

const CATALOG: CatalogEntry[] = [
  entry('google/gemini-2.5-pro', {
    name: 'Google: Gemini 2.5 Pro',
    context_length: 1048576,
    input_modalities: ['text', 'image', 'audio'],
    routed: routed('1.25', '10'),
    providers: [host('google-vertex', '1.25', '10'), host('google-ai-studio', '1.25', '10')],
    has_tiers: true,
    last_change: { at: '2026-08-01T06:00:01.000Z', kind: 'new', alert: false, provider: null },
  }),
  entry('qwen/qwen3-14b', {
    name: 'Qwen: Qwen3 14B',
    context_length: 40960,
    routed: routed('0.12', '0.24'),
    providers: [host('deepinfra', '0.12', '0.24'), host('nextbit', '0.1', '0.24')],
    last_change: { at: '2026-08-19T06:00:01.000Z', kind: 'changed', alert: true, provider: null },
  }),
  entry('openrouter/auto', { name: 'Auto Router', context_length: 2000000, routed: null }),
  entry('openai/gpt-oss-20b:free', {
    name: 'OpenAI: gpt-oss-20b (free)',
    context_length: 131072,
    routed: routed('0', '0'),
    free: true,
    providers: [host('nextbit', '0', '0', { status: 'unavailable' })],
  }),
  entry('anthropic/claude-x', {
    name: 'anthropic: Claude X',
    context_length: 200000,
    output_modalities: ['text', 'image'],
    routed: routed('3', '15'),
    providers: [host('anthropic', '3', '15')],
  }),
];
const ROWS = rowsOf(CATALOG);
const ids = (state: Partial<CatalogState>) =>
  visibleRows(ROWS, { ...DEFAULT_STATE, ...state }).map((r) => r.entry.id);

describe('search', () => {
  it('every word, in the name or the id, ignoring case', () => {
    expect(ids({ q: 'gemini PRO' })).toEqual(['google/gemini-2.5-pro']);
    expect(ids({ q: 'qwen3-14' })).toEqual(['qwen/qwen3-14b']);
    expect(ids({ q: '  router   auto ' })).toEqual(['openrouter/auto']);
    expect(ids({ q: 'gemini qwen' })).toEqual([]);
  });
});

describe('filters', () => {
  it('provider: an ok price of that provider', () => {
    expect(ids({ provider: 'nextbit' })).toEqual(['qwen/qwen3-14b']);
  });
  it('modalities, free, tiers', () => {
    expect(ids({ in: 'audio' })).toEqual(['google/gemini-2.5-pro']);
    expect(ids({ out: 'image' })).toEqual(['anthropic/claude-x']);
    expect(ids({ free: true })).toEqual(['openai/gpt-oss-20b:free']);
    expect(ids({ tiers: true })).toEqual(['google/gemini-2.5-pro']);
    expect(ids({ tiers: true, free: true })).toEqual([]);
  });
  it('modality options: every modality of the catalog, sorted', () => {
    expect(modalitiesOf(CATALOG, 'input')).toEqual(['audio', 'image', 'text']);
    expect(modalitiesOf(CATALOG, 'output')).toEqual(['image', 'text']);
  });
});

describe('sort', () => {
  it('by name, lower-cased, code-point order; desc reverses', () => {
    // lower-cased: "anthropic: claude x", "auto router", "google: …", "openai: …", "qwen: …"
    const asc = [
      'anthropic/claude-x',
      'openrouter/auto',
      'google/gemini-2.5-pro',
      'openai/gpt-oss-20b:free',
      'qwen/qwen3-14b',
    ];
    expect(ids({})).toEqual(asc);
    expect(ids({ dir: 'desc' })).toEqual([...asc].reverse());
  });
  it('by routed input: exact, a missing price last in both directions', () => {
    expect(ids({ sort: 'input' })).toEqual([
      'openai/gpt-oss-20b:free',
      'qwen/qwen3-14b',
      'google/gemini-2.5-pro',
      'anthropic/claude-x',
      'openrouter/auto',
    ]);
    expect(ids({ sort: 'input', dir: 'desc' })).toEqual([
      'anthropic/claude-x',
      'google/gemini-2.5-pro',
      'qwen/qwen3-14b',
      'openai/gpt-oss-20b:free',
      'openrouter/auto',
    ]);
  });
  it('by output: equal values keep the id order in both directions', () => {
    const rows = rowsOf([
      entry('b/two', { routed: routed('1', '2') }),
      entry('a/one', { routed: routed('1', '2.00000000') }),
      entry('c/three', { routed: routed('1', '1.99999999') }),
    ]);
    const order = (dir: 'asc' | 'desc') =>
      visibleRows(rows, { ...DEFAULT_STATE, sort: 'output', dir }).map((r) => r.entry.id);
    expect(order('asc')).toEqual(['c/three', 'a/one', 'b/two']);
    expect(order('desc')).toEqual(['a/one', 'b/two', 'c/three']);
  });
  it('by cheapest host blend (no host last), context, last change', () => {
    // blends: qwen nextbit 0.34, gemini 11.25, claude 18; auto and gpt-oss (unavailable only) none
    expect(ids({ sort: 'cheapest' })).toEqual([
      'qwen/qwen3-14b',
      'google/gemini-2.5-pro',
      'anthropic/claude-x',
      'openai/gpt-oss-20b:free',
      'openrouter/auto',
    ]);
    expect(ids({ sort: 'context', dir: 'desc' })).toEqual([
      'openrouter/auto',
      'google/gemini-2.5-pro',
      'anthropic/claude-x',
      'openai/gpt-oss-20b:free',
      'qwen/qwen3-14b',
    ]);
    expect(ids({ sort: 'change', dir: 'desc' })).toEqual([
      'qwen/qwen3-14b',
      'google/gemini-2.5-pro',
      'anthropic/claude-x',
      'openai/gpt-oss-20b:free',
      'openrouter/auto',
    ]);
  });
});

describe('the state in the URL', () => {
  it('defaults are left out; unknown values ignored', () => {
    expect(queryOf(DEFAULT_STATE)).toEqual({
      q: undefined,
      provider: undefined,
      in: undefined,
      out: undefined,
      free: undefined,
      tiers: undefined,
      sort: undefined,
      dir: undefined,
    });
    expect(stateOf(new URLSearchParams('sort=bogus&dir=up&free=yes'))).toEqual(DEFAULT_STATE);
  });
  it('round trip', () => {
    const state: CatalogState = {
      q: 'qwen 14',
      provider: 'nextbit',
      in: 'text',
      out: 'text',
      free: true,
      tiers: true,
      sort: 'cheapest',
      dir: 'desc',
    };
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(queryOf(state))) if (v !== undefined) params.set(k, v);
    expect(params.toString()).toBe(
      'q=qwen+14&provider=nextbit&in=text&out=text&free=1&tiers=1&sort=cheapest&dir=desc',
    );
    expect(stateOf(params)).toEqual(state);
  });
});

describe('relative date of the last change', () => {
  const now = Date.parse('2026-08-20T00:00:00Z');
  it.each([
    ['2026-08-19T06:00:01Z', 'today'], // 18 h: 0 whole days
    ['2026-08-21T00:00:00Z', 'today'], // a clock behind the data
    ['2026-08-18T23:59:59Z', 'yesterday'],
    ['2026-08-01T06:00:01Z', '18 days ago'],
    ['2026-06-21T00:00:00Z', '2 months ago'], // 60 days
    ['2025-08-21T00:00:00Z', '12 months ago'], // 364 days
    ['2024-08-20T00:00:00Z', '2 years ago'], // 730 days
  ])('%s → %s', (at, text) => expect(relativeDate(at, now)).toBe(text));
});
