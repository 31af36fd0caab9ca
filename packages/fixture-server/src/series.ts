import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sharedDataDir } from './paths.ts';

/** One day of the skissue daily `/models` series. */
export interface SeriesDay {
  /** UTC date of the capture, YYYY-MM-DD. */
  readonly date: string;
  /** Capture stamp from the member name, YYYYMMDD-HHMM (the repo's cron committed at ~01:00Z). */
  readonly stamp: string;
  /** Absolute path of the extracted JSON file. */
  readonly file: string;
}

export const defaultSeriesArchive: string = path.join(
  sharedDataDir,
  'openrouter',
  'series',
  'skissue_daily_series_2026-02-27_to_2026-05-01.tar.xz',
);

const MEMBER = /^skissue_(\d{4})(\d{2})(\d{2})-(\d{4})_[0-9a-f]+\.json$/;
const DONE_MARKER = '.extracted';

/**
 * The series' 63 captures, sorted by capture time. Not quite one per calendar day: 2026-02-27 has
 * three captures (the repo's first commits) and 2026-02-28, 03-01 and 03-08 have none, so index N is
 * "the N-th daily run", and `date` may repeat.
 * The archive is extracted once into `cacheDir` (default os.tmpdir()/llmpt-series); concurrent callers
 * (parallel test workers) each extract into a private temp dir and rename it into place, so none of
 * them ever reads a half-written file.
 */
export function seriesDays(opts: { archive?: string; cacheDir?: string } = {}): SeriesDay[] {
  const archive = opts.archive ?? defaultSeriesArchive;
  const cacheDir = opts.cacheDir ?? path.join(os.tmpdir(), 'llmpt-series');
  if (!existsSync(path.join(cacheDir, DONE_MARKER))) extractOnce(archive, cacheDir);
  const memberDir = path.join(cacheDir, 'skissue_daily');
  const days: SeriesDay[] = [];
  for (const name of readdirSync(memberDir)) {
    const m = MEMBER.exec(name);
    if (!m) continue;
    days.push({
      date: `${m[1]}-${m[2]}-${m[3]}`,
      stamp: `${m[1]}${m[2]}${m[3]}-${m[4]}`,
      file: path.join(memberDir, name),
    });
  }
  return days.sort((a, b) => a.stamp.localeCompare(b.stamp));
}

function extractOnce(archive: string, cacheDir: string): void {
  mkdirSync(path.dirname(cacheDir), { recursive: true });
  const tmp = `${cacheDir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  mkdirSync(tmp, { recursive: true });
  try {
    execFileSync('tar', ['-xJf', archive, '-C', tmp], { stdio: 'pipe' });
    writeFileSync(path.join(tmp, DONE_MARKER), `${archive}\n`);
    if (existsSync(cacheDir) && !existsSync(path.join(cacheDir, DONE_MARKER))) {
      rmSync(cacheDir, { recursive: true, force: true }); // a leftover from an interrupted run
    }
    try {
      renameSync(tmp, cacheDir);
    } catch (error) {
      // Another process won the race: its copy is complete (rename is atomic), use it.
      if (!existsSync(path.join(cacheDir, DONE_MARKER))) throw error;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
