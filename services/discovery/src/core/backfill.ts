// The backfill command's pure core (docs/design.md "Backfill"): the capture time of each file of an
// archive, what it holds (a /models, /endpoints or /providers response), the refusals, the order, and
// the events a live run at that time would publish: discovery's for /models and /providers, the
// scraper's for /endpoints (its pure OpenRouter core). Pure: the files' bytes, the clock and the
// blocklist come in.
import { isRecord } from '@llmpt/core';
import {
  contentHash,
  type CatalogSnapshot,
  type DeadLetter,
  type ModelDiscovered,
  type ProviderDiscovered,
  type RawPriceObserved,
} from '@llmpt/schemas';
import { endpointObservations, endpointsUrl } from '@llmpt/scraper/openrouter';
import type { Blocklist } from './blocklist.ts';
import { catalogSnapshotOf } from './catalog.ts';
import { deadLetterOf } from './dead-letters.ts';
import { discoverModels, parseModelsResponse, type ModelsList } from './discover.ts';
import { discoverProviders, parseProvidersResponse } from './providers.ts';

export const MANIFEST_NAME = 'manifest.json';
export const DEFAULT_BACKFILL_SOURCE_URL = 'https://openrouter.ai/api/v1/models';

/** One file of the archive: its path relative to the archive's root ('/' separated) and bytes. */
export interface ArchiveFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** What one response file of the archive holds. */
export type CaptureKind = 'models' | 'endpoints' | 'providers';

/**
 * An `/endpoints` (one model's) or `/providers` response, published with the `/models` capture it
 * follows: the latest one captured at or before it.
 */
export interface PlannedCapture {
  readonly path: string;
  readonly capturedAt: number;
  /** sha256 hex of the file's bytes. */
  readonly hash: string;
  /** The parsed response. */
  readonly body: unknown;
}

/** An `/endpoints` capture: `data.id` names its model. */
export interface PlannedEndpoints extends PlannedCapture {
  readonly modelId: string;
}

/** A `/models` file accepted for publication, with the captures that follow it. */
export interface PlannedFile {
  readonly path: string;
  readonly capturedAt: number;
  readonly list: ModelsList;
  /** sha256 hex of the file's bytes. */
  readonly hash: string;
  /** Its `/endpoints` captures, in capture-time order (then path). */
  readonly endpoints: readonly PlannedEndpoints[];
  /** Its `/providers` captures, in capture-time order (then path). */
  readonly providers: readonly PlannedCapture[];
}

export interface Refusal {
  readonly path: string;
  readonly reason: string;
}

