// services/api/README.md "Webhook subscriptions" and services/notifier/README.md §9, end to end on the
// local stack: the API (in process, its subscription routes connected as a webhook_admin login) and the
// notifier as a real process (main.ts, connected as a webhook_notifier login, real Kafka topics), real
// receivers on 127.0.0.1 that verify every request with standardwebhooks. Every API answer is checked
// against the API's own OpenAPI document (valid per swagger-parser).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { Ajv2020 } from 'ajv/dist/2020.js';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildApiApp,
  createCatalogReader,
  createSubscriptionStore,
  type SubscriptionStore,
} from '@llmpt/api';
import { webhookPayload } from '@llmpt/notifier';
import type { PriceChanged } from '@llmpt/schemas';
import {
  createTestTopics,
  deleteTestTopics,
  freshDatabase,
  repoRoot,
  stackEnv,
  testKafka,
  uniquePrefix,
  waitFor,
  withClient,
  type FreshDatabase,
} from '@llmpt/testkit';
import { expectedReplay, loginWith, REPLAY_FROM, storeChanges, stored, type Login } from './setup.ts';

type Json = Record<string, unknown>;
const KEY_A = 'team-a-key-0123456789abcdef';
const KEY_B = 'team-b-key-0123456789abcdef';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const NOW = new Date('2026-08-20T00:00:00Z');

interface App {
  readonly app: Awaited<ReturnType<typeof buildApiApp>>;
  readonly base: string;
}

async function serve(
  opts: { subscriptions?: { store: SubscriptionStore; allowLoopback: boolean } },
  dbUrl: string,
) {
  const reader = createCatalogReader({ databaseUrl: dbUrl, poolSize: 1 });
  const app = await buildApiApp({
    reader,
    now: () => NOW,
    rateLimit: { max: 1000, windowMs: 60_000 },
    ...(opts.subscriptions
      ? { subscriptions: { ...opts.subscriptions, keyHashes: [sha(KEY_A), sha(KEY_B)] } }
      : {}),
  });
  app.addHook('onClose', () => reader.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` } satisfies App;
}

/** A receiver: verifies each request with standardwebhooks, answers 200, records what it handled. */
interface Receiver {
  readonly url: string;
  secret: string;
  readonly bodies: Map<string, string[]>;
  unverified: number;
  close(): Promise<void>;
}
async function receiver(name: string): Promise<Receiver> {
  const r: Receiver = {
    url: '',
    secret: '',
    bodies: new Map(),
    unverified: 0,
    close: () => new Promise<void>((ok) => (server.closeAllConnections(), server.close(() => ok()))),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        new Webhook(r.secret).verify(body, req.headers as Record<string, string>);
      } catch {
        r.unverified++;
        return void res.writeHead(401).end();
      }
      const id = String(req.headers['webhook-id']);
      r.bodies.set(id, [...(r.bodies.get(id) ?? []), body]);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  (r as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/${name}`;
  return r;
}

let db: FreshDatabase;
let admin: Login;
let notifierLogin: Login;
let adminStore: SubscriptionStore;
let api: App; // subscriptions on, loopback allowed (tests and local development)
let prodApi: App; // subscriptions on, loopback refused (production mode)
let offApi: App; // subscriptions not configured
let validate: (method: string, pathKey: string, status: number, body: unknown) => void;

async function call(
  a: App,
  method: string,
  path: string,
  opts: { key?: string | null; body?: unknown; raw?: string; contentType?: string } = {},
): Promise<{ status: number; body: Json; headers: Headers; text: string }> {
  const headers: Record<string, string> = {};
  if (opts.key !== null) headers.authorization = `Bearer ${opts.key ?? KEY_A}`;
  if (opts.body !== undefined || opts.raw !== undefined)
    headers['content-type'] = opts.contentType ?? 'application/json';
  const res = await fetch(`${a.base}${path}`, {
    method,
    headers,
    ...(opts.raw !== undefined
      ? { body: opts.raw }
      : opts.body !== undefined
        ? { body: JSON.stringify(opts.body) }
        : {}),
  });
  const text = await res.text();
  const body = (text === '' ? {} : JSON.parse(text)) as Json;
  const pathKey = path.split('?')[0]!.replace(/\/v1\/subscriptions\/[^/]+/, '/v1/subscriptions/{id}');
  validate(method.toLowerCase(), pathKey, res.status, body);
  return { status: res.status, body, headers: res.headers, text };
}

beforeAll(async () => {
  db = await freshDatabase('webhook_subscriptions');
  await storeChanges(db, Object.values(stored));
  [admin, notifierLogin] = await Promise.all([
    loginWith(db, 'webhook_admin'),
    loginWith(db, 'webhook_notifier'),
  ]);
  adminStore = createSubscriptionStore({ databaseUrl: admin.url });
  api = await serve({ subscriptions: { store: adminStore, allowLoopback: true } }, db.url);
  prodApi = await serve({ subscriptions: { store: adminStore, allowLoopback: false } }, db.url);
  offApi = await serve({}, db.url);
  const doc = (await (await fetch(`${api.base}/openapi.json`)).json()) as Json;
  await SwaggerParser.validate(structuredClone(doc) as never);
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const paths = doc.paths as Record<string, Record<string, { responses: Record<string, Json> }>>;
  validate = (method, pathKey, status, body) => {
    const response = paths[pathKey]?.[method]?.responses[String(status)];
    expect(response, `${method} ${pathKey} ${status} documented`).toBeDefined();
    const schema = ((response!.content as Json)['application/json'] as Json).schema as Json;
    const check = ajv.compile(schema);
    expect(check(body), JSON.stringify(check.errors)).toBe(true);
  };
  // The document says how to authenticate.
  expect((doc.components as Json).securitySchemes).toEqual({
    bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }) as unknown,
  });
  expect(paths['/v1/subscriptions']?.post).toMatchObject({ security: [{ bearer: [] }] });
}, 60_000);

