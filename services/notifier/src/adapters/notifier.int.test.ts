// The notifier as a process on the local stack (README §3, §5, §6): real Kafka topics under a test
// prefix, a fresh database, and real receivers on 127.0.0.1 (allowed by the test flag) that check every
// request with standardwebhooks' Webhook.verify, as a receiver would, and handle each webhook-id once.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHttpClient } from '@llmpt/runtime/http';
import { createProducer, produceEvents, type Kafka, type Producer } from '@llmpt/runtime/kafka';
import type { PriceChanged } from '@llmpt/schemas';
import { samples } from '@llmpt/schemas/samples';
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
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookGuard } from './guard.ts';
import { attemptDelivery } from './sender.ts';
import { createDeliveryStore, type DeliveryStore } from './store.ts';

const MAX_ATTEMPTS = 3;
// Generous for loopback answers on a loaded CI machine; the slow receiver answers after three times it.
const TIMEOUT_MS = 1000;

/** What a receiver saw: every request, whether it verified, and what it answered. */
interface Seen {
  readonly id: string;
  readonly verified: boolean;
  readonly status: number | 'held';
  readonly data: { event_id: string; [k: string]: unknown } | null;
}

interface Receiver {
  readonly url: string;
  readonly secret: string;
  readonly seen: Seen[];
  /** ids this receiver handled (answered 2xx for): a real receiver's dedupe store. */
  readonly handled: Map<string, number>;
  close(): Promise<void>;
}

type Behaviour = (id: string, nth: number, res: ServerResponse) => number | 'held';

const secretOf = (name: string) =>
  `whsec_${Buffer.from(`receiver ${name} key`.padEnd(32, '.')).toString('base64')}`;