export interface BackfillPlan {
  /** Accepted files in capture-time order (then path). */
  readonly files: PlannedFile[];
  /** Every refused file; a plan with any refusal must publish nothing. */
  readonly refused: Refusal[];
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A UTC instant from calendar parts, or null when the parts name no real date or time. */
function utcOf(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number | null {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return t;
}

/**
 * A manifest value: `YYYY-MM-DDTHH:MM[:SS[.sss]]` with `Z` or `±HH:MM`, or a date `YYYY-MM-DD` (that
 * UTC midnight). null for anything else, an impossible date included.
 */
export function parseManifestTime(text: string): number | null {
  const date = ISO_DATE.exec(text);
  if (date) return utcOf(Number(date[1]), Number(date[2]), Number(date[3]));
  const m = ISO_TIME.exec(text);
  if (!m) return null;
  const ms = m[7] ? Math.round(Number(m[7]) * 1000) : 0;
  const local = utcOf(
    Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? 0),
    ms,
  );
  if (local === null) return null;
  const zone = m[8]!;
  if (zone === 'Z') return local;
  const oh = Number(zone.slice(1, 3));
  const om = Number(zone.slice(4, 6));
  if (oh > 23 || om > 59) return null;
  const offset = (oh * 60 + om) * 60_000;
  return zone.startsWith('+') ? local - offset : local + offset;
}

// The file-name grammar, tried in this order; each match stands between non-digits.
const NAME_STAMP = /(?<!\d)(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(?!\d)/;
const NAME_ISO = /(?<!\d)(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?!\d)/;
const NAME_DATE = /(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)/;

/**
 * The capture time a file name states (its base name): `YYYYMMDD-HHMM`, else `YYYY-MM-DDTHH:MM`,
 * else `YYYY-MM-DD` (that UTC midnight); all UTC. null when none of them names a real time.
 */
export function timeFromFileName(path: string): number | null {
  const base = baseName(path);
  for (const re of [NAME_STAMP, NAME_ISO, NAME_DATE]) {
    const m = re.exec(base);
    if (!m) continue;
    const n = m.slice(1).map(Number);
    return utcOf(n[0]!, n[1]!, n[2]!, n[3] ?? 0, n[4] ?? 0);
  }
  return null;
}

export type Manifest = ReadonlyMap<string, string>;

/** `manifest.json`: an object of file path (or base name) to time text. Throws on another shape. */
export function parseManifest(text: string): Manifest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${MANIFEST_NAME} is not JSON`);
  }
  if (!isRecord(body)) throw new Error(`${MANIFEST_NAME} must be an object of file name to ISO time`);
  const out = new Map<string, string>();
  for (const [file, value] of Object.entries(body)) {
    if (typeof value !== 'string')
      throw new Error(`${MANIFEST_NAME}: the time of ${file} must be a string, got ${typeof value}`);
    out.set(file, value);
  }
  return out;
}

/** The capture time of one file: the manifest's entry (by path, then base name), else its name. */
export function captureTimeOf(
  path: string,
  manifest: Manifest | null,
): { readonly time: number } | { readonly reason: string } {
  const entry = manifest?.get(path) ?? manifest?.get(baseName(path));
  if (entry !== undefined) {
    const t = parseManifestTime(entry);
    return t === null
      ? {
          reason: `${MANIFEST_NAME} gives "${entry}", not an ISO time (YYYY-MM-DDTHH:MM[:SS]Z or YYYY-MM-DD)`,
        }
      : { time: t };
  }
  const t = timeFromFileName(path);
  return t === null
    ? {
        reason: `no capture time: not in ${MANIFEST_NAME} and the name holds no YYYYMMDD-HHMM, YYYY-MM-DDTHH:MM or YYYY-MM-DD`,
      }
    : { time: t };
}

/** Whether a path is one response of the archive (a `.json` file other than the manifest). */
export function isResponseFile(path: string): boolean {
  return path.toLowerCase().endsWith('.json') && baseName(path) !== MANIFEST_NAME;
}

/**
 * What a response file holds: an `/endpoints` response by its shape (`{data:{endpoints:[...]}}`, an
 * object where a models list has an array), a `/providers` response by its name (a base name
 * containing `providers`: its `{data:[...]}` has the shape of a models list), else a `/models` one.
 */
export function captureKindOf(path: string, body: unknown): CaptureKind {
  if (isRecord(body) && isRecord(body.data) && Array.isArray(body.data.endpoints)) return 'endpoints';
  if (/providers/i.test(baseName(path))) return 'providers';
  return 'models';
}

/**
 * Validates every file before anything is published: capture time (manifest or name), not in the
 * future (later than `now`), content a `/models`, `/endpoints` or `/providers` response, and every
 * `/endpoints` or `/providers` capture preceded by a `/models` capture (at or before its time) that,
 * for `/endpoints`, lists its model. Accepted `/models` files come back in capture-time order (then
 * path), each with the captures that follow it; refused files with their reason, in path order.
 */
export function planBackfill(
  files: readonly ArchiveFile[],
  manifest: Manifest | null,
  now: number,
): BackfillPlan {
  const models: Omit<PlannedFile, 'endpoints' | 'providers'>[] = [];
  const endpoints: PlannedEndpoints[] = [];
  const providers: PlannedCapture[] = [];
  const refused: Refusal[] = [];
  const sorted = [...files].filter((f) => isResponseFile(f.path)).sort((a, b) => cmp(a.path, b.path));
  for (const f of sorted) {
    const at = captureTimeOf(f.path, manifest);
    if ('reason' in at) {
      refused.push({ path: f.path, reason: at.reason });
      continue;
    }
    if (at.time > now) {
      refused.push({
        path: f.path,
        reason: `capture time ${new Date(at.time).toISOString()} is in the future (now ${new Date(now).toISOString()})`,
      });
      continue;
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(f.bytes).toString('utf8'));
    } catch (err) {
      refused.push({ path: f.path, reason: `not a /models response: ${(err as Error).message}` });
      continue;
    }
    const capture = { path: f.path, capturedAt: at.time, hash: contentHash(f.bytes), body };
    const kind = captureKindOf(f.path, body);
    if (kind === 'endpoints') {
      const id = (body as { data: { id?: unknown } }).data.id;
      if (typeof id === 'string' && id !== '') endpoints.push({ ...capture, modelId: id });
      else refused.push({ path: f.path, reason: 'an /endpoints response without data.id (its model)' });
      continue;
    }
    if (kind === 'providers') {
      try {
        parseProvidersResponse(body);
        providers.push(capture);
      } catch (err) {
        refused.push({ path: f.path, reason: `not a /providers response: ${(err as Error).message}` });
      }
      continue;
    }
    try {
      models.push({ path: f.path, capturedAt: at.time, list: parseModelsResponse(body), hash: capture.hash });
    } catch (err) {
      refused.push({ path: f.path, reason: `not a /models response: ${(err as Error).message}` });
    }
  }
  models.sort(inTimeOrder);
  const attached = models.map(() => ({
    endpoints: [] as PlannedEndpoints[],
    providers: [] as PlannedCapture[],
  }));
  // The /models capture a capture follows: the latest at or before it (the last of equal times).
  const followed = (c: PlannedCapture): number => {
    let at = -1;
    models.forEach((m, i) => {
      if (m.capturedAt <= c.capturedAt) at = i;
    });
    if (at < 0)
      refused.push({
        path: c.path,
        reason: `no /models capture at or before ${new Date(c.capturedAt).toISOString()}: an /endpoints or /providers capture is published with the /models capture it follows`,
      });
    return at;
  };
  for (const c of [...endpoints].sort(inTimeOrder)) {
    const at = followed(c);
    if (at < 0) continue;
    const m = models[at]!;
    if (!listedIds(m.list).has(c.modelId)) {
      refused.push({
        path: c.path,
        reason: `its model ${c.modelId} is not in ${m.path}, the /models capture it follows (captured ${new Date(m.capturedAt).toISOString()})`,
      });
      continue;
    }
    attached[at]!.endpoints.push(c);
  }
  for (const c of [...providers].sort(inTimeOrder)) {
    const at = followed(c);
    if (at >= 0) attached[at]!.providers.push(c);
  }
  refused.sort((a, b) => cmp(a.path, b.path));
  return { files: models.map((m, i) => ({ ...m, ...attached[i]! })), refused };
}

/** The ids and canonical slugs a models list names (an `/endpoints` response may use either). */
function listedIds(list: ModelsList): Set<string> {
  const ids = new Set<string>();
  for (const e of list.entries) {
    if (!isRecord(e)) continue;
    if (typeof e.id === 'string') ids.add(e.id);
    if (typeof e.canonical_slug === 'string') ids.add(e.canonical_slug);
  }
  return ids;
}

function inTimeOrder(a: { capturedAt: number; path: string }, b: { capturedAt: number; path: string }) {
  return a.capturedAt - b.capturedAt || cmp(a.path, b.path);
}

/** The run id of one file: its capture time and the start of its content hash (a rerun gives the same). */
export function backfillRunId(file: Pick<PlannedFile, 'capturedAt' | 'hash'>): string {
  return `backfill-${new Date(file.capturedAt).toISOString().slice(0, 19)}Z-${file.hash.slice(0, 8)}`;
}

export interface FileEvents {
  readonly runId: string;
  /** From the file's `/providers` captures. */
  readonly providers: ProviderDiscovered[];
  readonly discovered: ModelDiscovered[];
  /** The per-provider prices of its `/endpoints` captures (`openrouter_endpoints`). */
  readonly observations: RawPriceObserved[];
  readonly snapshot: CatalogSnapshot | null;
  readonly deadLetters: DeadLetter[];
  /**
   * `/endpoints` captures not published: their model is listed but the run discovered no event for it
   * (blocklisted, or its entry rejected), as a live scraper would never fetch them.
   */
  readonly unmatched: string[];
}

/**
 * The events a live run at the file's capture time would publish for it, every ModelDiscovered and
 * observation marked `backfill`: discovery's (clock = the file's capture time), and for each
 * `/endpoints` capture the scraper's per-provider observations of the model's ModelDiscovered
 * (clock = that capture's time, content hash = its bytes', URL the endpoints URL of the source), and
 * for each `/providers` capture discovery's ProviderDiscovered (clock = its capture time).
 */
export function backfillEvents(
  file: PlannedFile,
  ctx: { readonly sourceUrl: string; readonly blocklist: Blocklist },
): FileEvents {
  const runId = backfillRunId(file);
  const result = discoverModels(file.list.entries, {
    runId,
    fetchedAt: file.capturedAt,
    sourceUrl: ctx.sourceUrl,
    blocklist: ctx.blocklist,
    backfill: true,
  });
  const snapshot = catalogSnapshotOf(file.list, result, {
    runId,
    fetchedAt: file.capturedAt,
    sourceUrl: ctx.sourceUrl,
    occurredAt: file.capturedAt,
    backfill: true,
  });
  const deadLetters = result.rejected.map((r) => deadLetterOf(r, runId, ctx.sourceUrl, file.capturedAt));
  const api = apiBaseOf(ctx.sourceUrl);

  const providers: ProviderDiscovered[] = [];
  for (const c of file.providers) {
    const url = `${api}/providers`;
    const p = discoverProviders(c.body, { runId, fetchedAt: c.capturedAt, sourceUrl: url });
    providers.push(...p.events);
    deadLetters.push(
      ...p.rejected.map((r) => deadLetterOf({ ...r, code: 'INVALID_ENTRY' }, runId, url, c.capturedAt)),
    );
  }

  const observations: RawPriceObserved[] = [];
  const unmatched: string[] = [];
  for (const c of file.endpoints) {
    const md = result.events.find((e) => e.model_id === c.modelId || e.canonical_slug === c.modelId);
    if (!md) {
      unmatched.push(c.path);
      continue;
    }
    const url = endpointsUrl(api, md);
    const r = endpointObservations(md, c.body, {
      runId,
      fetchedAt: c.capturedAt,
      sourceUrl: url,
      contentHash: c.hash,
    });
    observations.push(...r.observations);
    deadLetters.push(
      ...r.rejected.map((x) =>
        deadLetterOf(
          { entry: x.entry, index: x.index ?? -1, reason: `${url}: ${x.reason}`, code: x.code },
          runId,
          url,
          c.capturedAt,
        ),
      ),
    );
  }
  return { runId, providers, discovered: result.events, observations, snapshot, deadLetters, unmatched };
}

/**
 * The API root of a `/models` source URL (`https://openrouter.ai/api/v1/models` →
 * `https://openrouter.ai/api/v1`), where its `/endpoints` and `/providers` live; the origin when the
 * URL does not end in `/models`.
 */
export function apiBaseOf(sourceUrl: string): string {
  const url = new URL(sourceUrl);
  const path = url.pathname.replace(/\/+$/, '');
  return path.endsWith('/models') ? `${url.origin}${path.slice(0, -'/models'.length)}` : url.origin;
}

export interface BackfillTotals {
  /** `/models` files. */
  readonly files: number;
  readonly days: number;
  readonly models: number;
  /** `/endpoints` captures. */
  readonly endpoints: number;
  /** `/providers` captures. */
  readonly providers: number;
  readonly events: number;
  readonly refused: number;
}

/**
 * The summary's figures: `/models` files published, distinct UTC days of them, distinct model ids,
 * `/endpoints` and `/providers` captures, events published by the command (ProviderDiscovered,
 * ModelDiscovered, the per-provider RawPriceObserved, CatalogSnapshot, DeadLetter; the scraper
 * derives one routed RawPriceObserved per ModelDiscovered), refused files.
 */
export function backfillTotals(
  perFile: readonly { readonly file: PlannedFile; readonly events: FileEvents }[],
  refused: number,
): BackfillTotals {
  const days = new Set(perFile.map((p) => new Date(p.file.capturedAt).toISOString().slice(0, 10)));
  const models = new Set(perFile.flatMap((p) => p.events.discovered.map((e) => e.model_id)));
  const events = perFile.reduce((n, p) => n + eventCount(p.events), 0);
  const count = (k: 'endpoints' | 'providers') => perFile.reduce((n, p) => n + p.file[k].length, 0);
  return {
    files: perFile.length,
    days: days.size,
    models: models.size,
    endpoints: count('endpoints'),
    providers: count('providers'),
    events,
    refused,
  };
}

export function eventCount(e: FileEvents): number {
  return (
    e.providers.length +
    e.discovered.length +
    e.observations.length +
    (e.snapshot ? 1 : 0) +
    e.deadLetters.length
  );
}

/** The summary line; `note` (e.g. "dry run, nothing published") goes in parentheses. */
export function formatTotals(t: BackfillTotals, note?: string): string {
  return `backfill${note ? ` (${note})` : ''}: files=${t.files} days=${t.days} models=${t.models} endpoints=${t.endpoints} providers=${t.providers} events=${t.events} refused=${t.refused}`;
}

function baseName(path: string): string {
  const at = path.lastIndexOf('/');
  return at < 0 ? path : path.slice(at + 1);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
