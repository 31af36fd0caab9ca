// Oracle: the registry itself (schemas/src/dimensions.ts, docs/price-model.md §1): the explorer's list
// of dimensions has its names, order and basis; and web/README.md ("Current prices", "Tiers in
// words") for how an amount reads.
import { describe, expect, it } from 'vitest';
import { DIMENSIONS as REGISTRY } from '@llmpt/schemas';
import {
  amountPhrase,
  amountText,
  DIMENSIONS,
  dimensionOrder,
  dimensionWords,
  ratioText,
} from './dimensions.ts';

describe('the explorer names the registry’s dimensions', () => {
  it('same names, same order, same basis', () => {
    expect(DIMENSIONS.map((d) => [d.name, d.basis])).toEqual(REGISTRY.map((d) => [d.name, d.basis]));
  });
  it('a per-unit dimension names its unit, a token one is per 1M', () => {
    for (const d of REGISTRY) {
      const w = dimensionWords(d.name);
      if (d.basis === 'per_1m_tokens') expect(w.headUnit).toBe('/1M tokens');
      if (d.basis === 'per_unit') expect(w.per).toMatch(/^per (request|image|search)$/);
    }
  });
  it('orders dimensions as the registry, unknown ones last', () => {
    expect(['discount', 'zzz', 'completion', 'prompt'].sort(dimensionOrder)).toEqual([
      'prompt',
      'completion',
      'discount',
      'zzz',
    ]);
  });
});

describe('amounts in words', () => {
  it.each([
    ['prompt', '6.00000000', '$6.00', 'input $6.00'],
    ['completion', '22.5', '$22.50', 'output $22.50'],
    ['web_search', '0.01400000', '$0.014', 'web search $0.014 per search'],
    ['request', '0.0004', '$0.0004', 'request $0.0004 per request'],
    ['discount', '0.30000000', '30%', 'discount 30%'],
    ['discount', '0.00000000', '0%', 'discount 0%'],
  ])('%s %s', (dim, amount, cell, phrase) => {
    expect(amountText(dim, amount)).toBe(cell);
    expect(amountPhrase(dim, amount)).toBe(phrase);
  });
  it('null is an em dash', () => expect(amountText('prompt', null)).toBe('—'));
  it('a ratio is a percentage, exactly', () => {
    expect(ratioText('0.3')).toBe('30%');
    expect(ratioText('0.125')).toBe('12.5%');
  });
});
