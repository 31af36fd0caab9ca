import { describe, expect, it } from 'vitest';
import type { EndpointEntry } from '@llmpt/fixture-server';
import type { NormalizedPrice } from '@llmpt/schemas';
import {
  cloneCatalog,
  clonedObservations,
  cloneId,
  cloneNormalized,
  cloneOf,
  ofFirstClones,
  type Catalog,
} from './catalog.ts';

const endpoint = (model_id: string, tag: string): EndpointEntry => ({
  name: `${tag} | ${model_id}`,
  model_id,
  model_name: model_id,
  context_length: 1000,
  pricing: { prompt: '0.000001', completion: '0.000002' },
  provider_name: tag,
  tag,
  quantization: null,
  max_completion_tokens: null,
  max_prompt_tokens: null,
  supported_parameters: [],
  status: 0,
  uptime_last_30m: null,
  supports_implicit_caching: false,
});

const catalog: Catalog = {
  models: [
    { id: 'a/one', canonical_slug: 'a/one-20260101', name: 'One', pricing: { prompt: '0.000001' } },
    { id: 'b/two:free', canonical_slug: null, name: 'Two' },
  ],
  endpoints: new Map([['a/one', [endpoint('a/one', 'p1'), endpoint('a/one', 'p2')]]]),
};

describe('cloneCatalog', () => {
  it('factor 1 is the catalog itself', () => {
    const c = cloneCatalog(catalog, 1);
    expect(c.models).toEqual(catalog.models);
    expect([...c.endpoints]).toEqual([...catalog.endpoints]);
  });

  it('factor 3: every model three times, clone i ≥ 1 under x<i>-, ids distinct, the rest unchanged', () => {
    const c = cloneCatalog(catalog, 3);
    expect(c.models.map((m) => m.id)).toEqual([
      'a/one',
      'b/two:free',
      'x1-a/one',
      'x1-b/two:free',
      'x2-a/one',
      'x2-b/two:free',
    ]);
    expect(c.models.map((m) => m.canonical_slug)).toEqual([
      'a/one-20260101',
      null,
      'x1-a/one-20260101',
      null,
      'x2-a/one-20260101',
      null,
    ]);
    expect(c.models[4]).toMatchObject({ name: 'One', pricing: { prompt: '0.000001' } });
    expect([...c.endpoints.keys()]).toEqual(['a/one', 'x1-a/one', 'x2-a/one']);
    const x2 = c.endpoints.get('x2-a/one')!;
    expect(x2.map((e) => [e.model_id, e.tag, e.provider_name])).toEqual([
      ['x2-a/one', 'p1', 'p1'],
      ['x2-a/one', 'p2', 'p2'],
    ]);
    expect(x2[0]!.pricing).toEqual(endpoint('a/one', 'p1').pricing);
    // The input is left as it was.
    expect(catalog.models[0]!.id).toBe('a/one');
    expect(catalog.endpoints.get('a/one')![0]!.model_id).toBe('a/one');
  });

  it('refuses a factor that is not a positive integer', () => {
    expect(() => cloneCatalog(catalog, 0)).toThrow(RangeError);
    expect(() => cloneCatalog(catalog, 1.5)).toThrow(RangeError);
  });
});

describe('cloneId and cloneOf', () => {
  it('clone 0 is the id itself; cloneOf reads the clone back', () => {
    expect(cloneId('a/one', 0)).toBe('a/one');
    expect(cloneId('a/one', 12)).toBe('x12-a/one');
    expect(cloneOf('a/one')).toBe(0);
    expect(cloneOf('x12-a/one')).toBe(12);
    expect(cloneOf('x-ai/grok')).toBe(0);
  });
});

describe('cloneNormalized', () => {
  const np = {
    event_id: 'e1',
    model_id: 'a/one',
    price_key: 'a/one|p1|openrouter_endpoints',
    observed_at: 5,
    prompt: '0.000001',
  } as unknown as NormalizedPrice;

  it('renames the model and the price key, gives a distinct id per clone, keeps the rest', () => {
    expect(cloneNormalized(np, 0)).toBe(np);
    const c1 = cloneNormalized(np, 1);
    const c2 = cloneNormalized(np, 2);
    expect(c1).toMatchObject({ model_id: 'x1-a/one', price_key: 'x1-a/one|p1|openrouter_endpoints' });
    expect(c2.price_key).toBe('x2-a/one|p1|openrouter_endpoints');
    expect(new Set([np.event_id, c1.event_id, c2.event_id]).size).toBe(3);
    expect(cloneNormalized(np, 1).event_id).toBe(c1.event_id);
    expect({ ...c1, event_id: 'e1', model_id: 'a/one', price_key: np.price_key }).toEqual(np);
  });
});

describe('ofFirstClones', () => {
  it('keeps the events of clones 0 … factor − 1, in order', () => {
    const ids = ['a/one', 'x1-a/one', 'x3-b/two', 'x-ai/grok', 'x2-a/one', 'x10-a/one'];
    const events = ids.map((model_id) => ({ model_id }));
    expect(ofFirstClones(events, 1).map((e) => e.model_id)).toEqual(['a/one', 'x-ai/grok']);
    expect(ofFirstClones(events, 3).map((e) => e.model_id)).toEqual([
      'a/one',
      'x1-a/one',
      'x-ai/grok',
      'x2-a/one',
    ]);
    expect(ofFirstClones(events, 16)).toHaveLength(6);
  });
});

describe('clonedObservations', () => {
  const base = ['a/one', 'b/two', 'c/three'].map(
    (model_id, k) =>
      ({
        event_id: `e${k}`,
        model_id,
        price_key: `${model_id}||openrouter_api`,
      }) as unknown as NormalizedPrice,
  );

  it('yields whole clones 0, 1, … and cuts the last one at the total', () => {
    const clones = [...clonedObservations(base, 7)].map((c) => c.map((e) => e.model_id));
    expect(clones).toEqual([
      ['a/one', 'b/two', 'c/three'],
      ['x1-a/one', 'x1-b/two', 'x1-c/three'],
      ['x2-a/one'],
    ]);
    expect([...clonedObservations(base, 3)]).toHaveLength(1);
    expect([...clonedObservations(base, 2)].flat().map((e) => e.model_id)).toEqual(['a/one', 'b/two']);
    expect([...clonedObservations([], 5)]).toEqual([]);
  });
});
