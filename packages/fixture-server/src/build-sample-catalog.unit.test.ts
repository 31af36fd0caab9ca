import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dimensionOfKey } from '@llmpt/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSampleCatalog, STAND_IN_PRICE_KEYS } from './build-sample-catalog.ts';
import { sampleCatalogDir } from './paths.ts';

describe('the sample catalog build', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'sample-catalog-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('rebuilds the committed fixtures byte for byte from the recorded data', () => {
    const sizes = buildSampleCatalog(out);
    expect(Object.keys(sizes).sort()).toEqual([
      'day1.models.json',
      'day2.models.json',
      'endpoints/day1.json',
      'endpoints/day2.json',
      'providers.json',
    ]);
    for (const file of Object.keys(sizes))
      expect(readFileSync(path.join(out, file), 'utf8'), file).toBe(
        readFileSync(path.join(sampleCatalogDir, file), 'utf8'),
      );
  });

  it('gives stand-in endpoints only pricing keys of registered dimensions', () => {
    for (const key of STAND_IN_PRICE_KEYS) expect(dimensionOfKey(key, 'per_1m_tokens'), key).toBe(key);
  });
});
