// From services/api/README.md "Exports": which URL names which file, which moment a day stands for
// (the CLI's --at DAY: its last UTC millisecond), and that only a day that is over is served.
import { describe, expect, it } from 'vitest';
import type { PriceSnapshot } from '@llmpt/exports';
import { toGenaiPrices, toLiteLLM, toModelsDev } from '@llmpt/exports';
import { dayMoment, exportFormatOf, exportReportHeaders, renderExport, splitDayFile } from './exports.ts';

describe('export URLs', () => {
  it('each format with its own extension, nothing else', () => {
    expect(exportFormatOf('litellm.json')).toBe('litellm');
    expect(exportFormatOf('genai-prices.json')).toBe('genai-prices');
    expect(exportFormatOf('models-dev.json')).toBe('models-dev');
    expect(exportFormatOf('csv.csv')).toBe('csv');
    for (const bad of ['litellm.csv', 'csv.json', 'litellm', '.json', 'openrouter.json', 'toString.json'])
      expect(exportFormatOf(bad), bad).toBeNull();
  });

  it('a day file splits at its last dot', () => {
    expect(splitDayFile('2026-08-19.json')).toEqual({ day: '2026-08-19', ext: 'json' });
    expect(splitDayFile('2026-08-19')).toBeNull();
    expect(splitDayFile('2026-08-19.')).toBeNull();
  });
});

describe('the moment of a day', () => {
  const now = new Date('2026-08-20T00:00:00Z');

  it('is the last millisecond of that UTC day', () => {
    expect(dayMoment('2026-08-19', now)).toEqual({ ok: true, at: new Date('2026-08-19T23:59:59.999Z') });
    expect(dayMoment('2024-02-29', now)).toEqual({ ok: true, at: new Date('2024-02-29T23:59:59.999Z') });
  });

  it('a day not over yet (today, later) is refused', () => {
    expect(dayMoment('2026-08-20', now)).toEqual({ ok: false, reason: 'NOT_OVER' });
    expect(dayMoment('2026-08-19', new Date('2026-08-19T23:59:59.999Z'))).toEqual({
      ok: false,
      reason: 'NOT_OVER',
    });
    expect(dayMoment('2030-01-01', now)).toEqual({ ok: false, reason: 'NOT_OVER' });
  });

  it('anything but a calendar YYYY-MM-DD is not a day', () => {
    for (const bad of ['2026-02-30', '2026-13-01', '2026-8-19', '20260819', '2026-08-19T00:00:00Z', ''])
      expect(dayMoment(bad, now), bad).toEqual({ ok: false, reason: 'NOT_A_DAY' });
  });
});

describe('the file', () => {
  const snapshot: PriceSnapshot = {
    at: '2026-08-19T23:59:59.999Z',
    entries: [
      {
        price_key: 'openrouter_api|acme/m1|',
        model_id: 'acme/m1',
        provider: null,
        source_type: 'openrouter_api',
        name: null,
        context_length: null,
        periods: [
          {
            effective_from: '2026-08-01T06:00:01.000Z',
            observed_at: '2026-08-19T06:00:01.000Z',
            source_url: 'https://openrouter.ai/api/v1/models',
            base: [
              { dimension: 'prompt', amount: '1.5' },
              { dimension: 'completion', amount: '6' },
            ],
            tiers: [],
          },
        ],
      },
    ],
  };

  it('JSON formats: the CLI’s stable JSON, with the JSON content type', () => {
    for (const format of ['litellm', 'genai-prices', 'models-dev'] as const) {
      const { body, contentType } = renderExport(format, snapshot);
      expect(contentType).toBe('application/json; charset=utf-8');
      expect(body.endsWith('\n')).toBe(true);
      expect(JSON.stringify(JSON.parse(body), null, 2) + '\n').toBe(body);
      expect(body).toContain('m1');
    }
  });

  it('csv: text/csv, a header and one row', () => {
    const { body, contentType } = renderExport('csv', snapshot);
    expect(contentType).toBe('text/csv; charset=utf-8');
    expect(body.split('\r\n').filter(Boolean)).toHaveLength(2);
    expect(body).toContain('acme/m1');
  });

  it('the report: the counts of what the format’s mapping skipped and caveated, as the CLI prints them', () => {
    // An endpoint price (LiteLLM has no key for openrouter_endpoints prices: packages/exports README)
    // and a model id with a space (not a genai-prices id) beside the routed price.
    const routed = snapshot.entries[0]!;
    const wider: PriceSnapshot = {
      ...snapshot,
      entries: [
        routed,
        {
          ...routed,
          price_key: 'openrouter_endpoints|acme/m1|acme',
          provider: 'acme',
          source_type: 'openrouter_endpoints',
        },
        { ...routed, price_key: 'openrouter_api|acme/bad id|', model_id: 'acme/bad id' },
      ],
    };
    const litellm = toLiteLLM(wider);
    const genai = toGenaiPrices(wider);
    const modelsDev = toModelsDev(wider);
    expect(litellm.skipped.map((x) => x.price_key)).toContain('openrouter_endpoints|acme/m1|acme');
    expect(genai.skipped.map((x) => x.price_key)).toContain('openrouter_api|acme/bad id|');
    const report = (skipped: readonly unknown[], caveats: readonly unknown[]) => ({
      prices: 3 - skipped.length,
      skipped: skipped.length,
      caveats: caveats.length,
    });
    expect(renderExport('litellm', wider).report).toEqual(report(litellm.skipped, litellm.caveats));
    expect(renderExport('genai-prices', wider).report).toEqual(report(genai.skipped, []));
    expect(renderExport('models-dev', wider).report).toEqual(report(modelsDev.skipped, modelsDev.caveats));
    expect(renderExport('csv', wider).report).toEqual({ prices: 3, skipped: 0, caveats: 0 });
    expect(exportReportHeaders({ prices: 2, skipped: 1, caveats: 0 })).toEqual({
      'x-export-prices': '2',
      'x-export-skipped': '1',
      'x-export-caveats': '0',
    });
  });
});