afterAll(async () => {
  for (const a of [api, prodApi, offApi]) await a?.app.close();
  await adminStore?.close();
  await db?.drop();
  await admin?.drop();
  await notifierLogin?.drop();
});

describe('/v1/subscriptions: keys, ownership, validation', () => {
  it('switched off without keys and an admin login: 404 with the reason, before any key is looked at', async () => {
    for (const [method, path] of [
      ['GET', '/v1/subscriptions'],
      ['POST', '/v1/subscriptions'],
      ['DELETE', '/v1/subscriptions/5b0f6a52-34a4-4d9b-9d2c-3f1d2c7c9a11'],
    ] as const) {
      const r = await call(offApi, method, path, {
        key: null,
        ...(method === 'POST' ? { body: { url: 'https://93.184.215.14/' } } : {}),
      });
      expect(r.status).toBe(404);
      expect(r.body).toEqual({
        error: {
          code: 'NOT_FOUND',
          message: expect.stringMatching(
            /not enabled on this API \(API_KEYS and WEBHOOK_ADMIN_DATABASE_URL/,
          ) as unknown,
        },
      });
    }
  });

  it('no key, another scheme or an unknown key: 401 JSON with WWW-Authenticate', async () => {
    const none = await call(api, 'GET', '/v1/subscriptions', { key: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(none.body).toMatchObject({ error: { code: 'UNAUTHORIZED', message: /Authorization: Bearer/ } });
    const wrong = await call(api, 'GET', '/v1/subscriptions', { key: 'not-a-configured-key-123456' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: { code: 'UNAUTHORIZED', message: /not known/ } });
    // The stored hash is not a key.
    expect((await call(api, 'GET', '/v1/subscriptions', { key: sha(KEY_A) })).status).toBe(401);
    const basic = await fetch(`${api.base}/v1/subscriptions`, {
      headers: { authorization: `Basic ${KEY_A}` },
    });
    expect(basic.status).toBe(401);
  });

  it('creates with a secret shown once; lists and reads without it; another key sees nothing of it', async () => {
    const created = await call(api, 'POST', '/v1/subscriptions', {
      body: {
        url: 'https://93.184.215.14/hooks/prices',
        model_ids: ['openai/gpt-4o'],
        providers: ['openrouter'],
        alerts_only: true,
      },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const sub = created.body.data as Json;
    expect(sub).toMatchObject({
      url: 'https://93.184.215.14/hooks/prices',
      model_ids: ['openai/gpt-4o'],
      providers: ['openrouter'],
      alerts_only: true,
      include_backfilled: false,
      disabled_at: null,
      replay: null,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/) as unknown,
    });
    // Stored as the notifier needs it, with the key's hash as owner.
    const row = await withClient(db.url, (c) =>
      c.query<{ secret: string; owner_key_hash: string }>(
        'select secret, owner_key_hash from webhook_subscriptions where id = $1',
        [sub.id],
      ),
    );
    expect(row.rows[0]).toEqual({ secret: sub.secret, owner_key_hash: sha(KEY_A) });

    const list = await call(api, 'GET', '/v1/subscriptions');
    expect(list.status).toBe(200);
    expect(list.headers.get('cache-control')).toBe('no-store');
    expect((list.body.data as Json[]).map((s) => s.id)).toContain(sub.id);
    expect(list.text).not.toContain(String(sub.secret));
    expect(list.text).not.toContain('secret');
    const one = await call(api, 'GET', `/v1/subscriptions/${String(sub.id)}`);
    expect(one.status).toBe(200);
    expect(one.body.data).toEqual(Object.fromEntries(Object.entries(sub).filter(([k]) => k !== 'secret')));

    // Key B: not in its list, 404 on read, remove and replay, and A's subscription untouched.
    expect(
      ((await call(api, 'GET', '/v1/subscriptions', { key: KEY_B })).body.data as Json[]).map((s) => s.id),
    ).not.toContain(sub.id);
    for (const [method, path, body] of [
      ['GET', `/v1/subscriptions/${String(sub.id)}`, undefined],
      ['DELETE', `/v1/subscriptions/${String(sub.id)}`, undefined],
      ['POST', `/v1/subscriptions/${String(sub.id)}/replay`, { from: '2026-08-01' }],
    ] as const) {
      const r = await call(api, method, path, { key: KEY_B, ...(body ? { body } : {}) });
      expect(r.status).toBe(404);
      expect(r.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
    expect((await call(api, 'GET', `/v1/subscriptions/${String(sub.id)}`)).body.data).toMatchObject({
      disabled_at: null,
      replay: null,
    });
  });

  it('include_backfilled: false unless asked, stored as given, listed and read back', async () => {
    const asked = await call(api, 'POST', '/v1/subscriptions', {
      body: { url: 'https://93.184.215.14/hooks/history', include_backfilled: true },
    });
    const plain = await call(api, 'POST', '/v1/subscriptions', {
      body: { url: 'https://93.184.215.14/hooks/live', include_backfilled: false },
    });
    expect([asked.status, plain.status]).toEqual([201, 201]);
    const [withIt, without] = [asked.body.data as Json, plain.body.data as Json];
    expect(withIt.include_backfilled).toBe(true);
    expect(without.include_backfilled).toBe(false);
    // The column the notifier reads (its README §1 rule 4).
    const rows = await withClient(db.url, (c) =>
      c.query<{ id: string; include_backfilled: boolean }>(
        'select id::text, include_backfilled from webhook_subscriptions where id = any($1::uuid[])',
        [[withIt.id, without.id]],
      ),
    );
    expect(Object.fromEntries(rows.rows.map((r) => [r.id, r.include_backfilled]))).toEqual({
      [String(withIt.id)]: true,
      [String(without.id)]: false,
    });
    const listed = (await call(api, 'GET', '/v1/subscriptions')).body.data as Json[];
    expect(listed.find((s) => s.id === withIt.id)).toMatchObject({ include_backfilled: true });
    expect(listed.find((s) => s.id === without.id)).toMatchObject({ include_backfilled: false });
    expect(listed.every((s) => typeof s.include_backfilled === 'boolean')).toBe(true);
    expect((await call(api, 'GET', `/v1/subscriptions/${String(withIt.id)}`)).body.data).toMatchObject({
      include_backfilled: true,
    });
  });

  it('DELETE disables (idempotently) and keeps the row; a replay on it is 409', async () => {
    const sub = (
      await call(api, 'POST', '/v1/subscriptions', { body: { url: 'https://93.184.215.14/hooks/gone' } })
    ).body.data as Json;
    const first = await call(api, 'DELETE', `/v1/subscriptions/${String(sub.id)}`);
    expect(first.status).toBe(200);
    expect((first.body.data as Json).disabled_at).toEqual(expect.stringMatching(/^\d{4}-/));
    const again = await call(api, 'DELETE', `/v1/subscriptions/${String(sub.id)}`);
    expect(again.body.data).toEqual(first.body.data);
    const replay = await call(api, 'POST', `/v1/subscriptions/${String(sub.id)}/replay`, {
      body: { from: '2026-08-01' },
    });
    expect(replay.status).toBe(409);
    expect(replay.body).toMatchObject({ error: { code: 'CONFLICT', message: /removed/ } });
    expect((await call(api, 'GET', `/v1/subscriptions/${String(sub.id)}`)).body.data).toMatchObject({
      replay: null,
    });
  });

  it('internal targets are refused with the reason; 127.0.0.1 only with the dev flag, never in production mode', async () => {
    const refused = [
      ['http://10.0.0.1/hook', /address 10\.0\.0\.1 is internal/],
      ['http://192.168.1.20:8080/hook', /internal/],
      ['http://169.254.169.254/latest/meta-data', /internal/],
      ['http://[::1]:8080/hook', /internal/],
      ['http://localhost:8080/hook', /local/],
      ['http://127.0.0.2/hook', /internal/],
      ['ftp://hooks.example/x', /scheme ftp: is not allowed/],
      ['https://user:pw@hooks.example/x', /credentials/],
      ['not a url', /not a URL/],
      // A name that does not resolve cannot be checked: refused, as the notifier would refuse it.
      ['https://no-such-host.invalid/hook', /cannot resolve no-such-host\.invalid/],
    ] as const;
    for (const [url, reason] of refused) {
      const r = await call(api, 'POST', '/v1/subscriptions', { body: { url } });
      expect(r.status, url).toBe(400);
      expect((r.body.error as Json).message).toMatch(/^url refused: /);
      expect((r.body.error as Json).message).toMatch(reason);
    }
    const prod = await call(prodApi, 'POST', '/v1/subscriptions', {
      body: { url: 'http://127.0.0.1:9/hook' },
    });
    expect(prod.status).toBe(400);
    expect(prod.body).toMatchObject({
      error: { code: 'BAD_REQUEST', message: /url refused: address 127\.0\.0\.1 is internal/ },
    });
    expect(
      (await call(api, 'POST', '/v1/subscriptions', { body: { url: 'http://127.0.0.1:9/hook' } })).status,
    ).toBe(201);
  });

  it('malformed ids, bodies, filters and times are 4xx with a clear message, never a 500', async () => {
    const bad: [string, string, Parameters<typeof call>[3], number, RegExp][] = [
      ['GET', '/v1/subscriptions/not-a-uuid', {}, 400, /id/],
      ['DELETE', `/v1/subscriptions/${'9'.repeat(1900)}`, {}, 400, /id/],
      ['POST', '/v1/subscriptions', { body: {} }, 400, /url/],
      ['POST', '/v1/subscriptions', { body: { url: 'https://93.184.215.14/', extra: 1 } }, 400, /additional/],
      [
        'POST',
        '/v1/subscriptions',
        { body: { url: 'https://93.184.215.14/', model_ids: ['no slash'] } },
        400,
        /model_ids/,
      ],
      [
        'POST',
        '/v1/subscriptions',
        { body: { url: 'https://93.184.215.14/', providers: Array(101).fill('x') } },
        400,
        /providers/,
      ],
      [
        'POST',
        '/v1/subscriptions',
        { body: { url: 'https://93.184.215.14/', alerts_only: 'yes' } },
        400,
        /alerts_only/,
      ],
      ...(['yes', 'true', 1, 0, null, [true], { on: true }] as const).map(
        (v): [string, string, Parameters<typeof call>[3], number, RegExp] => [
          'POST',
          '/v1/subscriptions',
          { body: { url: 'https://93.184.215.14/', include_backfilled: v } },
          400,
          /include_backfilled.*boolean/,
        ],
      ),
      [
        'POST',
        '/v1/subscriptions',
        { body: { url: `https://93.184.215.14/${'x'.repeat(2100)}` } },
        400,
        /url/,
      ],
      [
        'POST',
        '/v1/subscriptions',
        { body: { url: 'https://93.184.215.14/', replay_from: 'yesterday' } },
        400,
        /replay_from: "yesterday" is not an ISO 8601/,
      ],
      [
        'POST',
        '/v1/subscriptions',
        { body: { url: 'https://93.184.215.14/', replay_from: '2026-09-01' } },
        400,
        /replay_from: .* is in the future/,
      ],
      ['POST', '/v1/subscriptions', { raw: '{"url":' }, 400, /JSON/i],
      [
        'POST',
        '/v1/subscriptions',
        { raw: 'url=x', contentType: 'application/x-www-form-urlencoded' },
        415,
        /must be application\/json/,
      ],
      [
        'POST',
        '/v1/subscriptions',
        {
          raw: JSON.stringify({
            url: 'https://93.184.215.14/',
            model_ids: Array(3000).fill('openai/gpt-4o'),
          }),
        },
        413,
        /too large/i,
      ],
      ['POST', '/v1/subscriptions/5b0f6a52-34a4-4d9b-9d2c-3f1d2c7c9a11/replay', { body: {} }, 400, /from/],
      [
        'POST',
        '/v1/subscriptions/5b0f6a52-34a4-4d9b-9d2c-3f1d2c7c9a11/replay',
        { body: { from: '2026-02-30' } },
        400,
        /from: "2026-02-30"/,
      ],
      [
        'POST',
        '/v1/subscriptions/5b0f6a52-34a4-4d9b-9d2c-3f1d2c7c9a11/replay',
        { body: { from: '2026-08-01' } },
        404,
        /no subscription/,
      ],
    ];
    for (const [method, path, opts, status, message] of bad) {
      const r = await call(api, method, path, opts);
      expect(r.status, `${method} ${path} ${JSON.stringify(opts).slice(0, 80)}`).toBe(status);
      expect((r.body.error as Json).message).toMatch(message);
    }
  });
});

// ---- Replay (services/notifier/README.md §9) ---------------------------------------------------

interface Notifier {
  readonly child: ChildProcess;
  readonly exited: Promise<unknown>;
}
function startNotifier(prefix: string): Notifier {
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/notifier/src/main.ts'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      KAFKA_BROKERS: stackEnv().kafkaBrokers.join(','),
      TOPIC_PREFIX: prefix,
      GROUP_ID: `${prefix}notifier`,
      DATABASE_URL: notifierLogin.url,
      HEALTH_PORT: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      NODE_ENV: 'test',
      WEBHOOK_ALLOW_LOOPBACK: 'true',
      WEBHOOK_POLL_MS: '50',
      WEBHOOK_REPLAY_POLL_MS: '100',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return { child, exited: new Promise((r) => child.once('exit', r)) };
}
const stop = async (n: Notifier | undefined, signal: NodeJS.Signals = 'SIGTERM') => {
  if (n && n.child.exitCode === null && n.child.signalCode === null) n.child.kill(signal);
  await n?.exited;
};

describe('replay from a time: a subscriber added after the changes asks for them', () => {
  const prefix = uniquePrefix('replay');
  const kafka = testKafka('replay-int');
  let notifier: Notifier | undefined;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    await createTestTopics(prefix, { kafka, partitions: 1 });
  }, 60_000);
  afterAll(async () => {
    await stop(notifier);
    for (const r of receivers) await r.close();
    await deleteTestTopics(prefix, { kafka });
  }, 60_000);

  const subscribe = async (r: Receiver, replayFrom?: string) => {
    const res = await call(api, 'POST', '/v1/subscriptions', {
      body: {
        url: r.url,
        providers: ['google-vertex', 'openrouter'],
        ...(replayFrom ? { replay_from: replayFrom } : {}),
      },
    });
    expect(res.status).toBe(201);
    const data = res.body.data as { id: string; secret: string };
    r.secret = data.secret;
    return data.id;
  };
  const deliveryRows = (subId: string) =>
    withClient(
      db.url,
      async (c) =>
        (
          await c.query<{ event_id: string; status: string }>(
            'select event_id, status from webhook_deliveries where subscription_id = $1 order by event_id',
            [subId],
          )
        ).rows,
    );
  /** Each expected event received exactly once, verified, as the live payload's exact bytes. */
  const expectReceivedOnce = (r: Receiver, events: readonly PriceChanged[]) => {
    expect([...r.bodies.keys()].sort()).toEqual(events.map((e) => e.event_id).sort());
    for (const e of events) expect(r.bodies.get(e.event_id)).toEqual([webhookPayload(e)]);
    expect(r.unverified).toBe(0);
  };

  it('killed with kill -9 mid-replay, restarted: nothing queued twice, nothing lost; live deliveries not repeated', async () => {
    const [crashed, fresh, live] = await Promise.all([
      receiver('crashed'),
      receiver('fresh'),
      receiver('live'),
    ]);
    receivers.push(crashed, fresh, live);

    // 1. Hold the deliveries table so the replay's insert waits, mid-transaction, then kill -9 the
    //    notifier there: its transaction dies with its connection.
    const lock = new pg.Client({ connectionString: db.url });
    await lock.connect();
    await lock.query('begin');
    await lock.query('lock table webhook_deliveries in exclusive mode');
    const crashedId = await subscribe(crashed, REPLAY_FROM);
    notifier = startNotifier(prefix);
    await waitFor(
      async () =>
        (
          await withClient(db.url, (c) =>
            c.query(
              `select 1 from pg_stat_activity where usename = $1 and wait_event_type = 'Lock'
                 and query like '%insert into webhook_deliveries%'`,
              [notifierLogin.name],
            ),
          )
        ).rowCount === 1,
      { timeoutMs: 30_000, message: 'the replay waiting on its insert' },
    );
    notifier.child.kill('SIGKILL');
    await notifier.exited;
    await lock.query('commit');
    await lock.end();
    await waitFor(
      async () =>
        (
          await withClient(db.url, (c) =>
            c.query(`select 1 from pg_stat_activity where usename = $1`, [notifierLogin.name]),
          )
        ).rowCount === 0,
      { timeoutMs: 30_000, message: 'the killed notifier’s sessions to end' },
    );
    expect(await deliveryRows(crashedId)).toEqual([]);
    expect(
      ((await call(api, 'GET', `/v1/subscriptions/${crashedId}`)).body.data as Json).replay,
    ).toMatchObject({ done_at: null });

    // 2. Two more subscribers: one with replay_from at creation, one whose live delivery of one of
    //    the events is already queued (as the Kafka handler queues it) before it asks for a replay.
    const freshId = await subscribe(fresh, REPLAY_FROM);
    const liveId = await subscribe(live);
    await withClient(db.url, (c) =>
      c.query(`insert into webhook_deliveries (subscription_id, event_id, payload) values ($1, $2, $3)`, [
        liveId,
        stored.vertex.event_id,
        webhookPayload(stored.vertex),
      ]),
    );
    const asked = await call(api, 'POST', `/v1/subscriptions/${liveId}/replay`, {
      body: { from: REPLAY_FROM },
    });
    expect(asked.status).toBe(202);
    expect((asked.body.data as Json).replay).toMatchObject({
      from: '2026-08-02T00:00:00.000Z',
      done_at: null,
    });

    // 3. Restarted: every replay is done and every receiver gets exactly the matching changes.
    notifier = startNotifier(prefix);
    const all = [crashed, fresh, live];
    await waitFor(() => all.every((r) => r.bodies.size === expectedReplay.length), {
      timeoutMs: 30_000,
      message: 'three receivers each to get the replayed changes',
    });
    await waitFor(
      async () =>
        (await Promise.all([crashedId, freshId, liveId].map(deliveryRows))).every(
          (rows) => rows.length === expectedReplay.length && rows.every((d) => d.status === 'delivered'),
        ),
      { timeoutMs: 30_000, message: 'every delivery recorded as delivered' },
    );
    for (const r of all) expectReceivedOnce(r, expectedReplay);
    for (const id of [crashedId, freshId, liveId]) {
      const replay = ((await call(api, 'GET', `/v1/subscriptions/${id}`)).body.data as Json).replay as Json;
      expect(replay.done_at).toEqual(expect.stringMatching(/^\d{4}-/));
    }

    // 4. Asking again from the same time queues nothing new: each event once per receiver.
    await call(api, 'POST', `/v1/subscriptions/${freshId}/replay`, { body: { from: REPLAY_FROM } });
    await waitFor(
      async () =>
        (((await call(api, 'GET', `/v1/subscriptions/${freshId}`)).body.data as Json).replay as Json)
          .done_at !== null,
      { timeoutMs: 30_000, message: 'the second replay done' },
    );
    expect(await deliveryRows(freshId)).toHaveLength(expectedReplay.length);
    for (const r of all) expectReceivedOnce(r, expectedReplay);
  }, 120_000);
});
