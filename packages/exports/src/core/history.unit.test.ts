// The history rules of src/core/history.ts, written from price_at's (migration 0010) and
// docs/price-model.md: a period per run of equal facts, unavailable runs carry no price, a removed or
// unavailable key is not in the snapshot, rows after the snapshot time do not count, and a row written
// before v2 is priced by its columns.
import { describe, expect, it } from 'vitest';
import { emptyDimensionValues } from '@llmpt/schemas';
import { periodsOf, snapshotFromRows, type ObservationRow } from './history.ts';

const cols = (prompt: string | null, completion: string | null) => ({
  ...emptyDimensionValues(),
  prompt,
  completion,
});
let n = 0;
const row = (day: string, prompt: string, over: Partial<ObservationRow> = {}): ObservationRow => ({
  event_id: `e${String(n++).padStart(3, '0')}`,
  price_key: 'a/m||openrouter_api',
  model_id: 'a/m',
  provider: null,
  source_type: 'openrouter_api',
  source_url: 'https://openrouter.ai/api/v1/models',
  observed_at: `${day}T06:00:00.000Z`,
  status: 'ok',
  columns: cols(prompt, '2.00000000'),
  base: [
    { dimension: 'prompt', amount: prompt },
    { dimension: 'completion', amount: '2.00000000' },
  ],
  tiers: [],
  ...over,
});

describe('periodsOf', () => {
  it('one period per run of the same prices: effective at its first observation, observed at its last', () => {
    const p = periodsOf([
      row('2026-08-03', '3.00000000'),
      row('2026-08-01', '1.00000000'),
      row('2026-08-02', '1.00000000'),
    ]);
    expect(p.map((x) => [x.effective_from, x.observed_at, x.base[0]!.amount])).toEqual([
      ['2026-08-01T06:00:00.000Z', '2026-08-02T06:00:00.000Z', '1.00000000'],
      ['2026-08-03T06:00:00.000Z', '2026-08-03T06:00:00.000Z', '3.00000000'],
    ]);
  });

  it('an unavailable run carries no price; the same price after it is a new period (price_at does so)', () => {
    const p = periodsOf([
      row('2026-08-01', '1.00000000'),
      row('2026-08-02', '1.00000000', { status: 'unavailable', columns: cols(null, null), base: [] }),
      row('2026-08-03', '1.00000000'),
    ]);
    expect(p.map((x) => x.effective_from)).toEqual(['2026-08-01T06:00:00.000Z', '2026-08-03T06:00:00.000Z']);
  });

  it('a row written before v2 (no base, no tiers) is priced by its columns', () => {
    const [p] = periodsOf([row('2026-08-01', '1.00000000', { base: [] })]);
    expect(p!.base).toEqual([
      { dimension: 'prompt', amount: '1.00000000' },
      { dimension: 'completion', amount: '2.00000000' },
    ]);
  });
});

describe('snapshotFromRows', () => {
  it('ignores rows after the snapshot time, and leaves out removed and unavailable keys', () => {
    const other = { price_key: 'b/m||openrouter_api', model_id: 'b/m' };
    const gone = { price_key: 'c/m||openrouter_api', model_id: 'c/m' };
    const rows = [
      row('2026-08-01', '1.00000000'),
      row('2026-08-05', '9.00000000'),
      row('2026-08-01', '1.00000000', other),
      row('2026-08-02', '1.00000000', {
        ...other,
        status: 'unavailable',
        base: [],
        columns: cols(null, null),
      }),
      row('2026-08-01', '1.00000000', gone),
    ];
    const s = snapshotFromRows('2026-08-03T00:00:00Z', rows, new Set([gone.price_key]), [
      { model_id: 'a/m', name: 'A', context_length: 1000 },
    ]);
    expect(s.at).toBe('2026-08-03T00:00:00.000Z');
    expect(s.entries.map((e) => [e.price_key, e.name, e.periods.length])).toEqual([
      ['a/m||openrouter_api', 'A', 1],
    ]);
    expect(s.entries[0]!.periods[0]!.base[0]!.amount).toBe('1.00000000');
  });

  it('refuses a time that is not one', () => {
    expect(() => snapshotFromRows('yesterday', [], new Set())).toThrow(/not a time/);
  });
});
