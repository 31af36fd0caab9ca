import fc from 'fast-check';
import { encodeEvent } from '@llmpt/schemas';
import { describe, expect, it } from 'vitest';
import { emptyBlocklist } from './blocklist.ts';
import { discoverModels, parseModelsResponse } from './discover.ts';

const ctx = {
  runId: 'run-p',
  fetchedAt: Date.UTC(2026, 7, 1),
  sourceUrl: 'http://127.0.0.1/api/v1/models',
  blocklist: emptyBlocklist,
};

// Entries shaped like OpenRouter's, with any field replaced by anything JSON can carry.
const anyJson = fc.jsonValue({ maxDepth: 3 });
const priceText = fc.oneof(fc.constantFrom('0', '-1', '0.000003', '1e-7', '', 'abc', '$1.25'), fc.string());
const entry = fc.record(
  {
    id: fc.oneof(fc.string(), anyJson),
    name: fc.oneof(fc.string(), anyJson),
    created: fc.oneof(fc.integer(), fc.double(), anyJson),
    context_length: fc.oneof(fc.integer(), anyJson),
    pricing: fc.oneof(
      fc.record(
        { prompt: fc.oneof(priceText, anyJson), completion: fc.oneof(priceText, anyJson) },
        { requiredKeys: [] },
      ),
      fc.dictionary(fc.string(), fc.oneof(priceText, anyJson)),
      anyJson,
    ),
    architecture: anyJson,
    top_provider: anyJson,
    supported_parameters: anyJson,
  },
  { requiredKeys: [] },
);

describe('discovery on malformed OpenRouter entries (property)', () => {
  it('never throws, accounts for every entry, and never invents a price', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(entry, anyJson), { maxLength: 8 }), (entries) => {
        const result = discoverModels(parseModelsResponse({ data: entries }).entries, ctx);
        // Every entry is either an event or a rejection with a reason.
        expect(result.events.length + result.rejected.length + result.blocked.length).toBe(entries.length);
        for (const r of result.rejected) expect(r.reason.length).toBeGreaterThan(0);
        for (const e of result.events) {
          // Prices are kept exactly as published: nothing that was not in the entry appears.
          const published = entries.find((x) => JSON.stringify(x) === e.raw_entry) as
            { pricing?: Record<string, unknown> } | undefined;
          expect(published).toBeDefined();
          for (const [k, v] of Object.entries(e.pricing)) {
            const original = published?.pricing?.[k];
            expect(typeof original === 'string' ? original : JSON.stringify(original)).toBe(v);
          }
          // And every event encodes under the Avro contract.
          expect(() => encodeEvent('ModelDiscovered', e)).not.toThrow();
        }
      }),
      {
        numRuns: 300,
        // Found by this property in CI: a timestamp past 2^53 ms made an event the codec refuses.
        examples: [
          [[{ id: ' ', name: '', created: 9007199254740.992, pricing: { prompt: '', completion: '0' } }]],
          [[{ id: 'a/b', name: 'b', context_length: 2 ** 60, pricing: { prompt: '0', completion: '0' } }]],
        ],
      },
    );
  });
});
