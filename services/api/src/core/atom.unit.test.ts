// From services/api/README.md "Changes as an Atom feed": ids, titles, content lines, links, escaping,
// and an empty feed that is the same bytes every time. The XML itself is read back by the int test's
// real feed parser (tests/int/api).
import { describe, expect, it } from 'vitest';
import type { Change } from '../schemas.ts';
import { entryContent, entryTitle, feedId, historyLink, toAtomFeed, xmlEscape } from './atom.ts';

const change = (over: Partial<Change> = {}): Change => ({
  event_id: 'e1',
  price_key: 'k',
  model_id: 'qwen/qwen3-14b',
  provider: null,
  source: 'openrouter_api',
  kind: 'changed',
  at: '2026-08-19T06:00:01.000Z',
  changes: [
    { dimension: 'prompt', previous: '0.2275', current: '0.12', relative_change: '-0.47252747', tier: null },
    {
      dimension: 'completion',
      previous: '0.91',
      current: '0.24',
      relative_change: '-0.73626374',
      tier: null,
    },
  ],
  previous_observed_at: '2026-08-01T06:00:01.000Z',
  current_observed_at: '2026-08-19T06:00:01.000Z',
  snapshot_date: '2026-08-19',
  alert: true,
  expiration_date: null,
  ...over,
});

describe('Atom entries', () => {
  it('title: model · provider (openrouter for the routed price) · kind: first move (+N more)', () => {
    expect(entryTitle(change())).toBe(
      'qwen/qwen3-14b · openrouter · changed: prompt 0.2275 → 0.12 (+1 more)',
    );
    expect(entryTitle(change({ provider: 'deepinfra', changes: [] }))).toBe(
      'qwen/qwen3-14b · deepinfra · changed',
    );
    expect(entryTitle(change({ kind: 'expiring', changes: [], expiration_date: '2026-09-01' }))).toBe(
      'qwen/qwen3-14b · openrouter · expiring: expires 2026-09-01',
    );
  });

  it('content: one line per move with tier, none for a missing value, the percent; then source and alert', () => {
    expect(entryContent(change())).toBe(
      [
        'prompt: 0.2275 → 0.12 (-47.25%)',
        'completion: 0.91 → 0.24 (-73.63%)',
        'source: openrouter_api, alert: yes',
      ].join('\n'),
    );
    expect(
      entryContent(
        change({
          kind: 'new',
          alert: false,
          changes: [
            { dimension: 'prompt', previous: null, current: '3', relative_change: null, tier: 'above_200k' },
          ],
        }),
      ),
    ).toBe('[above_200k] prompt: none → 3\nsource: openrouter_api, alert: no');
    expect(
      entryContent(
        change({
          changes: [
            { dimension: 'prompt', previous: '1', current: '1.5', relative_change: '0.5', tier: null },
          ],
        }),
      ),
    ).toBe('prompt: 1 → 1.5 (+50.00%)\nsource: openrouter_api, alert: yes');
  });

  it('link: the model’s history on the request’s origin, with its provider', () => {
    expect(historyLink('http://h:1', change())).toBe(
      'http://h:1/v1/models/qwen/qwen3-14b/history?provider=openrouter',
    );
    expect(historyLink('http://h:1', change({ provider: 'a/b' }))).toBe(
      'http://h:1/v1/models/qwen/qwen3-14b/history?provider=a%2Fb',
    );
  });
});

describe('the feed', () => {
  it('id: plain without filters; with filters the SHA-256 of sorted k=v pairs, limit left out', () => {
    expect(feedId({})).toBe('urn:llmpt:changes');
    expect(feedId({ limit: '5', model: undefined })).toBe('urn:llmpt:changes');
    const id = feedId({ model: 'a/b', alerts: 'true', limit: '3' });
    expect(id).toBe(feedId({ alerts: 'true', model: 'a/b' }));
    // python3: hashlib.sha256(b'alerts=true&model=a/b').hexdigest()
    expect(id).toBe('urn:llmpt:changes:309c5258458a0f5a309ffc746bd7ea74e7424a5dd3ec108f8cad04e75cb38e2d');
  });

  it('escapes text and attributes', () => {
    expect(xmlEscape(`a&b<c>d"e'f`)).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;f');
    const xml = toAtomFeed({
      changes: [change({ model_id: 'x/<y>&z' })],
      filters: {},
      origin: 'http://h',
      selfPath: '/v1/changes.atom?a=1&b=2',
    });
    expect(xml).toContain('href="http://h/v1/changes.atom?a=1&amp;b=2"');
    expect(xml).toContain('x/&lt;y&gt;&amp;z · openrouter');
    expect(xml).not.toContain('<y>');
  });

  it('updated is the newest entry’s; an empty feed is dated the epoch, the same bytes each time', () => {
    const one = toAtomFeed({
      changes: [change()],
      filters: {},
      origin: 'http://h',
      selfPath: '/v1/changes.atom',
    });
    expect(one).toContain('<updated>2026-08-19T06:00:01.000Z</updated>');
    expect(one).toContain('<id>urn:llmpt:event:e1</id>');
    const empty = () =>
      toAtomFeed({ changes: [], filters: {}, origin: 'http://h', selfPath: '/v1/changes.atom' });
    expect(empty()).toContain('<updated>1970-01-01T00:00:00.000Z</updated>');
    expect(empty()).toBe(empty());
    expect(empty()).not.toContain('<entry>');
  });
});
