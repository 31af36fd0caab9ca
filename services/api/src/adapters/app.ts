// The Fastify app: routes, validation from the zod schemas (src/schemas.ts), JSON errors, ETag/304,
// compression, CORS, rate limit and the OpenAPI 3.1 document. Everything is behind the CatalogReader,
// so the app holds no state of its own (any number of replicas).
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import etag from '@fastify/etag';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import { metric, type Logger } from '@llmpt/runtime';
import type { PipelineError } from '@llmpt/core';
import { instantOf } from '../core/at.ts';
import { notModifiedSince } from '../core/conditional.ts';
import { priceIntervals } from '../core/history.ts';
import { decodeCursor, encodeCursor, parseLimit, type ChangesOrder } from '../core/paging.ts';
import {
  architectureOfModel,
  lastModified,
  toOpenRouterEndpoints,
  toOpenRouterModel,
} from '../core/catalog.ts';
import { ATOM_CONTENT_TYPE, toAtomFeed } from '../core/atom.ts';
import { catalogListing, listingLastModified } from '../core/catalog-listing.ts';
import {
  dayMoment,
  EXPORT_FORMATS,
  exportFormatOf,
  exportReportHeaders,
  renderExport,
  splitDayFile,
} from '../core/exports.ts';
import { createResponseCache, isCacheablePath, type CachedAnswer } from '../core/response-cache.ts';
import { ApiError, badRequest, notFound } from '../errors.ts';
import {
  costRequestOfBody,
  costRequestOfQuery,
  MAX_COST_BODY,
  usageInputOf,
  type CostBody,
  type CostQuery,
  type CostRequest,
} from '../core/cost.ts';
import { priceCall } from './cost.ts';
import {
  atomQuery,
  costBody,
  costQuery,
  costResponse,
  catalogQuery,
  catalogResponse,
  changesQuery,
  changesResponse,
  endpointsResponse,
  errorResponse,
  exportDayParams,
  exportFileParams,
  healthResponse,
  historyQuery,
  historyResponse,
  jsonSchema,
  modelParams,
  modelsResponse,
} from '../schemas.ts';
import type { CatalogReader } from './catalog.ts';
import { read } from './db-errors.ts';
import { registerExplorer, type ExplorerOptions } from './explorer.ts';
import { registerSubscriptionRoutes, type SubscriptionOptions } from './subscription-routes.ts';

export interface ApiAppOptions {
  readonly reader: CatalogReader;
  readonly logger?: Logger;
  /** The clock (default Date.now); `at` defaults to it. */
  readonly now?: () => Date;
  readonly rateLimit?: { readonly max: number; readonly windowMs: number };
  /** Allowed origins, or ['*']. */
  readonly corsOrigins?: readonly string[];
  /** The answer cache (README "Caching"); off when absent or ttlMs is 0. */
  readonly cache?: {
    readonly ttlMs: number;
    readonly maxBytes: number;
    /** The cache's own clock (default Date.now), apart from `now`, which `at` defaults to. */
    readonly clock?: () => number;
  };
  /** Webhook subscriptions (README "Webhook subscriptions"); absent: those routes answer 404. */
  readonly subscriptions?: SubscriptionOptions;
  /** PUBLIC_BASE_URL (no trailing slash): the start of the links the API writes; default the request's origin. */
  readonly publicBaseUrl?: string;
  /** WEB_DIST: the explorer's build, served at /explorer/ (README "The web explorer"); absent: off. */
  readonly explorer?: ExplorerOptions;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on a cache miss this request fills: its key, and what releases the requests waiting on it. */
    cacheFill: { readonly key: string; readonly release: () => void } | null;
  }
}

/** The headers a cached answer keeps (the rest are per request: CORS, rate limit, ETag, encoding). */
const CACHED_HEADERS = /^(content-type|last-modified|content-disposition|link|x-export-.*)$/;

/** Longest request target we read; anything longer is a 400 before any work. */
export const MAX_URL_LENGTH = 2048;

