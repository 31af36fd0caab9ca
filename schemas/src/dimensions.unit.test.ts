import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DIMENSIONS,
  DIMENSION_NAMES,
  TOKEN_DIMENSION_NAMES,
  dimensionOfKey,
  emptyDimensionValues,
  isDimension,
} from './dimensions.ts';
import { MONEY_FIELDS } from './invariants.ts';

const avsc = (name: string) =>
  JSON.parse(readFileSync(new URL(`../${name}.avsc`, import.meta.url), 'utf8')) as {
    fields: { name: string; type: unknown; default?: unknown }[];
  };

describe('the dimension registry', () => {
  it('is the set of NormalizedPrice money fields, each [null, string] with default null, in registry order', () => {
    const money = avsc('NormalizedPrice').fields.filter((f) => isDimension(f.name));
    expect(money.map((f) => f.name)).toEqual([...DIMENSION_NAMES]);
    for (const f of money) {
      expect(f.type, f.name).toEqual(['null', 'string']);
      expect(f.default, f.name).toBeNull();
    }
    expect(MONEY_FIELDS).toEqual(DIMENSION_NAMES);
  });

  it('v1 dimensions are the original design columns, in their order; names are unique', () => {
    expect(DIMENSIONS.filter((d) => d.since === 1).map((d) => d.name)).toEqual([
      'prompt',
      'completion',
      'internal_reasoning',
      'input_cache_read',
      'input_cache_write',
      'request',
      'image',
      'web_search',
    ]);
    expect(new Set(DIMENSION_NAMES).size).toBe(DIMENSION_NAMES.length);
  });

  it('has at least the dimensions issue 11 names, with image per token and per image apart', () => {
    for (const name of [
      'input_cache_write_1h',
      'input_audio',
      'input_audio_cache',
      'audio_output',
      'image_token',
      'image_output',
      'discount',
    ])
      expect(isDimension(name), name).toBe(true);
    expect(dimensionOfKey('image', 'per_unit')).toBe('image');
    expect(dimensionOfKey('image', 'per_1m_tokens')).toBe('image_token');
    expect(dimensionOfKey('audio', 'per_1m_tokens')).toBe('input_audio');
    expect(dimensionOfKey('discount', 'ratio')).toBe('discount');
    expect(TOKEN_DIMENSION_NAMES).not.toContain('image');
    expect(TOKEN_DIMENSION_NAMES).toContain('image_token');
  });

  it('maps a dimension name to itself and never guesses an unknown key', () => {
    for (const d of DIMENSIONS) expect(dimensionOfKey(d.name, d.basis)).toBe(d.name);
    expect(dimensionOfKey('prompt_audio_duration', 'per_unit')).toBeNull();
    expect(dimensionOfKey('video_second', 'per_unit')).toBeNull();
    // A page publishing prompt per unit keeps its dimension (the normalizer notes the unit).
    expect(dimensionOfKey('prompt', 'per_unit')).toBe('prompt');
  });

  it('emptyDimensionValues has every dimension null', () => {
    expect(Object.keys(emptyDimensionValues())).toEqual([...DIMENSION_NAMES]);
    expect(Object.values(emptyDimensionValues()).every((v) => v === null)).toBe(true);
  });
});
