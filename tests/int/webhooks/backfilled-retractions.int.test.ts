// services/notifier/README.md §1 rule 4 (backfilled), §9 (replay) and §11 (retractions) on the local
// stack: the notifier as a process (main.ts, a webhook_notifier login, real Kafka topics), the changes
// and retraction records stored by the sink's own writer as the pipeline stores them, and receivers on
// 127.0.0.1 that verify every request with standardwebhooks.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeliveryStore, retractionPayload, webhookPayload, type DeliveryStore } from '@llmpt/notifier';
import { createProducer, produceEvents, type Kafka, type Producer } from '@llmpt/runtime/kafka';
import { changeDigest, type PriceChanged, type PriceChangeRetracted } from '@llmpt/schemas';
import {
  createTestTopics,
  deleteTestTopics,
  freePort,
  freshDatabase,
  scrapeMetrics,
  sumOf,
  repoRoot,
  stackEnv,
  testKafka,
  uniquePrefix,
  waitFor,
  withClient,
  type FreshDatabase,
} from '@llmpt/testkit';
import { changeAt, loginWith, storeEvents, T0, type Login } from './setup.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
// The notifier's lease, and so the time a stored record settles before its retraction is sent (§11).
const LEASE_MS = 2000;

// A and D are live changes; B was learned from an archive. D2 is D's second version (the same id, a
// later previous_observed_at: a late observation at the same price before D's cause), decided late.
// C is retracted before it is ever sent. E is live and stays.
const A = changeAt('evt-a', T0 + DAY);
const B = changeAt('evt-b', T0 + DAY + 5, { backfilled: true });
const D1 = changeAt('evt-d', T0 + 2 * DAY);
const D2: PriceChanged = { ...D1, previous_observed_at: D1.previous_observed_at! + HOUR, backfilled: true };
const C = changeAt('evt-c', T0 + 3 * DAY);
const E = changeAt('evt-e', T0 + 4 * DAY);

const retraction = (id: string, change: PriceChanged, revision: number): PriceChangeRetracted => ({
  event_id: id,
  price_key: change.price_key,
  retracted_event_id: change.event_id,
  retracted_digest: changeDigest(change),
  retracted: true,
  revision,
  caused_by: `late-input-${id}`,
  occurred_at: change.occurred_at + 30 * DAY,
});
const rA = retraction('ret-a', A, 1);
const rC = retraction('ret-c', C, 2);
const rD1 = retraction('ret-d1', D1, 3);

interface Receiver {
  readonly url: string;
  readonly secret: string;
  /** Verified bodies by webhook-id. */
  readonly bodies: Map<string, string[]>;
  unverified: number;
  close(): Promise<void>;
}

