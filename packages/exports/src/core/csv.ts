// Our prices as one CSV (RFC 4180): a row per (model, provider, source) in force at the snapshot time,
// the base price per dimension as stored, the tiers as JSON. Columns in this package's README ("CSV").
import { DIMENSION_NAMES } from '@llmpt/schemas';
import { current, type PriceSnapshot } from './snapshot.ts';

export const CSV_COLUMNS: readonly string[] = [
  'model_id',
  'provider',
  'source_type',
  'price_key',
  'source_url',
  'observed_at',
  'effective_from',
  ...DIMENSION_NAMES,
  'tiers',
];

/** A field as RFC 4180 writes it: quoted (inner quotes doubled) when it holds , " CR or LF. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function toCsv(snapshot: PriceSnapshot): string {
  const rows = [...snapshot.entries]
    .sort((a, b) => (a.price_key < b.price_key ? -1 : a.price_key > b.price_key ? 1 : 0))
    .map((e) => {
      const p = current(e);
      const base = new Map(p.base.map((b) => [b.dimension, b.amount]));
      return [
        e.model_id,
        e.provider ?? '',
        e.source_type,
        e.price_key,
        p.source_url ?? '',
        p.observed_at,
        p.effective_from,
        ...DIMENSION_NAMES.map((d) => base.get(d) ?? ''),
        JSON.stringify(p.tiers),
      ];
    });
  return [CSV_COLUMNS, ...rows].map((r) => `${r.map(csvField).join(',')}\r\n`).join('');
}
