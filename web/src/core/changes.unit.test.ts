// Oracle: web/README.md "Changes" (and "Numbers"), case by case; expected values written from the rule.
import { describe, expect, it } from 'vitest';
import {
  atomHref,
  filtersOf,
  mergeChanges,
  moveText,
  newChangesText,
  newestAt,
  pagePath,
  pollPath,
  pollSeconds,
  providerLabel,
  utcText,
  type ChangeItem,
} from './changes.ts';

const item = (event_id: string, at: string, extra: Partial<ChangeItem> = {}): ChangeItem => ({
  event_id,
  price_key: 'a/b||openrouter_api',
  model_id: 'a/b',
  provider: null,
  source: 'openrouter_api',
  kind: 'changed',
  at,
  changes: [],
  alert: false,
  expiration_date: null,
  ...extra,
});

describe('filters in the URL', () => {
  it('reads model, provider, alerts and kind', () => {
    const { filters, problems } = filtersOf(
      new URLSearchParams('model=openai/gpt-4o&provider=openrouter&alerts=true&kind=changed'),
    );
    expect(filters).toEqual({
      model: 'openai/gpt-4o',
      provider: 'openrouter',
      alerts: true,
      kind: 'changed',
    });
    expect(problems).toEqual([]);
  });
  it('names what it refuses and leaves it out', () => {
    const { filters, problems } = filtersOf(new URLSearchParams('model=gpt-4o&kind=moved&alerts=yes'));
    expect(filters).toEqual({ alerts: false });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('gpt-4o');
    expect(problems[1]).toContain('moved');
  });
});

describe('API paths', () => {
  const f = { model: 'openai/gpt-4o', provider: 'openrouter', alerts: true, kind: 'new' as const };
  it('the first page: newest first, 50, the API filters only (kind is the page’s)', () => {
    expect(pagePath(f)).toBe(
      '/changes?alerts=true&limit=50&model=openai%2Fgpt-4o&order=newest&provider=openrouter',
    );
    expect(pagePath({ alerts: false })).toBe('/changes?limit=50&order=newest');
  });
  it('an older page passes the cursor', () => {
    expect(pagePath({ alerts: false }, 'abc')).toBe('/changes?cursor=abc&limit=50&order=newest');
  });
  it('a poll: since the newest shown, oldest first', () => {
    expect(pollPath({ alerts: false }, '2026-08-19T06:00:02.000Z')).toBe(
      '/changes?limit=500&order=oldest&since=2026-08-19T06%3A00%3A02.000Z',
    );
  });
  it('the Atom feed has the same filters but kind', () => {
    expect(atomHref(f)).toBe('/v1/changes.atom?alerts=true&model=openai%2Fgpt-4o&provider=openrouter');
    expect(atomHref({ alerts: false })).toBe('/v1/changes.atom');
  });
});

describe('poll interval', () => {
  it.each([
    [null, 30],
    ['1', 1],
    ['3600', 3600],
    ['0', 30],
    ['3601', 30],
    ['1.5', 30],
    ['abc', 30],
  ])('poll=%s → %s s', (raw, seconds) =>
    expect(pollSeconds(new URLSearchParams(raw === null ? '' : `poll=${raw}`))).toBe(seconds),
  );
});

describe('order and live merge', () => {
  it('newest first by at, then event_id descending; a shown event_id is not shown twice', () => {
    const shown = [item('b', '2026-08-19T06:00:02.000Z'), item('a', '2026-08-19T06:00:01.000Z')];
    const incoming = [
      item('b', '2026-08-19T06:00:02.000Z'),
      item('c', '2026-08-19T06:00:02.000Z'),
      item('d', '2026-08-19T18:00:00.000Z'),
    ];
    const { items, added } = mergeChanges(shown, incoming);
    expect(items.map((c) => c.event_id)).toEqual(['d', 'c', 'b', 'a']);
    expect(added.map((c) => c.event_id)).toEqual(['d', 'c']);
    expect(newestAt(items)).toBe('2026-08-19T18:00:00.000Z');
    expect(newestAt([])).toBeNull();
  });
  it('announces the count', () => {
    expect(newChangesText(1)).toBe('1 new change');
    expect(newChangesText(2)).toBe('2 new changes');
  });
});

describe('a row’s words', () => {
  it('the routed price has no provider', () => {
    expect(providerLabel(null)).toBe('OpenRouter (routed)');
    expect(providerLabel('anthropic')).toBe('anthropic');
  });
  it('when, in UTC', () => expect(utcText('2026-08-19T06:00:01.000Z')).toBe('2026-08-19 06:00 UTC'));
  it.each([
    [
      {
        tier: null,
        dimension: 'prompt',
        previous: '0.22750000',
        current: '0.12000000',
        relative_change: '-0.47252747',
      },
      'prompt: $0.2275 → $0.12 per 1M tokens (-47.3%)',
    ],
    [
      {
        tier: 'prompt_tokens>=272000',
        dimension: 'completion',
        previous: '45.00000000',
        current: '22.50000000',
        relative_change: '-0.50000000',
      },
      '[prompt_tokens>=272000] completion: $45.00 → $22.50 per 1M tokens (-50%)',
    ],
    [
      {
        tier: null,
        dimension: 'input_cache_read',
        previous: null,
        current: '0.03000000',
        relative_change: null,
      },
      'input_cache_read: — → $0.03 per 1M tokens',
    ],
    [
      { tier: null, dimension: 'web_search', previous: '0.01', current: '0.005', relative_change: '-0.5' },
      'web_search: $0.01 → $0.005 per search (-50%)',
    ],
    [
      { tier: null, dimension: 'request', previous: '0', current: '0.0002', relative_change: null },
      'request: $0.00 → $0.0002 per request',
    ],
    [
      { tier: null, dimension: 'image', previous: '0.001', current: null, relative_change: null },
      'image: $0.001 → — per image',
    ],
    [
      { tier: null, dimension: 'discount', previous: '0.25', current: '0.30000000', relative_change: '0.2' },
      'discount: 25% → 30% (+20%)',
    ],
  ])('%j', (move, text) => expect(moveText(move)).toBe(text));
});
