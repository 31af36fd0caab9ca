// Which export a URL names and which moment it stands for (services/api/README.md "Exports"), and the
// file itself from a snapshot: the same bytes as `npm run export` writes (packages/exports).
import { stableJson, toCsv, toGenaiPrices, toLiteLLM, toModelsDev, type PriceSnapshot } from '@llmpt/exports';

/** Each format we serve and its one extension. */
export const EXPORT_FORMATS = {
  litellm: 'json',
  'genai-prices': 'json',
  'models-dev': 'json',
  csv: 'csv',
} as const;
export type ApiExportFormat = keyof typeof EXPORT_FORMATS;

const CONTENT_TYPES = { json: 'application/json; charset=utf-8', csv: 'text/csv; charset=utf-8' } as const;

/** `litellm.json` → litellm; null when the name is not `{format}.{its ext}` of a format we serve. */
export function exportFormatOf(file: string): ApiExportFormat | null {
  const dot = file.lastIndexOf('.');
  if (dot <= 0) return null;
  const name = file.slice(0, dot);
  if (!Object.hasOwn(EXPORT_FORMATS, name)) return null;
  const format = name as ApiExportFormat;
  return EXPORT_FORMATS[format] === file.slice(dot + 1) ? format : null;
}

/** `2026-08-19.json` → day and ext; null when the name is not `{something}.{something}`. */
export function splitDayFile(file: string): { day: string; ext: string } | null {
  const dot = file.lastIndexOf('.');
  if (dot <= 0 || dot === file.length - 1) return null;
  return { day: file.slice(0, dot), ext: file.slice(dot + 1) };
}

export type DayMoment =
  | { readonly ok: true; readonly at: Date }
  | { readonly ok: false; readonly reason: 'NOT_A_DAY' | 'NOT_OVER' };

/**
 * The moment a day's export stands for: the last millisecond of that UTC day (the CLI's `--at DAY`).
 * Only a day that is over by `now` (its next midnight ≤ now) is served.
 */
export function dayMoment(day: string, now: Date): DayMoment {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return { ok: false, reason: 'NOT_A_DAY' };
  const midnight = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(midnight.getTime()) || !midnight.toISOString().startsWith(day))
    return { ok: false, reason: 'NOT_A_DAY' };
  const end = midnight.getTime() + 86_400_000;
  if (end > now.getTime()) return { ok: false, reason: 'NOT_OVER' };
  return { ok: true, at: new Date(end - 1) };
}

/** What a format could not carry, as its mapping reports it (packages/exports' `skipped`, `caveats`). */
export interface ExportReport {
  /** Entries of the snapshot the file carries (the CLI's "N prices"). */
  readonly prices: number;
  readonly skipped: number;
  readonly caveats: number;
}

/** The export file of a snapshot, as `npm run export -- --format F` writes it, and its report. */
export function renderExport(
  format: ApiExportFormat,
  snapshot: PriceSnapshot,
): { body: string; contentType: string; report: ExportReport } {
  const contentType = CONTENT_TYPES[EXPORT_FORMATS[format]];
  const report = (skipped: readonly unknown[], caveats: readonly unknown[]): ExportReport => ({
    prices: snapshot.entries.length - skipped.length,
    skipped: skipped.length,
    caveats: caveats.length,
  });
  if (format === 'csv') return { body: toCsv(snapshot), contentType, report: report([], []) };
  if (format === 'genai-prices') {
    const g = toGenaiPrices(snapshot);
    return { body: stableJson(g.providers), contentType, report: report(g.skipped, []) };
  }
  if (format === 'litellm') {
    const l = toLiteLLM(snapshot);
    return { body: stableJson(l.map), contentType, report: report(l.skipped, l.caveats) };
  }
  const m = toModelsDev(snapshot);
  return { body: stableJson(m.api), contentType, report: report(m.skipped, m.caveats) };
}

/** The headers that carry an export's report (README "Exports"). */
export function exportReportHeaders(r: ExportReport): Record<string, string> {
  return {
    'x-export-prices': String(r.prices),
    'x-export-skipped': String(r.skipped),
    'x-export-caveats': String(r.caveats),
  };
}