async function receiver(name: string, behave: Behaviour): Promise<Receiver> {
  const secret = secretOf(name);
  const wh = new Webhook(secret);
  const seen: Seen[] = [];
  const handled = new Map<string, number>();
  const held: ServerResponse[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id']);
      let data: Seen['data'] = null;
      let verified = false;
      try {
        data = (wh.verify(body, req.headers as Record<string, string>) as { data: Seen['data'] }).data;
        verified = true;
      } catch {
        // Not verified: answered 401 below, and the test fails on it.
      }
      const nth = seen.filter((s) => s.id === id).length + 1;
      const status = verified ? behave(id, nth, res) : 401;
      seen.push({ id, verified, status, data });
      if (status === 'held') return void held.push(res);
      if (status >= 200 && status < 300) handled.set(id, (handled.get(id) ?? 0) + 1);
      if (status === -1) return; // the behaviour answers by itself (late)
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/${name}`,
    secret,
    seen,
    handled,
    close: () =>
      new Promise<void>((r) => {
        for (const h of held) h.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const always =
  (status: number): Behaviour =>
  () =>
    status;
/** 500 on the first request for an id, 200 after. */
const fiveHundredThenOk: Behaviour = (_id, nth) => (nth === 1 ? 500 : 200);
/** The first request for an id answers only after the notifier's timeout; later ones at once. */
const slowThenOk: Behaviour = (_id, nth, res) => {
  if (nth > 1) return 200;
  setTimeout(() => res.writeHead(200).end(), TIMEOUT_MS * 3).unref();
  return -1;
};

function event(over: Partial<PriceChanged> & { event_id: string }): PriceChanged {
  // Learned live unless said otherwise (the sample is a backfilled change).
  return { ...samples.PriceChanged, backfilled: false, ...over };
}

const vertexA = event({ event_id: 'evt-vertex-a' });
const vertexB = event({ event_id: 'evt-vertex-b', occurred_at: samples.PriceChanged.occurred_at + 1000 });
const routed = event({
  event_id: 'evt-routed',
  price_key: 'openai/gpt-4o||openrouter_api',
  model_id: 'openai/gpt-4o',
  provider: null,
  source_type: 'openrouter_api',
  alert: false,
});

interface Notifier {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly output: () => string;
}

function startNotifier(prefix: string, db: FreshDatabase, extra: Record<string, string> = {}): Notifier {
  let out = '';
  const log = createWriteStream(path.join(tmpdir(), `${prefix}notifier.log`), { flags: 'a' });
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join('services', 'notifier', 'src', 'main.ts')],
    {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        KAFKA_BROKERS: stackEnv().kafkaBrokers.join(','),
        TOPIC_PREFIX: prefix,
        GROUP_ID: `${prefix}notifier`,
        DATABASE_URL: db.url,
        HEALTH_PORT: '0',
        LOG_LEVEL: 'info',
        NODE_ENV: 'test',
        WEBHOOK_ALLOW_LOOPBACK: 'true',
        WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
        WEBHOOK_LEASE_MS: String(TIMEOUT_MS + 1000),
        WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        WEBHOOK_BACKOFF_INITIAL_MS: '50',
        WEBHOOK_BACKOFF_MAX_MS: '200',
        WEBHOOK_POLL_MS: '50',
        ...extra,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  for (const s of [child.stdout, child.stderr])
    s.on('data', (c: Buffer) => {
      out += c.toString();
      log.write(c);
    });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited, output: () => out };
}

async function stop(n: Notifier | undefined, signal: NodeJS.Signals = 'SIGTERM') {
  if (n && n.child.exitCode === null && n.child.signalCode === null) n.child.kill(signal);
  await n?.exited;
}

interface DeliveryRow {
  subscription_id: string;
  event_id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  delivered: boolean;
}

const deliveries = (db: FreshDatabase) =>
  withClient(db.url, async (c) => {
    const r = await c.query<DeliveryRow>(
      `select subscription_id::text, event_id, status, attempts, last_error, delivered_at is not null as delivered
         from webhook_deliveries order by subscription_id, event_id`,
    );
    return r.rows;
  });

/** Answers 2xx for an id at most once, and every request it saw verified. */
function expectHandledOnce(r: Receiver, ids: readonly string[]) {
  expect([...r.handled.keys()].sort()).toEqual([...ids].sort());
  for (const id of ids) expect(r.handled.get(id)).toBe(1);
  expect(r.seen.every((s) => s.verified)).toBe(true);
}

describe('notifier: deliveries to receivers that fail, time out, answer 500 then 200', () => {
  const prefix = uniquePrefix('notifier');
  let kafka: Kafka;
  let producer: Producer;
  let db: FreshDatabase;
  let store: DeliveryStore;
  let notifier: Notifier | undefined;
  let topic = '';
  const receivers: Record<string, Receiver> = {};
  const subs: Record<string, string> = {};

  beforeAll(async () => {
    kafka = testKafka('notifier-int');
    [db, topic] = await Promise.all([
      freshDatabase('notifier'),
      createTestTopics(prefix, { kafka, partitions: 2 }).then((t) => t.priceChanged),
    ]);
    store = createDeliveryStore({ databaseUrl: db.url });
    const behaviours: Record<string, Behaviour> = {
      ok: always(204),
      flaky: fiveHundredThenOk,
      slow: slowThenOk,
      failing: always(500),
      gone: always(410),
      routedOnly: always(200),
    };
    for (const [name, b] of Object.entries(behaviours)) {
      const r = await receiver(name, b);
      receivers[name] = r;
      subs[name] = await store.addSubscription({
        url: r.url,
        secret: r.secret,
        ...(name === 'routedOnly' ? { providers: ['openrouter'] } : {}),
      });
    }
    // Inserted behind the CLI's back: the guard must still refuse it at delivery time.
    subs.internal = await store.addSubscription({
      url: 'http://10.0.0.1:9/hook',
      secret: secretOf('internal'),
    });
    producer = createProducer(kafka);
    await producer.connect();
    notifier = startNotifier(prefix, db);
  }, 60_000);

  afterAll(async () => {
    await stop(notifier);
    await producer?.disconnect();
    await store?.close();
    await Promise.all(Object.values(receivers).map((r) => r.close()));
    await db?.drop();
    await deleteTestTopics(prefix, { kafka });
  }, 60_000);

  it('each receiver gets each matching event, signed, and handles each webhook-id once', async () => {
    const events = [vertexA, routed, vertexB];
    await produceEvents(
      producer,
      topic,
      events.map((e) => ({ key: e.price_key, name: 'PriceChanged' as const, event: e })),
    );
    const settled = (name: string, n: number) => async () => {
      const rows = (await deliveries(db)).filter((r) => r.subscription_id === subs[name]);
      return rows.length === n && rows.every((r) => r.status !== 'pending') ? rows : null;
    };
    const ids = events.map((e) => e.event_id);
    for (const name of ['ok', 'flaky', 'slow', 'failing', 'internal'])
      await waitFor(settled(name, 3), { timeoutMs: 20_000, message: `${name} settled` });
    await waitFor(settled('routedOnly', 1), { timeoutMs: 10_000, message: 'routedOnly settled' });

    const { ok, flaky, slow, failing, routedOnly } = receivers;
    expectHandledOnce(ok!, ids);
    expectHandledOnce(flaky!, ids);
    expectHandledOnce(slow!, ids);
    // The body is the event (README §2): money as the event's decimal strings.
    for (const e of events) {
      const got = ok!.seen.find((s) => s.id === e.event_id)!.data;
      expect(got).toEqual(JSON.parse(JSON.stringify(e)));
    }
    // 500 then 200: two requests per id, the same webhook-id both times.
    for (const id of ids)
      expect(flaky!.seen.filter((s) => s.id === id).map((s) => s.status)).toEqual([500, 200]);
    // The first answer came after the timeout: the attempt counted as failed and was made again.
    for (const id of ids) expect(slow!.seen.filter((s) => s.id === id)).toHaveLength(2);
    const rows = await deliveries(db);
    const of = (name: string) => rows.filter((r) => r.subscription_id === subs[name]);
    expect(of('slow').map((r) => [r.status, r.attempts])).toEqual(ids.map(() => ['delivered', 2]));
    expect(of('flaky').every((r) => r.status === 'delivered' && r.attempts === 2 && r.delivered)).toBe(true);

    // Always 500: N attempts, then dead with the reason (the dead letter).
    expect(failing!.handled.size).toBe(0);
    for (const id of ids) expect(failing!.seen.filter((s) => s.id === id)).toHaveLength(MAX_ATTEMPTS);
    expect(of('failing').map((r) => [r.status, r.attempts, r.last_error])).toEqual(
      ids.map(() => ['dead', MAX_ATTEMPTS, 'HTTP 500']),
    );
    // An internal target is refused by the address guard: dead at the first attempt, never contacted.
    expect(of('internal').map((r) => [r.status, r.attempts, r.last_error])).toEqual(
      ids.map(() => ['dead', 1, 'refused: address 10.0.0.1 is internal']),
    );
    // Filters: only the routed price reaches the `openrouter` subscription.
    expectHandledOnce(routedOnly!, [routed.event_id]);
  }, 40_000);

  it('410 disables the subscription; a replayed event id adds no second delivery', async () => {
    await waitFor(
      async () => {
        const r = await withClient(db.url, (c) =>
          c.query<{ off: boolean }>(
            'select disabled_at is not null as off from webhook_subscriptions where id = $1',
            [subs.gone],
          ),
        );
        return r.rows[0]?.off === true;
      },
      { message: 'the 410 subscription disabled' },
    );
    expect(receivers.gone!.seen.every((s) => s.verified && s.status === 410)).toBe(true);
    const goneRows = (await deliveries(db)).filter((r) => r.subscription_id === subs.gone);
    expect(goneRows.some((r) => r.status === 'gone' && r.last_error === 'HTTP 410')).toBe(true);

    // The same event again (a producer retry, a replay), then a new one on the same key: once the new
    // one is delivered the repeat has been read, and it changed nothing.
    const later = event({ event_id: 'evt-vertex-c', occurred_at: vertexB.occurred_at + 1000 });
    await produceEvents(producer, topic, [
      { key: vertexA.price_key, name: 'PriceChanged', event: vertexA },
      { key: later.price_key, name: 'PriceChanged', event: later },
    ]);
    await waitFor(() => receivers.ok!.handled.has(later.event_id), {
      timeoutMs: 15_000,
      message: 'later delivered',
    });
    expect(receivers.ok!.handled.get(vertexA.event_id)).toBe(1);
    expect(receivers.ok!.seen.filter((s) => s.id === vertexA.event_id)).toHaveLength(1);
    // The disabled subscription is not asked about the later event.
    expect(receivers.gone!.seen.some((s) => s.id === later.event_id)).toBe(false);
  }, 30_000);
});

describe('notifier: production mode refuses internal targets', () => {
  let db: FreshDatabase;
  let target: Receiver;

  beforeAll(async () => {
    [db, target] = await Promise.all([freshDatabase('notifier_prod'), receiver('prod', always(200))]);
  }, 60_000);
  afterAll(async () => {
    await target?.close();
    await db?.drop();
  });

  const cli = (args: string[], env: Record<string, string>) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join('services', 'notifier', 'src', 'cli', 'subscriptions.ts'), ...args],
        {
          cwd: repoRoot,
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: db.url, ...env },
        },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.once('exit', (code) => resolve({ code, out, err }));
    });

  it('the CLI refuses 127.0.0.1, 10.x and 169.254.x in production, and stores nothing', async () => {
    const prod = { NODE_ENV: 'production' };
    const results = await Promise.all(
      [target.url, 'https://10.20.30.40/hook', 'http://169.254.169.254/latest/meta-data'].map((u) =>
        cli(['add', u], prod),
      ),
    );
    expect(results.map((r) => [r.code, r.err.trim()])).toEqual([
      [2, 'refused: address 127.0.0.1 is internal'],
      [2, 'refused: address 10.20.30.40 is internal'],
      [2, 'refused: address 169.254.169.254 is internal'],
    ]);
    // The loopback flag itself is refused in production.
    const flagged = await cli(['add', target.url], { ...prod, WEBHOOK_ALLOW_LOOPBACK: 'true' });
    expect(flagged.code).not.toBe(0);
    expect(flagged.err).toContain('WEBHOOK_ALLOW_LOOPBACK: must not be set when NODE_ENV=production');
    const count = await withClient(db.url, (c) =>
      c.query('select count(*)::int as n from webhook_subscriptions'),
    );
    expect(count.rows[0]).toEqual({ n: 0 });

    // With the flag outside production, 127.0.0.1 is accepted and the secret is printed once.
    const added = await cli(['add', target.url, '--provider', 'openrouter'], {
      NODE_ENV: 'test',
      WEBHOOK_ALLOW_LOOPBACK: 'true',
    });
    expect(added.code).toBe(0);
    const printed = JSON.parse(added.out) as { id: string; secret: string };
    expect(printed.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const listed = await cli(['list'], {});
    expect(JSON.parse(listed.out)).toEqual({
      id: printed.id,
      url: target.url,
      model_ids: [],
      providers: ['openrouter'],
      alerts_only: false,
      include_backfilled: false,
      disabled: false,
    });
    expect(listed.out).not.toContain(printed.secret);
  }, 60_000);

  it('a delivery with the production guard to a loopback receiver is refused before connecting', async () => {
    const http = createHttpClient({ attempts: 1, maxRedirects: 0, guard: webhookGuard(false) });
    const outcome = await attemptDelivery(
      http,
      {
        id: '1',
        subscriptionId: 's',
        eventId: 'evt-x',
        payload: '{}',
        attempt: 1,
        url: target.url,
        secret: target.secret,
      },
      Date.now(),
      1000,
    );
    expect(outcome).toEqual({ kind: 'refused', reason: 'address 127.0.0.1 is internal' });
    expect(target.seen).toHaveLength(0);
    // The same receiver is reachable with the test flag: the refusal was the guard's, not the network's.
    const allowed = await attemptDelivery(
      createHttpClient({ attempts: 1, maxRedirects: 0, guard: webhookGuard(true) }),
      {
        id: '1',
        subscriptionId: 's',
        eventId: 'evt-x',
        payload: '{}',
        attempt: 1,
        url: target.url,
        secret: target.secret,
      },
      Date.now(),
      1000,
    );
    expect(allowed).toEqual({ kind: 'answered', status: 200 });
    expect(target.seen.map((s) => [s.id, s.verified])).toEqual([['evt-x', true]]);
  });
});

describe('notifier: kill -9 mid-delivery loses nothing', () => {
  const prefix = uniquePrefix('notifier-kill');
  let kafka: Kafka;
  let producer: Producer;
  let db: FreshDatabase;
  let store: DeliveryStore;
  let topic = '';
  let hold: Receiver;
  let notifier: Notifier | undefined;
  let firstArrived: () => void = () => undefined;
  const arrived = new Promise<void>((r) => (firstArrived = r));

  beforeAll(async () => {
    kafka = testKafka('notifier-kill');
    [db, topic] = await Promise.all([
      freshDatabase('notifier_kill'),
      createTestTopics(prefix, { kafka, partitions: 1 }).then((t) => t.priceChanged),
    ]);
    store = createDeliveryStore({ databaseUrl: db.url });
    // The first request is held open (the process is killed while it waits); later ones answer 200.
    hold = await receiver('hold', (_id, nth) => {
      if (nth === 1) {
        firstArrived();
        return 'held';
      }
      return 200;
    });
    await store.addSubscription({ url: hold.url, secret: hold.secret });
    producer = createProducer(kafka);
    await producer.connect();
  }, 60_000);

  afterAll(async () => {
    await stop(notifier);
    await producer?.disconnect();
    await store?.close();
    await hold?.close();
    await db?.drop();
    await deleteTestTopics(prefix, { kafka });
  }, 60_000);

  it('the delivery in flight is made again after a restart, and events sent meanwhile arrive', async () => {
    // A timeout longer than the test waits: the attempt is still in flight when the process dies.
    const slowSettings = { WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_LEASE_MS: '2000' };
    notifier = startNotifier(prefix, db, slowSettings);
    await produceEvents(producer, topic, [{ key: vertexA.price_key, name: 'PriceChanged', event: vertexA }]);
    await arrived;
    notifier.child.kill('SIGKILL');
    expect(await notifier.exited).toBeNull();
    const inFlight = (await deliveries(db)).find((r) => r.event_id === vertexA.event_id);
    expect(inFlight).toMatchObject({ status: 'pending', attempts: 1 });

    // While it is down, another event is published: its offset was never read.
    await produceEvents(producer, topic, [{ key: vertexB.price_key, name: 'PriceChanged', event: vertexB }]);
    notifier = startNotifier(prefix, db, slowSettings);
    await waitFor(
      async () => {
        const rows = await deliveries(db);
        return rows.length === 2 && rows.every((r) => r.status === 'delivered') ? rows : null;
      },
      { timeoutMs: 20_000, message: 'both delivered after the restart' },
    );
    // At least once: the killed attempt's event was seen twice (same webhook-id), handled once.
    expect(hold.seen.filter((s) => s.id === vertexA.event_id).map((s) => s.status)).toEqual(['held', 200]);
    expectHandledOnce(hold, [vertexA.event_id, vertexB.event_id]);
  }, 60_000);
});
