// Oracle: web/README.md "Pages and their URLs".
import { describe, expect, it } from 'vitest';
import { hrefOf, isModelId, queryString, routeOf } from './routes.ts';

const BASE = '/explorer/';

describe('routes', () => {
  it.each([
    ['/explorer/', { page: 'catalog' }],
    ['/explorer', { page: 'catalog' }],
    ['/explorer/models/openai/gpt-4o', { page: 'model', id: 'openai/gpt-4o' }],
    [
      '/explorer/models/meta-llama/llama-3.1-8b-instruct:free',
      { page: 'model', id: 'meta-llama/llama-3.1-8b-instruct:free' },
    ],
    ['/explorer/models/~openai/gpt-x', { page: 'model', id: '~openai/gpt-x' }],
    ['/explorer/changes', { page: 'changes' }],
    ['/explorer/cost/', { page: 'cost' }],
    ['/explorer/compare', { page: 'compare' }],
  ])('%s', (path, route) => expect(routeOf(path, BASE)).toEqual(route));

  it('anything else is not found, with its path', () => {
    expect(routeOf('/explorer/models/openai', BASE)).toEqual({
      page: 'not-found',
      path: '/explorer/models/openai',
    });
    expect(routeOf('/explorer/nope', BASE)).toEqual({ page: 'not-found', path: '/explorer/nope' });
    expect(routeOf('/explorer/changes/x', BASE)).toEqual({ page: 'not-found', path: '/explorer/changes/x' });
  });

  it('hrefOf and routeOf agree, the query sorted and empty values left out', () => {
    const href = hrefOf({ page: 'model', id: 'meta-llama/llama-3:free' }, BASE, {
      dim: 'completion',
      b: '',
      a: 'x y',
    });
    expect(href).toBe('/explorer/models/meta-llama/llama-3%3Afree?a=x+y&dim=completion');
    const url = new URL(href, 'http://h');
    expect(routeOf(url.pathname, BASE)).toEqual({ page: 'model', id: 'meta-llama/llama-3:free' });
    expect(hrefOf({ page: 'catalog' }, BASE)).toBe('/explorer/');
    expect(queryString({ z: '1', a: undefined, m: '2' })).toBe('m=2&z=1');
  });

  it('model ids', () => {
    expect(isModelId('openai/gpt-4o')).toBe(true);
    expect(isModelId('openai')).toBe(false);
    expect(isModelId('a/b/c')).toBe(false);
    expect(isModelId('a/<script>')).toBe(false);
  });
});