const errors = {
  400: jsonSchema(errorResponse),
  404: jsonSchema(errorResponse),
  422: jsonSchema(errorResponse),
  429: jsonSchema(errorResponse),
  503: jsonSchema(errorResponse),
};

function setLastModified(reply: FastifyReply, at: Date | null): void {
  if (at !== null) reply.header('last-modified', at.toUTCString());
}

function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.status(status).type('application/json').send({ error: { code, message } });
}

export async function buildApiApp(opts: ApiAppOptions): Promise<FastifyInstance> {
  const now = opts.now ?? (() => new Date());
  const app = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger | undefined,
    // One line per request would dominate the logs of a read API; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // Long ids reach validation (a 400 that says why) instead of the router's silent 404.
    routerOptions: { maxParamLength: MAX_URL_LENGTH },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    return503OnClosing: true,
  });

  app.addHook('onRequest', async (req, reply) => {
    if (req.url.length > MAX_URL_LENGTH)
      return sendError(reply, 400, 'BAD_REQUEST', `request target longer than ${MAX_URL_LENGTH} characters`);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'LLM Price Tracker API',
        version: '1.0.0',
        description:
          'Per-provider, effective-dated LLM prices. /v1/models and /v1/models/{author}/{slug}/endpoints answer in OpenRouter’s own shapes.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API key (webhook subscriptions only)' },
        },
      },
    },
  });
  // The answer cache stores the body as serialized: its onSend hook runs before ETag and compression.
  const cache = createResponseCache({ ttlMs: opts.cache?.ttlMs ?? 0, maxBytes: opts.cache?.maxBytes ?? 0 });
  const clock = opts.cache?.clock ?? Date.now;
  const inflight = new Map<string, Promise<void>>();
  app.decorateRequest('cacheFill', null);
  const maxAge = Math.floor((opts.cache?.ttlMs ?? 0) / 1000);
  app.addHook('onSend', async (req, reply, payload) => {
    if (cache.enabled && reply.statusCode === 200 && isCacheablePath(req.url.split('?')[0] ?? ''))
      reply.header('cache-control', `public, max-age=${maxAge}`);
    const fill = req.cacheFill;
    if (fill && reply.statusCode === 200 && (typeof payload === 'string' || Buffer.isBuffer(payload))) {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(reply.getHeaders()))
        if (CACHED_HEADERS.test(k) && v !== undefined) headers[k] = String(v);
      cache.set(fill.key, { body: payload, headers, storedAt: clock() });
    }
    return payload;
  });
  app.addHook('onResponse', async (req) => req.cacheFill?.release());
  // docs/metrics.md "API": by route pattern (bounded), never by the URL asked for.
  const requests = metric('llmpt_api_requests_total');
  const requestSeconds = metric('llmpt_api_request_duration_seconds');
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    requests.inc({ route, method: req.method, status: String(reply.statusCode) });
    requestSeconds.observe({ route }, reply.elapsedTime / 1000);
  });
  app.addHook('onRequestAbort', async (req) => req.cacheFill?.release());
  // ETag before compression: the tag is the hash of the body, whatever encoding carries it.
  await app.register(etag);
  // If-Modified-Since (README; RFC 9110 §13.2.2): after @fastify/etag, which has answered a matching
  // If-None-Match with its 304 already; before compression, so a 304 carries no encoded body.
  app.addHook('onSend', async (req, reply, payload) => {
    const header = (v: string | string[] | number | undefined) => (typeof v === 'string' ? v : undefined);
    const conditional = {
      method: req.method,
      ifNoneMatch: header(req.headers['if-none-match']),
      ifModifiedSince: header(req.headers['if-modified-since']),
    };
    if (!notModifiedSince(conditional, reply.statusCode, header(reply.getHeader('last-modified')), now()))
      return payload;
    reply.code(304);
    return '';
  });
  await app.register(compress, { encodings: ['br', 'gzip'] });
  await app.register(cors, {
    origin: (opts.corsOrigins ?? ['*']).includes('*') ? '*' : [...(opts.corsOrigins ?? [])],
    methods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
    exposedHeaders: [
      'ETag',
      'Last-Modified',
      'Retry-After',
      'X-Export-Prices',
      'X-Export-Skipped',
      'X-Export-Caveats',
    ],
  });
  await app.register(rateLimit, {
    max: opts.rateLimit?.max ?? 300,
    timeWindow: opts.rateLimit?.windowMs ?? 60_000,
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      error: {
        code: 'RATE_LIMITED',
        message: `more than ${ctx.max} requests in ${ctx.after}: retry after the Retry-After seconds`,
      },
    }),
  });

  // After the rate limit: a cached answer still counts against the client's limit.
  app.addHook('onRequest', async (req, reply) => {
    if (!cache.enabled || (req.method !== 'GET' && req.method !== 'HEAD')) return;
    if (!isCacheablePath(req.url.split('?')[0] ?? '')) return;
    // Without PUBLIC_BASE_URL the Atom links carry the request's own origin: a client-chosen Host must
    // not reach another client's answer, so the origin is part of the key (README "Caching", rule 2).
    const key = opts.publicBaseUrl ? req.url : `${req.protocol}://${req.host}${req.url}`;
    const serve = (answer: CachedAnswer, how: 'hit' | 'stale'): FastifyReply => {
      const age = Math.max(0, Math.floor((clock() - answer.storedAt) / 1000));
      return reply
        .code(200)
        .headers({ ...answer.headers, age: String(age), 'x-cache': how })
        .send(answer.body);
    };
    const found = cache.get(key, clock());
    if (found?.fresh) return serve(found.answer, 'hit');
    // A stale answer is served while another request computes its replacement (rule 4).
    if (found && inflight.has(key)) return serve(found.answer, 'stale');
    const pending = inflight.get(key);
    if (pending) {
      // Another request is computing this answer: wait for it rather than ask the database again.
      await pending;
      const after = cache.get(key, clock());
      if (after) return serve(after.answer, 'hit');
    }
    reply.header('x-cache', 'miss');
    if (req.method !== 'GET' || inflight.has(key)) return;
    let release!: () => void;
    inflight.set(key, new Promise<void>((r) => (release = r)));
    req.cacheFill = {
      key,
      release: () => {
        inflight.delete(key);
        release();
      },
    };
  });

  const noRoute = (req: FastifyRequest, reply: FastifyReply) =>
    sendError(reply, 404, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0] ?? ''}`);
  app.setNotFoundHandler(noRoute);

  app.setErrorHandler(
    (err: FastifyError | PipelineError | { statusCode?: number; error?: unknown }, req, reply) => {
      if (err instanceof ApiError) {
        if (err.code === 'UNAUTHORIZED') reply.header('www-authenticate', 'Bearer');
        return sendError(reply, err.status ?? 400, err.code, err.message);
      }
      const e = err as FastifyError & { error?: { code: string; message: string } };
      if (e.statusCode === 429 && e.error) return sendError(reply, 429, e.error.code, e.error.message);
      if (e.validation)
        return sendError(reply, 400, 'BAD_REQUEST', `${e.validationContext ?? 'request'}: ${e.message}`);
      // Fastify's body parser refusals (subscription routes): our codes, and a message that says what to send.
      if (e.statusCode === 415)
        return sendError(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'the request body must be application/json');
      if (e.statusCode === 413)
        return sendError(reply, 413, 'PAYLOAD_TOO_LARGE', `request body too large: ${e.message}`);
      // Fastify's own 4xx (a body that is not JSON, say) carry FST_ codes: ours is BAD_REQUEST.
      if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500)
        return sendError(
          reply,
          e.statusCode,
          e.code && !e.code.startsWith('FST_') ? e.code : 'BAD_REQUEST',
          e.message,
        );
      req.log.error({ err }, 'unexpected error');
      return sendError(reply, 500, 'INTERNAL', 'internal error');
    },
  );

  const noLimit = { config: { rateLimit: false } } as const;
  app.get(
    '/livez',
    {
      ...noLimit,
      schema: { summary: 'Liveness: the process runs', response: { 200: jsonSchema(healthResponse) } },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      ...noLimit,
      schema: {
        summary: 'Readiness: the database answers',
        response: { 200: jsonSchema(healthResponse), 503: errors[503] },
      },
    },
    async (_req, reply) => {
      try {
        await opts.reader.ping();
        return { status: 'ok' };
      } catch {
        return sendError(reply, 503, 'UNAVAILABLE', 'the database does not answer');
      }
    },
  );

  app.get('/openapi.json', { ...noLimit, schema: { hide: true } }, async () => app.swagger());

  const atOf = (at: string | undefined): Date => {
    const instant = instantOf(at, now());
    if (instant === null)
      throw badRequest(`at: ${JSON.stringify(at)} is not an ISO 8601 instant with a time zone, nor a date`);
    return instant;
  };

  app.get(
    '/v1/models',
    {
      schema: {
        summary: 'Every model and its routed price, as OpenRouter’s GET /api/v1/models answers',
        querystring: jsonSchema(catalogQuery),
        response: { 200: jsonSchema(modelsResponse), ...errors },
      },
    },
    async (req, reply) => {
      const at = atOf((req.query as { at?: string }).at);
      const rows = await read(() => opts.reader.models(at));
      setLastModified(reply, lastModified(rows));
      return { data: rows.map(toOpenRouterModel) };
    },
  );

  app.get(
    '/v1/catalog',
    {
      schema: {
        summary:
          'Every model with its routed price, every other price in force and its newest change, in one answer (the explorer’s catalog)',
        querystring: jsonSchema(catalogQuery),
        response: { 200: jsonSchema(catalogResponse), ...errors },
      },
    },
    async (req, reply) => {
      const at = atOf((req.query as { at?: string }).at);
      const input = await read(() => opts.reader.listing(at));
      const listing = catalogListing(input);
      setLastModified(reply, listingLastModified(listing, input.prices, input.lastChanges));
      return listing;
    },
  );

  app.get(
    '/v1/models/:author/:slug/endpoints',
    {
      schema: {
        summary:
          'A model’s price per provider, as OpenRouter’s GET /api/v1/models/{author}/{slug}/endpoints answers',
        params: jsonSchema(modelParams),
        querystring: jsonSchema(catalogQuery),
        response: { 200: jsonSchema(endpointsResponse), ...errors },
      },
    },
    async (req, reply) => {
      const { author, slug } = req.params as { author: string; slug: string };
      const id = `${author}/${slug}`;
      const at = atOf((req.query as { at?: string }).at);
      const model = await read(() => opts.reader.model(id, at));
      if (model === null) throw notFound(`no model ${JSON.stringify(id)} at ${at.toISOString()}`);
      const rows = await read(() => opts.reader.endpoints(id, at));
      setLastModified(reply, lastModified([model, ...rows]));
      return {
        data: {
          id: model.model_id,
          name: model.name,
          created: model.created,
          description: model.description,
          architecture: architectureOfModel(model),
          endpoints: rows.flatMap((r) => toOpenRouterEndpoints(model, r)),
        },
      };
    },
  );

  app.get(
    '/v1/models/:author/:slug/history',
    {
      schema: {
        summary: 'Every price the model has had, per (provider, source), as effective-dated intervals',
        params: jsonSchema(modelParams),
        querystring: jsonSchema(historyQuery),
        response: { 200: jsonSchema(historyResponse), ...errors },
      },
    },
    async (req, reply) => {
      const { author, slug } = req.params as { author: string; slug: string };
      const query = req.query as { provider?: string; source?: string };
      const id = `${author}/${slug}`;
      const provider =
        query.provider === undefined ? undefined : query.provider === 'openrouter' ? null : query.provider;
      const { observations, removals } = await read(() =>
        opts.reader.history(id, { provider, ...(query.source ? { source: query.source } : {}) }),
      );
      if (observations.length === 0) {
        const any = query.provider !== undefined || query.source !== undefined;
        throw notFound(`no price of model ${JSON.stringify(id)}${any ? ' for that provider/source' : ''}`);
      }
      setLastModified(reply, lastModified(observations));
      return { data: { id, intervals: priceIntervals(observations, removals) } };
    },
  );

  // The filters /v1/changes and /v1/changes.atom share (README "Changes"): a 400 for a bad limit or
  // since; `openrouter` names the routed price (provider null).
  type ChangesParams = {
    model?: string;
    provider?: string;
    alerts?: 'true' | 'false';
    since?: string;
    limit?: string;
  };
  const changesFilterOf = (q: ChangesParams, defaultLimit?: string) => {
    const limit = parseLimit(q.limit ?? defaultLimit);
    if (limit === null)
      throw badRequest(`limit: ${JSON.stringify(q.limit)} is not a whole number from 1 to 500`);
    const since = q.since === undefined ? undefined : atOf(q.since);
    const provider = q.provider === undefined ? undefined : q.provider === 'openrouter' ? null : q.provider;
    const filter = {
      ...(q.model ? { model: q.model } : {}),
      ...(provider !== undefined ? { provider } : {}),
      alertsOnly: q.alerts === 'true',
      ...(since ? { since } : {}),
    };
    return { filter, limit };
  };

  app.get(
    '/v1/changes',
    {
      schema: {
        summary: 'Price changes, oldest first (or newest first: order=newest), filtered and paged',
        querystring: jsonSchema(changesQuery),
        response: { 200: jsonSchema(changesResponse), ...errors },
      },
    },
    async (req) => {
      const q = req.query as ChangesParams & { cursor?: string; order?: ChangesOrder };
      const { filter, limit } = changesFilterOf(q);
      const order = q.order ?? 'oldest';
      const cursor = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      if (cursor === null) throw badRequest('cursor: not a cursor this API issued (pass next_cursor as is)');
      if (cursor && cursor.order !== order)
        throw badRequest(`cursor: issued for order=${cursor.order}; pass the same order with it`);
      // One more than asked tells whether there is a next page.
      const rows = await read(() =>
        opts.reader.changes({
          ...filter,
          ...(cursor ? { after: cursor.position } : {}),
          limit: limit + 1,
          newestFirst: order === 'newest',
        }),
      );
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      const next_cursor =
        rows.length > limit && last
          ? encodeCursor({ at: new Date(last.at), eventId: last.event_id }, order)
          : null;
      return { data: page, next_cursor };
    },
  );

  app.get(
    '/v1/changes.atom',
    {
      schema: {
        summary: 'The newest price changes, newest first, as an Atom 1.0 feed (same filters as /v1/changes)',
        querystring: jsonSchema(atomQuery),
        response: {
          200: {
            description: 'An Atom 1.0 feed (RFC 4287)',
            content: { 'application/atom+xml': { schema: { type: 'string' } } },
          },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const q = req.query as ChangesParams;
      const { filter, limit } = changesFilterOf(q, '50');
      const rows = await read(() => opts.reader.changes({ ...filter, limit, newestFirst: true }));
      const xml = toAtomFeed({
        changes: rows,
        filters: { model: q.model, provider: q.provider, alerts: q.alerts, since: q.since },
        origin: opts.publicBaseUrl ?? `${req.protocol}://${req.host}`,
        selfPath: req.url,
      });
      return reply.type(ATOM_CONTENT_TYPE).send(xml);
    },
  );

  // Exports (README "Exports"): the files `npm run export` writes, current or as a past day ended.
  const exportResponses = {
    200: {
      description: 'The export file: JSON for litellm, genai-prices and models-dev; CSV for csv',
      headers: {
        'X-Export-Prices': {
          description: 'Prices of the snapshot the file carries (the CLI’s “N prices”)',
          schema: { type: 'string', pattern: '^[0-9]+$' },
        },
        'X-Export-Skipped': {
          description: 'Entries the format cannot carry, left out (the CLI’s “skipped” lines)',
          schema: { type: 'string', pattern: '^[0-9]+$' },
        },
        'X-Export-Caveats': {
          description: 'Entries carried only approximately (the CLI’s “caveat” lines)',
          schema: { type: 'string', pattern: '^[0-9]+$' },
        },
      },
      content: {
        // genai-prices' data.json is an array of providers; the other JSON formats are objects.
        'application/json': { schema: { type: ['object', 'array'] } },
        'text/csv': { schema: { type: 'string' } },
      },
    },
    ...errors,
  };
  const sendExport = async (
    reply: FastifyReply,
    format: keyof typeof EXPORT_FORMATS,
    at: Date,
    // The current file may fall back to models_catalog's newest metadata; a past day's never does.
    fallbackToLatest: boolean,
  ) => {
    const snapshot = await read(() => opts.reader.snapshot(at, fallbackToLatest));
    const { body, contentType, report } = renderExport(format, snapshot);
    return reply.headers(exportReportHeaders(report)).type(contentType).send(body);
  };
  const unknownExport = (name: string) =>
    notFound(
      `no export ${JSON.stringify(name)}: one of ${Object.entries(EXPORT_FORMATS)
        .map(([f, e]) => `${f}.${e}`)
        .join(', ')}`,
    );

  app.get(
    '/v1/exports/:file',
    {
      schema: {
        summary:
          'The current catalog as an export file: litellm.json, genai-prices.json, models-dev.json, csv.csv',
        params: jsonSchema(exportFileParams),
        response: exportResponses,
      },
    },
    async (req, reply) => {
      const { file } = req.params as { file: string };
      const format = exportFormatOf(file);
      if (format === null) throw unknownExport(file);
      return sendExport(reply, format, now(), true);
    },
  );

  app.get(
    '/v1/exports/:format/:file',
    {
      schema: {
        summary:
          'The catalog as it stood at the end of a past UTC day, as an export file ({format}/{YYYY-MM-DD}.{ext}): the same bytes every time',
        params: jsonSchema(exportDayParams),
        response: exportResponses,
      },
    },
    async (req, reply) => {
      const { format: name, file } = req.params as { format: string; file: string };
      const parts = splitDayFile(file);
      const format = parts === null ? null : exportFormatOf(`${name}.${parts.ext}`);
      if (parts === null || format === null) throw unknownExport(`${name}/${file}`);
      const moment = dayMoment(parts.day, now());
      if (!moment.ok)
        throw badRequest(
          moment.reason === 'NOT_A_DAY'
            ? `day: ${JSON.stringify(parts.day)} is not a calendar day YYYY-MM-DD`
            : `day: ${parts.day} is not over yet (UTC); ask /v1/exports/${name}.${parts.ext} for the current catalog`,
        );
      return sendExport(reply, format, moment.at, false);
    },
  );

  await registerSubscriptionRoutes(app, opts.subscriptions, now);
  // Cost of a call (README "Cost of a call"): the consumer's costOfCallAt, per provider.
  const cost = async (req: CostRequest) => {
    const at = atOf(req.at);
    const usage = usageInputOf(req.usage, req.format);
    if (!usage.ok) throw new ApiError(usage.code as 'BAD_REQUEST', usage.message, 400);
    return { data: await read(() => priceCall(opts.reader, req, usage.value, at)) };
  };
  const costResponses = {
    200: jsonSchema(costResponse),
    ...errors,
    413: jsonSchema(errorResponse),
  };
  app.post(
    '/v1/cost',
    {
      bodyLimit: MAX_COST_BODY,
      schema: {
        summary: 'The cost of one call from its usage object, per provider, at the prices in force at `at`',
        body: jsonSchema(costBody),
        response: costResponses,
      },
    },
    async (req) => cost(costRequestOfBody(req.body as CostBody)),
  );
  app.get(
    '/v1/cost',
    {
      schema: {
        summary: 'As POST /v1/cost, the fields as query parameters (usage as URL-encoded JSON)',
        querystring: jsonSchema(costQuery),
        response: costResponses,
      },
    },
    async (req) => {
      const parsed = costRequestOfQuery(req.query as CostQuery);
      if (!parsed.ok) throw badRequest(parsed.message);
      return cost(parsed.value);
    },
  );

  if (opts.explorer) await registerExplorer(app, opts.explorer, noRoute);

  return app;
}
