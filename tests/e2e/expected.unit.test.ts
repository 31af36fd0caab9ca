// The e2e oracle (e2e/expected.ts) is this oracle day by day: over the series its per-run changes
// add up to the whole-series computation, and a provider's several endpoints are variant tiers.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleCatalogDir } from '@llmpt/fixture-server';
import {
  catalogOf,
  expectedChanges,
  expectedEndpoints,
  expectedRoutedDay,
  ExpectedState,
} from './expected.ts';
import { seriesCaptures, expectedRoutedChanges } from '@llmpt/testkit/oracle';

describe('e2e expected.ts', () => {
  it('day by day, publishes the same changes as the whole-series oracle', () => {
    const captures = seriesCaptures();
    // The captures' own dates, as the whole-series oracle has them.
    const state = new ExpectedState({
      utcDayOf: (i) => new Date(captures[i]!.capturedAt).toISOString().slice(0, 10),
    });
    const perDay = captures.flatMap((c) =>
      expectedChanges(state, expectedRoutedDay(c.models), catalogOf(c.models)).map(
        (e) => `${e.price_key} ${e.kind} ${e.changes.length} ${e.alert}`,
      ),
    );
    const whole = expectedRoutedChanges(captures).map(
      (e) => `${e.price_key} ${e.kind} ${e.changes.length} ${e.alert}`,
    );
    expect(perDay.sort()).toEqual(whole.sort());
  }, 120_000);

  it('a provider with several endpoints has one variant tier per quantization and no base', () => {
    const day = JSON.parse(
      readFileSync(path.join(sampleCatalogDir, 'endpoints', 'day1.json'), 'utf8'),
    ) as Record<string, unknown>;
    const multi = Object.entries(day).flatMap(([model, list]) =>
      Array.isArray(list) ? [...expectedEndpoints(model, list)].map(([k, o]) => ({ k, o })) : [],
    );
    expect(multi.length).toBeGreaterThan(0);
    const tiered = multi.filter(({ o }) => Object.keys(o.slots).some((s) => s.startsWith('variant=')));
    expect(tiered.length).toBeGreaterThan(0);
    for (const { o } of tiered)
      expect(Object.keys(o.slots).filter((s) => s.startsWith('base: '))).toEqual([]);
    // Vertex's two regions of Opus 4.7 share the quantization "unknown": the tags tell them apart.
    const vertex = multi.find(
      ({ k }) => k === 'anthropic/claude-opus-4.7|google-vertex|openrouter_endpoints',
    );
    expect(Object.keys(vertex!.o.slots).filter((s) => s.endsWith(': prompt'))).toEqual([
      'variant=google-vertex/europe: prompt',
      'variant=google-vertex/global: prompt',
    ]);
    for (const { o } of multi) expect(o.status).toBe('ok');
  });
});
