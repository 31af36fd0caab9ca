import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '@llmpt/core';
import {
  endpointsResponse,
  indexEndpoints,
  indexModels,
  type EndpointsForModel,
  type ModelSummary,
} from './responses.ts';
import { seriesDays } from './series.ts';

/**
 * A local stand-in for openrouter.ai on 127.0.0.1 (node:http only): it serves recorded responses
 * byte for byte, one "day" at a time, so discovery and the scraper run against real data offline.
 */

/** One `/models` file, a list of files (one per day), or the 63-day skissue series. */
export type ModelsSource = string | readonly string[] | { readonly series: true; readonly cacheDir?: string };

/**
 * One file or one per day (the last one serves every later day). Each file may be an aiscanner
 * derived map, a sample-catalog endpoints file (`{ "<model id>": [endpoint, ...] }`), or a real
 * `/endpoints` response (`{data:{id,...,endpoints}}`); the format is recognised from the content.
 */
export type EndpointsSource = string | readonly string[];

export interface Fault {
  /** Answer with this status (and a JSON error body) instead of the fixture. */
  readonly status?: number;
  /** Hold the response this long first (a slow upstream). */
  readonly delayMs?: number;
  /** Apply to this many requests only, then serve normally; unlimited when absent. */
  readonly times?: number;
}

export interface FixtureServerOptions {
  readonly models: ModelsSource;
  readonly endpoints?: EndpointsSource;
  /** Path of a `/api/v1/providers` response file. */
  readonly providers?: string;
  /** Extra static pages (e.g. provider pricing pages): URL path → file and content type. */
  readonly pages?: Readonly<Record<string, { readonly path: string; readonly contentType: string }>>;
  /** Faults by URL path; a path ending in `*` matches by prefix. */
  readonly faults?: Readonly<Record<string, Fault>>;
  /** 0 (default) = a free port. */
  readonly port?: number;
}

export interface FixtureServer {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash; the API is under /api/v1). */
  readonly url: string;
  readonly dayCount: number;
  /** Labels of the days: dates for the series, else the file names. */
  readonly days: readonly string[];
  /** Serve day `index` (0-based) from now on. */
  setDay(index: number): void;
  currentDay(): number;
  setFault(path: string, fault: Fault | null): void;
  /** Paths requested so far (without query strings), in order: to assert caching and politeness. */
  requests(): readonly string[];
  close(): Promise<void>;
}

const MODELS_PATH = '/api/v1/models';
const PROVIDERS_PATH = '/api/v1/providers';
const ENDPOINTS_PATH = /^\/api\/v1\/models\/(.+)\/endpoints$/;

