// /v1/subscriptions (README "Webhook subscriptions"): the API's one write path, behind API keys.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { subscriptionRefusal } from '@llmpt/notifier';
import { bearerKey, ownerOf } from '../core/keys.ts';
import { replayFrom, secretOf, subscriptionView, type SubscriptionRecord } from '../core/subscriptions.ts';
import { ApiError, badRequest, notFound } from '../errors.ts';
import {
  errorResponse,
  jsonSchema,
  replayBody,
  subscriptionCreateBody,
  subscriptionCreatedResponse,
  subscriptionParams,
  subscriptionResponse,
  subscriptionsResponse,
} from '../schemas.ts';
import { read } from './db-errors.ts';
import type { SubscriptionStore } from './subscriptions.ts';

export interface SubscriptionOptions {
  readonly store: SubscriptionStore;
  /** SHA-256 hex of each key (API_KEYS). */
  readonly keyHashes: readonly string[];
  /** WEBHOOK_ALLOW_LOOPBACK: let 127.0.0.1 through the guard (never in production). */
  readonly allowLoopback: boolean;
}

/** Largest request body these routes read. */
export const MAX_SUBSCRIPTION_BODY = 16 * 1024;

const DISABLED =
  'webhook subscriptions are not enabled on this API (API_KEYS and WEBHOOK_ADMIN_DATABASE_URL are not both set)';

const error = jsonSchema(errorResponse);
const errors = { 400: error, 401: error, 404: error, 413: error, 415: error, 429: error, 503: error };
const security = [{ bearer: [] }];

export async function registerSubscriptionRoutes(
  app: FastifyInstance,
  opts: SubscriptionOptions | undefined,
  now: () => Date,
): Promise<void> {
  const enabled = opts !== undefined && opts.keyHashes.length > 0;

  // Answers to a key (one holds a secret) are never stored by a shared cache.
  app.addHook('onSend', async (req, reply) => {
    if (req.url.startsWith('/v1/subscriptions')) reply.header('cache-control', 'no-store');
  });

  /** The owner (the key's hash) of the request, after the switch-off check; else the error to answer. */
  const ownerOfRequest = (req: FastifyRequest): { store: SubscriptionStore; owner: string } => {
    if (!enabled) throw notFound(DISABLED);
    const key = bearerKey(req.headers.authorization);
    const owner = key === null ? null : ownerOf(key, opts.keyHashes);
    if (owner === null)
      throw new ApiError(
        'UNAUTHORIZED',
        key === null
          ? 'an API key is required: Authorization: Bearer <key>'
          : 'this API key is not known here',
        401,
      );
    return { store: opts.store, owner };
  };
  const found = (id: string, row: SubscriptionRecord | null) => {
    if (row === null) throw notFound(`no subscription ${id} for this key`);
    return subscriptionView(row);
  };
  const fromOf = (field: string, text: string) => {
    const r = replayFrom(text, now());
    if (!r.ok) throw badRequest(`${field}: ${r.reason}`);
    return r.from;
  };

  app.post(
    '/v1/subscriptions',
    {
      bodyLimit: MAX_SUBSCRIPTION_BODY,
      schema: {
        summary: 'Subscribe a URL to price-change webhooks; the answer holds the signing secret, once',
        security,
        body: jsonSchema(subscriptionCreateBody),
        response: { 201: jsonSchema(subscriptionCreatedResponse), ...errors },
      },
    },
    async (req, reply) => {
      const { store, owner } = ownerOfRequest(req);
      const body = req.body as {
        url: string;
        model_ids?: string[];
        providers?: string[];
        alerts_only?: boolean;
        include_backfilled?: boolean;
        replay_from?: string;
      };
      const refusal = await subscriptionRefusal(body.url, opts?.allowLoopback ?? false);
      if (refusal !== null) throw badRequest(`url refused: ${refusal}`);
      const replay = body.replay_from === undefined ? null : fromOf('replay_from', body.replay_from);
      const secret = secretOf(randomBytes(32));
      const row = await read(() =>
        store.create(owner, {
          url: body.url,
          secret,
          modelIds: body.model_ids ?? [],
          providers: body.providers ?? [],
          alertsOnly: body.alerts_only ?? false,
          includeBackfilled: body.include_backfilled ?? false,
          replayFrom: replay,
        }),
      );
      return reply.status(201).send({ data: { ...subscriptionView(row), secret } });
    },
  );

  app.get(
    '/v1/subscriptions',
    {
      schema: {
        summary: 'This key’s subscriptions (secrets are never shown)',
        security,
        response: { 200: jsonSchema(subscriptionsResponse), ...errors },
      },
    },
    async (req) => {
      const { store, owner } = ownerOfRequest(req);
      const rows = await read(() => store.list(owner));
      return { data: rows.map(subscriptionView) };
    },
  );

  app.get(
    '/v1/subscriptions/:id',
    {
      schema: {
        summary: 'One of this key’s subscriptions',
        security,
        params: jsonSchema(subscriptionParams),
        response: { 200: jsonSchema(subscriptionResponse), ...errors },
      },
    },
    async (req) => {
      const { store, owner } = ownerOfRequest(req);
      const { id } = req.params as { id: string };
      return { data: found(id, await read(() => store.get(owner, id))) };
    },
  );

  app.delete(
    '/v1/subscriptions/:id',
    {
      schema: {
        summary: 'Remove a subscription: disabled, its deliveries’ history kept (idempotent)',
        security,
        params: jsonSchema(subscriptionParams),
        response: { 200: jsonSchema(subscriptionResponse), ...errors },
      },
    },
    async (req) => {
      const { store, owner } = ownerOfRequest(req);
      const { id } = req.params as { id: string };
      return { data: found(id, await read(() => store.disable(owner, id))) };
    },
  );

  app.post(
    '/v1/subscriptions/:id/replay',
    {
      bodyLimit: MAX_SUBSCRIPTION_BODY,
      schema: {
        summary: 'Ask for the stored changes from a time to be delivered to this subscription',
        security,
        params: jsonSchema(subscriptionParams),
        body: jsonSchema(replayBody),
        response: { 202: jsonSchema(subscriptionResponse), 409: error, ...errors },
      },
    },
    async (req, reply) => {
      const { store, owner } = ownerOfRequest(req);
      const { id } = req.params as { id: string };
      const from = fromOf('from', (req.body as { from: string }).from);
      const view = found(id, await read(() => store.requestReplay(owner, id, from)));
      if (view.disabled_at !== null)
        throw new ApiError('CONFLICT', `subscription ${id} is removed: nothing is delivered to it`, 409);
      return reply.status(202).send({ data: view });
    },
  );
}
