// The sample catalog as a dated archive for the backfill command (docs/design.md "Backfill"): per
// day, the /models response, the /providers response and one /endpoints response per model, each the
// bytes the fixture server would serve for that day, with the day's real date in a manifest. The
// offline daily run loads it, so the sample's history carries its real dates.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isRecord } from '@llmpt/core';
import { endpointsResponse, indexEndpoints, indexModels } from './responses.ts';
import { sampleCatalog, type SampleCatalog } from './sample-catalog.ts';

export interface SampleArchive {
  /** Paths relative to the archive's root ('/' separated) and their bytes; manifest.json included. */
  readonly files: readonly { readonly path: string; readonly bytes: Buffer }[];
  /** The manifest: every response file → its capture time (the day's date: that UTC midnight). */
  readonly manifest: Readonly<Record<string, string>>;
  /** The days, oldest first, with the path of each day's /models file. */
  readonly days: readonly { readonly date: string; readonly models: string }[];
}

/**
 * The archive of the sample's days. Every capture of a day is stamped with the day's date alone: the
 * recorded files give a date and no time of day, and the backfill command reads a bare date as that
 * UTC midnight, so no time is invented here. An /endpoints file is written for every model of the
 * day, under the slug the scraper would request (canonical slug, else id), with the endpoints the
 * fixture server would answer ([] for a model the day's endpoints file does not list).
 */
export function sampleArchive(catalog: SampleCatalog = sampleCatalog()): SampleArchive {
  const files: { path: string; bytes: Buffer }[] = [];
  const manifest: Record<string, string> = {};
  const days: { date: string; models: string }[] = [];
  const add = (file: string, bytes: Buffer, date: string) => {
    files.push({ path: file, bytes });
    manifest[file] = date;
  };
  catalog.dates.forEach((date, i) => {
    const modelsBytes = readFileSync(catalog.models[i]!);
    const models = JSON.parse(modelsBytes.toString('utf8')) as unknown;
    const byId = indexModels(models);
    const endpoints = indexEndpoints(JSON.parse(readFileSync(catalog.endpoints[i]!, 'utf8')));
    const modelsFile = `${date}/models.json`;
    add(modelsFile, modelsBytes, date);
    days.push({ date, models: modelsFile });
    add(`${date}/providers.json`, readFileSync(catalog.providers), date);
    for (const slug of requestedSlugs(models)) {
      const body = endpointsResponse(slug, byId, endpoints);
      if (body) add(`${date}/endpoints/${slug}.json`, Buffer.from(JSON.stringify(body)), date);
    }
  });
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
  return { files: [...files, { path: 'manifest.json', bytes: manifestBytes }], manifest, days };
}

/** Writes the sample's archive into `dir` (a folder `npm run backfill -- <dir>` reads). */
export function writeSampleArchive(dir: string, catalog: SampleCatalog = sampleCatalog()): SampleArchive {
  const archive = sampleArchive(catalog);
  for (const f of archive.files) {
    const target = path.join(dir, ...f.path.split('/'));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, f.bytes);
  }
  return archive;
}

/** The slug the scraper requests the endpoints of, per model entry: its canonical slug, else its id. */
function requestedSlugs(body: unknown): string[] {
  const list = isRecord(body) && Array.isArray(body.data) ? (body.data as unknown[]) : [];
  return list.flatMap((e) =>
    !isRecord(e) || typeof e.id !== 'string'
      ? []
      : [typeof e.canonical_slug === 'string' ? e.canonical_slug : e.id],
  );
}
