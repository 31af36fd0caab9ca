import { describe, expect, it } from 'vitest';
import { backfillOutcomeOf, formatSampleSummary, type SampleSummary } from './daily-summary.ts';

// README "The daily run": offline, the summary says which days were loaded (their real dates) and by
// which run, what each day holds and what changed between them; a second run writes nothing.
const none = { total: '0', new: '0', changed: '0', removed: '0', returned: '0', expiring: '0', alerts: '0' };
const summary = (backfill: SampleSummary['backfill']): SampleSummary => ({
  days: ['2026-08-01', '2026-08-19'],
  backfill,
  models: '34',
  perDay: [
    { day: '2026-08-01', models: '33', routed: '33', perProvider: '83' },
    { day: '2026-08-19', models: '33', routed: '33', perProvider: '81' },
  ],
  changes: { ...none, total: '3', new: '1', changed: '2', alerts: '1' },
  top: [
    {
      modelId: 'qwen/qwen3-14b',
      provider: '-',
      sourceType: 'openrouter_api',
      dimension: 'completion',
      tier: 'base',
      previous: '0.91000000',
      current: '0.24000000',
      relativeChange: '-0.73626374',
    },
  ],
  written: { observations: '0', changes: '0' },
});

describe('the offline summary', () => {
  it("reads the backfill command's count from its last line", () => {
    const out =
      '[1/2] a.json ...\nbackfill: files=2 days=2 models=34 endpoints=66 providers=2 events=290 refused=0 skipped=1\n';
    expect(backfillOutcomeOf(out)).toEqual({ files: 2, skipped: 1 });
    expect(backfillOutcomeOf('nothing here')).toBeNull();
  });

  it('names the days, who loaded them, each day, the changes between them and what this run wrote', () => {
    const text = formatSampleSummary(summary({ files: 2, skipped: 0 }), 12_345);
    expect(text.split('\n')).toEqual([
      '',
      'daily run (OFFLINE: the bundled sample, loaded by the backfill command with its real dates): summary',
      '  days                   2026-08-01, 2026-08-19: published by this run (2 of 2)',
      '  2026-08-01             33 models: 33 routed prices, 83 per-provider prices observed',
      '  2026-08-19             33 models: 33 routed prices, 81 per-provider prices observed',
      '  models in catalog      34',
      '  price changes          2026-08-01 -> 2026-08-19: 3 (new: 1, changed: 2, removed: 0, returned: 0, expiring: 0; alerts: 1)',
      '  top price changes 2026-08-01 -> 2026-08-19 (USD per 1M tokens or per unit):',
      '    qwen/qwen3-14b [- openrouter_api] completion (base): 0.91000000 -> 0.24000000 (-73.6%)',
      '  written by this run    0 price observations, 0 price changes',
      '  wall time              12.3 s',
    ]);
  });

  it('says when an earlier run loaded the days, or some of them', () => {
    expect(formatSampleSummary(summary({ files: 2, skipped: 2 }), 0)).toContain(
      '2026-08-01, 2026-08-19: already loaded by an earlier run: nothing published (2 of 2 skipped)',
    );
    expect(formatSampleSummary(summary({ files: 2, skipped: 1 }), 0)).toContain(
      'published by this run: 1, already loaded: 1',
    );
  });
});

describe('the offline summary: provider pricing pages', () => {
  it('names where the captures were served from and the provider_site prices per provider', () => {
    const text = formatSampleSummary(
      {
        ...summary({ files: 2, skipped: 0 }),
        pages: {
          servedFrom: '../shared/data/pricing_pages',
          perProvider: [
            { provider: 'anthropic', ok: '3', unavailable: '0' },
            { provider: 'novita', ok: '8', unavailable: '1' },
          ],
        },
      },
      0,
    );
    expect(text.split('\n').slice(9, 12)).toEqual([
      "  provider pages         the recorded captures in ../shared/data/pricing_pages, served locally (pages as captured in 2026-04/05, observed now; not today's pages)",
      '    anthropic            3 provider_site prices, 0 unavailable',
      '    novita               8 provider_site prices, 1 unavailable',
    ]);
  });

  it('says when the captures are not on this machine', () => {
    expect(formatSampleSummary({ ...summary(null), pages: null }, 0)).toContain(
      '  provider pages         not read: the recorded captures (../shared/data/pricing_pages) are not on this machine and the project does not ship them',
    );
  });
});
