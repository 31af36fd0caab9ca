import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate, generatedPath } from '../scripts/gen-types.ts';

describe('schemas/src/generated.ts', () => {
  it('is what gen-types produces from schemas/*.avsc (run `npm run gen:types` when this fails)', () => {
    expect(readFileSync(generatedPath, 'utf8')).toBe(generate());
  });
});
