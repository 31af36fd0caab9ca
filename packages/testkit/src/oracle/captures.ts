// Recorded `/models` responses as the oracle's captures: the 63-day skissue series and the single
// snapshots of ../shared/data, read as published (never copied into the project).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isRecord } from '@llmpt/core';
import { seriesDays, sharedDataDir } from '@llmpt/fixture-server';
import type { Capture } from './price-rules.ts';

/** A capture with the response body it came from, for running the real stages over the same bytes. */
export interface RecordedCapture extends Capture {
  readonly label: string;
  readonly body: unknown;
  /** The URL it was fetched from (a query means a filtered list, never the whole catalog). */
  readonly sourceUrl: string;
}

export const MODELS_URL = 'https://openrouter.ai/api/v1/models';

/** The entries of a `/models` body (`{data:[...]}` or a bare array). */
export function entriesOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  return isRecord(body) && Array.isArray(body.data) ? body.data : [];
}

/**
 * Whether a response is the whole catalog (rule 5): it lists something, and when it states its
 * `total_count` it lists exactly that many. The recorded files were fetched without a filter.
 */
export function isWholeCatalog(body: unknown): boolean {
  const entries = entriesOf(body);
  const total = isRecord(body) ? body.total_count : undefined;
  return entries.length > 0 && (typeof total !== 'number' || total === entries.length);
}

export function captureOf(
  label: string,
  capturedAt: number,
  body: unknown,
  sourceUrl: string = MODELS_URL,
): RecordedCapture {
  const complete = !sourceUrl.includes('?') && isWholeCatalog(body);
  return { label, capturedAt, body, sourceUrl, models: entriesOf(body), complete };
}

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8')) as unknown;

/** The series' 63 daily captures in time order; the stamp YYYYMMDD-HHMM is the capture time (UTC). */
export function seriesCaptures(): RecordedCapture[] {
  return seriesDays().map((d) => {
    const [, y, mo, da, h, mi] = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})$/.exec(d.stamp)!;
    const at = Date.UTC(Number(y), Number(mo) - 1, Number(da), Number(h), Number(mi));
    return captureOf(d.stamp, at, readJson(d.file));
  });
}

const MODELS_DIR = path.join(sharedDataDir, 'openrouter', 'models');

/**
 * The unfiltered single snapshots of mid-2026, in time order: the only recorded data with
 * `pricing.overrides` (context tiers, time-of-day windows) and `input_cache_write_1h`.
 */
export const RECORDED_SNAPSHOTS = [
  ['2026-05-18', 'openrouter_models_aiscanner_2026-05-18.json'],
  ['2026-06-16', 'openrouter_models_models-pie_2026-06-16.json'],
  ['2026-08-01', 'openrouter_models_token-tariff_2026-08-01.json'],
  ['2026-08-19', 'openrouter_models_unified-llm-pricing_2026-08-19.json'],
] as const;

export function recordedSnapshotCaptures(): RecordedCapture[] {
  return RECORDED_SNAPSHOTS.map(([date, file]) =>
    captureOf(date, Date.parse(`${date}T12:00:00Z`), readJson(path.join(MODELS_DIR, file))),
  );
}

/** The 2026-08-19 list with non-chat models (speech-to-text, image, rerank): a filtered request. */
export function allModalitiesCapture(): RecordedCapture {
  const file = 'openrouter_models_output-modalities-all_unified-llm-pricing_2026-08-19.json';
  const at = Date.parse('2026-08-19T12:00:00Z');
  return captureOf(
    '2026-08-19 all',
    at,
    readJson(path.join(MODELS_DIR, file)),
    `${MODELS_URL}?output_modalities=all`,
  );
}
