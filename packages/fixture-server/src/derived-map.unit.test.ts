import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { endpointsFromDerivedMap, floatToDecimalString } from './derived-map.ts';
import { sharedDataDir } from './paths.ts';

describe('floatToDecimalString', () => {
  it('writes floats as the decimal strings the API publishes', () => {
    expect(floatToDecimalString(3e-5)).toBe('0.00003');
    expect(floatToDecimalString(2.5e-6)).toBe('0.0000025');
    expect(floatToDecimalString(3e-7)).toBe('0.0000003');
    expect(floatToDecimalString(9.375e-8)).toBe('0.00000009375');
    expect(floatToDecimalString(1.2e-7)).toBe('0.00000012');
    expect(floatToDecimalString(0.00015)).toBe('0.00015');
    expect(floatToDecimalString(0)).toBe('0');
    expect(floatToDecimalString(1.5)).toBe('1.5');
  });
});

describe('endpointsFromDerivedMap', () => {
  const map = JSON.parse(
    readFileSync(
      path.join(
        sharedDataDir,
        'openrouter',
        'endpoints',
        'openrouter_endpoints-derived-map_aiscanner_2026-05-18.json',
      ),
      'utf8',
    ),
  ) as unknown;
  const byModel = endpointsFromDerivedMap(map);

  it('indexes every model of the map (343 models, 832 endpoints)', () => {
    expect(byModel.size).toBe(343);
    expect([...byModel.values()].reduce((n, list) => n + list.length, 0)).toBe(832);
  });

  it('rebuilds the real endpoint shape with string prices and a numeric discount', () => {
    const gpt4o = byModel.get('openai/gpt-4o') ?? [];
    expect(gpt4o.map((e) => [e.provider_name, e.tag, e.pricing])).toEqual([
      ['OpenAI', 'openai', { prompt: '0.0000025', completion: '0.00001', discount: 0 }],
      ['Azure', 'azure', { prompt: '0.0000025', completion: '0.00001', discount: 0 }],
    ]);
    expect(gpt4o[0]).toMatchObject({
      name: 'OpenAI | openai/gpt-4o',
      model_id: 'openai/gpt-4o',
      max_prompt_tokens: null,
      status: 0,
    });
    const all = [...byModel.values()].flat();
    expect(
      all.every((e) => typeof e.pricing.prompt === 'string' && !/e/i.test(String(e.pricing.prompt))),
    ).toBe(true);
  });
});