export async function startFixtureServer(opts: FixtureServerOptions): Promise<FixtureServer> {
  const dayFiles = modelFiles(opts.models);
  if (dayFiles.files.length === 0) throw new ConfigError('fixture server: models source has no files');
  const endpointFiles =
    opts.endpoints === undefined
      ? []
      : typeof opts.endpoints === 'string'
        ? [opts.endpoints]
        : [...opts.endpoints];
  const bytesCache = new Map<string, Buffer>();
  const readBytes = (file: string): Buffer => {
    let bytes = bytesCache.get(file);
    if (!bytes) {
      bytes = readFileSync(file);
      bytesCache.set(file, bytes);
    }
    return bytes;
  };
  const modelIndexCache = new Map<string, Map<string, ModelSummary>>();
  const endpointsCache = new Map<string, Map<string, EndpointsForModel>>();
  const faults = new Map<string, Fault & { used: number }>(
    Object.entries(opts.faults ?? {}).map(([p, f]) => [p, { ...f, used: 0 }]),
  );
  const log: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let day = 0;

  const modelIndex = (file: string): Map<string, ModelSummary> => {
    let index = modelIndexCache.get(file);
    if (!index) {
      index = indexModels(JSON.parse(readBytes(file).toString('utf8')));
      modelIndexCache.set(file, index);
    }
    return index;
  };
  const endpointsIndex = (file: string): Map<string, EndpointsForModel> => {
    let index = endpointsCache.get(file);
    if (!index) {
      index = indexEndpoints(JSON.parse(readBytes(file).toString('utf8')));
      endpointsCache.set(file, index);
    }
    return index;
  };

  const serve = (req: IncomingMessage, res: ServerResponse, path: string): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendJson(res, 405, apiError(405, 'Method not allowed'));
    const modelsFile = dayFiles.files[day] ?? '';
    if (path === MODELS_PATH) return send(res, 200, 'application/json', readBytes(modelsFile));
    if (path === PROVIDERS_PATH && opts.providers) {
      return send(res, 200, 'application/json', readBytes(opts.providers));
    }
    const page = opts.pages?.[path];
    if (page) return send(res, 200, page.contentType, readBytes(page.path));
    const match = ENDPOINTS_PATH.exec(path);
    if (match?.[1]) {
      const slug = match[1];
      const endpointsFile = endpointFiles[Math.min(day, endpointFiles.length - 1)];
      const body = endpointsResponse(
        slug,
        modelIndex(modelsFile),
        endpointsFile === undefined ? undefined : endpointsIndex(endpointsFile),
      );
      if (!body) return sendJson(res, 404, apiError(404, `No endpoints found for ${slug}`));
      return sendJson(res, 200, body);
    }
    return sendJson(res, 404, apiError(404, `Not found: ${path}`));
  };

  const server = createServer((req, res) => {
    const path = decodePath(req.url ?? '/');
    log.push(path);
    const fault = findFault(faults, path);
    const go = (): void => {
      if (fault?.status !== undefined)
        return sendJson(res, fault.status, apiError(fault.status, 'Injected fault'));
      try {
        serve(req, res, path);
      } catch (error) {
        sendJson(res, 500, apiError(500, error instanceof Error ? error.message : 'fixture error'));
      }
    };
    if (fault?.delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        go();
      }, fault.delayMs);
      timers.add(timer);
    } else {
      go();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    dayCount: dayFiles.files.length,
    days: dayFiles.labels,
    setDay(index) {
      if (!Number.isInteger(index) || index < 0 || index >= dayFiles.files.length) {
        throw new RangeError(`fixture server: day ${index} out of range 0..${dayFiles.files.length - 1}`);
      }
      day = index;
    },
    currentDay: () => day,
    setFault(path, fault) {
      if (fault === null) faults.delete(path);
      else faults.set(path, { ...fault, used: 0 });
    },
    requests: () => [...log],
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function modelFiles(source: ModelsSource): { files: string[]; labels: string[] } {
  if (typeof source === 'string') return { files: [source], labels: [baseName(source)] };
  if ('series' in source) {
    const days = seriesDays(source.cacheDir === undefined ? {} : { cacheDir: source.cacheDir });
    return { files: days.map((d) => d.file), labels: days.map((d) => d.date) };
  }
  const files = [...source];
  return { files, labels: files.map(baseName) };
}

function findFault(faults: Map<string, Fault & { used: number }>, path: string): Fault | undefined {
  for (const [pattern, fault] of faults) {
    const hit = pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern;
    if (!hit) continue;
    if (fault.times !== undefined && fault.used >= fault.times) continue;
    fault.used += 1;
    return fault;
  }
  return undefined;
}

function decodePath(url: string): string {
  const raw = url.split('?')[0] ?? '/';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

// The real API's error envelope.
function apiError(code: number, message: string): unknown {
  return { error: { code, message } };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json', Buffer.from(JSON.stringify(body)));
}

function send(res: ServerResponse, status: number, contentType: string, bytes: Buffer): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': bytes.length });
  res.end(bytes);
}

function baseName(file: string): string {
  return file.split('/').pop() ?? file;
}
