// The CSV read back by csv-parse (an RFC 4180 parser, strict about quotes and line ends): one record per
// (model, provider, source) of a recorded OpenRouter day, the header of the README, each field the
// stored value, the tiers JSON giving the tiers back; fields with commas, quotes and line breaks survive.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { DIMENSION_NAMES } from '@llmpt/schemas';
import { recordedSnapshotCaptures } from '@llmpt/testkit/oracle';
import { snapshotOf } from '../testing/recorded.ts';
import { CSV_COLUMNS, toCsv } from './csv.ts';
import { current, type PriceEntry } from './snapshot.ts';

const strict = {
  relax_quotes: false,
  relax_column_count: false,
  record_delimiter: '\r\n',
  bom: false,
} as const;

describe('CSV of prices', () => {
  const captures = recordedSnapshotCaptures();
  const snapshot = snapshotOf([captures[captures.length - 1]!]);
  const text = toCsv(snapshot);

  it('parses as RFC 4180 into one record per price, with the documented header', () => {
    const rows: string[][] = parse(text, strict);
    expect(rows[0]).toEqual([
      'model_id',
      'provider',
      'source_type',
      'price_key',
      'source_url',
      'observed_at',
      'effective_from',
      'prompt',
      'completion',
      'internal_reasoning',
      'input_cache_read',
      'input_cache_write',
      'request',
      'image',
      'web_search',
      'input_cache_write_1h',
      'input_audio',
      'input_audio_cache',
      'audio_output',
      'image_token',
      'image_output',
      'discount',
      'tiers',
    ]);
    expect(rows.length - 1).toBe(snapshot.entries.length);
    expect(snapshot.entries.length).toBeGreaterThan(300);
    expect(text.endsWith('\r\n')).toBe(true);
  });

  it('every field is the stored value; the tiers column gives the tiers back', () => {
    const records = parse<Record<string, string>>(text, { ...strict, columns: true });
    const byKey = new Map(snapshot.entries.map((e) => [e.price_key, e]));
    let tiered = 0;
    for (const r of records) {
      const e = byKey.get(r.price_key!)!;
      const p = current(e);
      expect(r.model_id).toBe(e.model_id);
      expect(r.provider).toBe(e.provider ?? '');
      expect(r.observed_at).toBe(p.observed_at);
      for (const d of DIMENSION_NAMES)
        expect(r[d], `${e.price_key} ${d}`).toBe(p.base.find((b) => b.dimension === d)?.amount ?? '');
      expect(JSON.parse(r.tiers!)).toEqual(p.tiers);
      if (p.tiers.length > 0) tiered++;
    }
    expect(tiered).toBeGreaterThan(10);
  });

  it('quotes what must be quoted and nothing else', () => {
    const e: PriceEntry = {
      price_key: 'a/"b",c|Prov, Inc.\nNew|provider_site',
      model_id: 'a/"b",c',
      provider: 'Prov, Inc.\nNew',
      source_type: 'provider_site',
      name: null,
      context_length: null,
      periods: [
        {
          effective_from: '2026-08-01T00:00:00.000Z',
          observed_at: '2026-08-01T00:00:00.000Z',
          source_url: 'https://x.example/p?a=1,2',
          base: [{ dimension: 'prompt', amount: '1.00000000' }],
          tiers: [],
        },
      ],
    };
    const out = toCsv({ at: '2026-08-02T00:00:00.000Z', entries: [e] });
    expect(out.split('\r\n')[1]!.startsWith('"a/""b"",c","Prov, Inc.\nNew",provider_site,')).toBe(true);
    const [rec] = parse<Record<string, string>>(out, { ...strict, columns: true });
    expect([rec!.model_id, rec!.provider, rec!.source_url, rec!.prompt, rec!.tiers]).toEqual([
      'a/"b",c',
      'Prov, Inc.\nNew',
      'https://x.example/p?a=1,2',
      '1.00000000',
      '[]',
    ]);
    expect(CSV_COLUMNS).toHaveLength(8 + DIMENSION_NAMES.length);
  });
});