async function receiver(name: string): Promise<Receiver> {
  const secret = `whsec_${Buffer.from(`receiver ${name} key`.padEnd(32, '.')).toString('base64')}`;
  const wh = new Webhook(secret);
  const r = { secret, bodies: new Map<string, string[]>(), unverified: 0 } as Receiver;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        wh.verify(body, req.headers as Record<string, string>);
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
  Object.assign(r, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/${name}`,
    close: () => new Promise<void>((ok) => (server.closeAllConnections(), server.close(() => ok()))),
  });
  return r;
}

interface Row {
  event_id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  payload: string;
}

let db: FreshDatabase;
let notifierLogin: Login;
let store: DeliveryStore;
let kafka: Kafka;
let producer: Producer;
let child: ChildProcess | undefined;
let healthPort = 0;
let exited: Promise<unknown> = Promise.resolve();
const prefix = uniquePrefix('notifier-valid-time');
let topics: Awaited<ReturnType<typeof createTestTopics>>;
const receivers: Record<string, Receiver> = {};
const subs: Record<string, string> = {};

const rowsOf = (name: string) =>
  withClient(
    db.url,
    async (c) =>
      (
        await c.query<Row>(
          `select event_id, status, attempts, last_error, payload from webhook_deliveries
            where subscription_id = $1 order by event_id`,
          [subs[name]],
        )
      ).rows,
  );
const rowOf = async (name: string, eventId: string) =>
  (await rowsOf(name)).find((r) => r.event_id === eventId);

beforeAll(async () => {
  kafka = testKafka('notifier-valid-time');
  [db, topics] = await Promise.all([
    freshDatabase('notifier_valid_time'),
    createTestTopics(prefix, { kafka }),
  ]);
  notifierLogin = await loginWith(db, 'webhook_notifier');
  store = createDeliveryStore({ databaseUrl: db.url });
  for (const [name, includeBackfilled] of [
    ['live', false],
    ['history', true],
  ] as const) {
    const r = await receiver(name);
    receivers[name] = r;
    subs[name] = await store.addSubscription({ url: r.url, secret: r.secret, includeBackfilled });
  }
  producer = createProducer(kafka);
  await producer.connect();
  healthPort = await freePort();
  child = spawn(process.execPath, ['--import', 'tsx', 'services/notifier/src/main.ts'], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      KAFKA_BROKERS: stackEnv().kafkaBrokers.join(','),
      TOPIC_PREFIX: prefix,
      GROUP_ID: `${prefix}notifier`,
      DATABASE_URL: notifierLogin.url,
      HEALTH_PORT: String(healthPort),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      NODE_ENV: 'test',
      WEBHOOK_ALLOW_LOOPBACK: 'true',
      WEBHOOK_TIMEOUT_MS: String(LEASE_MS / 2),
      WEBHOOK_LEASE_MS: String(LEASE_MS),
      WEBHOOK_POLL_MS: '50',
      WEBHOOK_REPLAY_POLL_MS: '100',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  exited = new Promise((r) => child!.once('exit', r));
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await exited;
  await producer?.disconnect();
  await store?.close();
  for (const r of Object.values(receivers)) await r.close();
  await db?.drop();
  await notifierLogin?.drop();
  await deleteTestTopics(prefix, { kafka });
}, 60_000);

const changes = (events: readonly PriceChanged[]) =>
  produceEvents(
    producer,
    topics.priceChanged,
    events.map((event) => ({ key: event.price_key, name: 'PriceChanged' as const, event })),
  );
const settled = (name: string, ids: readonly string[]) => async () => {
  const rows = await rowsOf(name);
  return ids.every((id) => rows.some((r) => r.event_id === id && r.status !== 'pending')) ? rows : null;
};

describe('backfilled changes and retractions, live and replayed', () => {
  it('§1 rule 4: a backfilled change goes only to the subscription with include_backfilled', async () => {
    await storeEvents(
      db,
      [A, B, D1].map((event) => ({ name: 'PriceChanged' as const, event })),
    );
    await changes([A, B, D1]);
    await waitFor(settled('history', ['evt-a', 'evt-b', 'evt-d']), { message: 'history settled' });
    await waitFor(settled('live', ['evt-a', 'evt-d']), { message: 'live settled' });
    // B was in the batch that queued A and D for both: the live subscription got no row for it.
    expect((await rowsOf('live')).map((r) => [r.event_id, r.status])).toEqual([
      ['evt-a', 'delivered'],
      ['evt-d', 'delivered'],
    ]);
    const { live, history } = receivers;
    expect([...live!.bodies.keys()].sort()).toEqual(['evt-a', 'evt-d']);
    expect(history!.bodies.get('evt-b')).toEqual([webhookPayload(B)]);
    expect(JSON.parse(history!.bodies.get('evt-b')![0]!)).toMatchObject({ data: { backfilled: true } });
  }, 60_000);

  it('§11 step 2: a change whose version is retracted when it is due is not sent', async () => {
    // The normalizer took C back (a late input) before the notifier got to it; the sink stored both.
    await storeEvents(db, [
      { name: 'PriceChanged', event: C },
      { name: 'PriceChangeRetracted', event: rC },
      { name: 'PriceChanged', event: D2 },
      { name: 'PriceChanged', event: E },
      { name: 'PriceChangeRetracted', event: rD1 },
      { name: 'PriceChangeRetracted', event: rA },
    ]);
    await changes([C, D2, E]);
    // E, after C on the same key (one partition), is delivered: C was queued by then, and is never sent.
    await waitFor(settled('live', ['evt-e']), { message: 'E delivered to live' });
    await waitFor(settled('history', ['evt-e']), { message: 'E delivered to history' });
    for (const name of ['live', 'history']) {
      expect(await rowOf(name, 'evt-c')).toMatchObject({ status: 'pending', attempts: 0 });
      expect(receivers[name]!.bodies.has('evt-c')).toBe(false);
      // D2 is the same change as D1, already queued: nothing new for its id.
      expect(await rowOf(name, 'evt-d')).toMatchObject({ status: 'delivered', payload: webhookPayload(D1) });
    }
  }, 60_000);

  it('§11 step 3: a retraction goes to the subscriptions that received the change, only when true', async () => {
    await produceEvents(
      producer,
      topics.priceChangeRetracted,
      [rA, rC, rD1].map((event) => ({ key: event.price_key, name: 'PriceChangeRetracted' as const, event })),
    );
    for (const name of ['live', 'history'])
      await waitFor(settled(name, ['ret-a', 'ret-c', 'ret-d1']), {
        timeoutMs: 30_000,
        message: `${name}: the three records settled`,
      });
    for (const name of ['live', 'history']) {
      const r = receivers[name]!;
      // A was delivered and no version of it is left: the record, signed, as its own payload.
      expect(r.bodies.get('ret-a')).toEqual([retractionPayload(rA)]);
      expect(await rowOf(name, 'ret-a')).toMatchObject({ status: 'delivered', attempts: 1 });
      // C was never sent; D stands as D2: neither record tells the receiver anything.
      expect(await rowOf(name, 'ret-c')).toMatchObject({
        status: 'dead',
        attempts: 0,
        last_error: 'not sent: change evt-c was never sent to this subscription',
      });
      expect(await rowOf(name, 'ret-d1')).toMatchObject({
        status: 'dead',
        attempts: 0,
        last_error: 'not sent: change evt-d is in force',
      });
      expect([...r.bodies.keys()].filter((id) => id.startsWith('ret-'))).toEqual(['ret-a']);
      expect(r.unverified).toBe(0);
      for (const bodies of r.bodies.values()) expect(bodies).toHaveLength(1);
    }
    expect(await rowOf('live', 'evt-c')).toMatchObject({ status: 'pending', attempts: 0 });
  }, 60_000);

  it('§9: a replay sends the versions in force that pass the filters, backfilled included', async () => {
    const [lateLive, lateHistory] = await Promise.all([receiver('late-live'), receiver('late-history')]);
    Object.assign(receivers, { lateLive, lateHistory });
    for (const [name, r, includeBackfilled] of [
      ['lateLive', lateLive, false],
      ['lateHistory', lateHistory, true],
    ] as const) {
      subs[name] = await store.addSubscription({ url: r.url, secret: r.secret, includeBackfilled });
      await withClient(db.url, (c) =>
        c.query(
          `update webhook_subscriptions
              set replay_request_id = gen_random_uuid(), replay_from = $2, replay_requested_at = now()
            where id = $1`,
          [subs[name], new Date(T0).toISOString()],
        ),
      );
    }
    // In force: B (backfilled), D2 (backfilled: it replaced D1), E (live). A and C are retracted.
    await waitFor(settled('lateLive', ['evt-e']), { message: 'late live replayed' });
    await waitFor(settled('lateHistory', ['evt-b', 'evt-d', 'evt-e']), { message: 'late history replayed' });
    expect((await rowsOf('lateLive')).map((r) => r.event_id)).toEqual(['evt-e']);
    expect([...lateLive.bodies.keys()]).toEqual(['evt-e']);
    expect((await rowsOf('lateHistory')).map((r) => r.event_id)).toEqual(['evt-b', 'evt-d', 'evt-e']);
    expect(lateHistory.bodies.get('evt-d')).toEqual([webhookPayload(D2)]);
    expect(lateHistory.bodies.get('evt-b')).toEqual([webhookPayload(B)]);
    expect(lateHistory.bodies.get('evt-e')).toEqual([webhookPayload(E)]);
  }, 60_000);

  it('docs/metrics.md: /metrics counts the attempts the deliveries record, delivered ones by outcome', async () => {
    const recorded = () =>
      withClient(db.url, async (c) => {
        const { rows } = await c.query<{ attempts: number; delivered: number }>(
          `select coalesce(sum(attempts), 0)::int attempts, count(*) filter (where status = 'delivered')::int delivered
             from webhook_deliveries`,
        );
        return rows[0]!;
      });
    // An attempt is counted when its outcome is recorded; the claim counts it in the table just before.
    await waitFor(
      async () => {
        const [rec, m] = [await recorded(), await scrapeMetrics(healthPort)];
        return (
          rec.attempts > 0 &&
          sumOf(m, 'llmpt_webhook_attempts_total') === rec.attempts &&
          sumOf(m, 'llmpt_webhook_attempts_total', { outcome: 'delivered' }) === rec.delivered &&
          sumOf(m, 'llmpt_webhook_attempt_duration_seconds_count') === rec.attempts
        );
      },
      { timeoutMs: 20_000, message: 'the attempts counted to equal the attempts recorded' },
    );
  }, 60_000);
});
