// migration 0014 / services/notifier/README.md §10: each webhook role can do exactly what its service
// needs, on a real Postgres, and is refused the rest. "Needs" is shown by running the services' own
// stores as the role; "the rest" by the statements a mistaken or compromised service could try.
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSubscriptionStore } from '@llmpt/api';
import { createDeliveryStore } from '@llmpt/notifier';
import { freshDatabase, withClient, type FreshDatabase } from '@llmpt/testkit';
import { loginWith, REPLAY_FROM, storeChanges, stored, type Login } from './setup.ts';

const OWNER = 'a'.repeat(64);
const SECRET = `whsec_${Buffer.from('role test key'.padEnd(32, '.')).toString('base64')}`;
const DENIED = /permission denied/;

let db: FreshDatabase;
let admin: Login;
let notifier: Login;

/** Runs one statement as `login`; resolves to its rows or rejects with Postgres' error. */
async function as(login: Login, sql: string, params: unknown[] = []): Promise<pg.QueryResultRow[]> {
  return withClient(login.url, async (c) => (await c.query<pg.QueryResultRow>(sql, params)).rows);
}

beforeAll(async () => {
  db = await freshDatabase('webhook_roles');
  await storeChanges(db, Object.values(stored));
  admin = await loginWith(db, 'webhook_admin');
  notifier = await loginWith(db, 'webhook_notifier');
});

afterAll(async () => {
  await db?.drop();
  await admin?.drop();
  await notifier?.drop();
});

describe('webhook_admin (the API and the CLI)', () => {
  it('does everything the API needs: create, list, read, disable, request a replay', async () => {
    const store = createSubscriptionStore({ databaseUrl: admin.url });
    try {
      const created = await store.create(OWNER, {
        url: 'https://hooks.example/a',
        secret: SECRET,
        modelIds: [],
        providers: ['openrouter'],
        alertsOnly: false,
        includeBackfilled: true,
        replayFrom: new Date(REPLAY_FROM),
      });
      expect(created.replay_request_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.include_backfilled).toBe(true);
      expect(await store.list(OWNER)).toHaveLength(1);
      expect(await store.get(OWNER, created.id)).toMatchObject({ id: created.id });
      expect(await store.get('b'.repeat(64), created.id)).toBeNull();
      const replay = await store.requestReplay(OWNER, created.id, new Date(REPLAY_FROM));
      expect(replay?.replay_request_id).not.toBe(created.replay_request_id);
      expect((await store.disable(OWNER, created.id))?.disabled_at).toBeInstanceOf(Date);
    } finally {
      await store.close();
    }
  });

  it('cannot read a secret back, change a URL or secret, delete, or touch deliveries and prices', async () => {
    await expect(as(admin, 'select secret from webhook_subscriptions')).rejects.toThrow(DENIED);
    await expect(as(admin, 'select * from webhook_subscriptions')).rejects.toThrow(DENIED);
    await expect(as(admin, `update webhook_subscriptions set url = 'https://evil.example/'`)).rejects.toThrow(
      DENIED,
    );
    await expect(as(admin, `update webhook_subscriptions set secret = $1`, [SECRET])).rejects.toThrow(DENIED);
    await expect(as(admin, 'delete from webhook_subscriptions')).rejects.toThrow(DENIED);
    await expect(as(admin, 'select id from webhook_deliveries')).rejects.toThrow(DENIED);
    await expect(
      as(
        admin,
        `insert into webhook_deliveries (subscription_id, event_id, payload) values (gen_random_uuid(), 'x', '{}')`,
      ),
    ).rejects.toThrow(DENIED);
    await expect(as(admin, 'select event_id from price_changes')).rejects.toThrow(DENIED);
    await expect(as(admin, 'select event_id from price_observations')).rejects.toThrow(DENIED);
    await expect(as(admin, 'select model_id from models_catalog')).rejects.toThrow(DENIED);
  });
});

describe('webhook_notifier (services/notifier)', () => {
  it('does everything the notifier needs: subscriptions with secrets, deliveries, a replay from price_changes', async () => {
    const subId = (
      await withClient(db.url, (c) =>
        c.query<{ id: string }>(
          `insert into webhook_subscriptions (url, secret, providers, replay_request_id, replay_from, replay_requested_at)
           values ('https://hooks.example/n', $1, '{google-vertex,openrouter}', gen_random_uuid(), $2, now())
           returning id::text`,
          [SECRET, REPLAY_FROM],
        ),
      )
    ).rows[0]!.id;
    const store = createDeliveryStore({ databaseUrl: notifier.url });
    try {
      expect((await store.activeSubscriptions()).map((s) => s.id)).toContain(subId);
      // The replay reads price_changes and queues deliveries, in one transaction (README §9).
      const replay = await store.replayOne(Date.now());
      expect(replay).toMatchObject({ subscriptionId: subId, matched: 3, queued: 3, skipped: 0 });
      expect(await store.replayOne(Date.now())).toBeNull();
      // The live path: recording, claiming (reads the secret), completing, disabling on a 410.
      expect(
        await store.recordPending(
          [{ subscriptionId: subId, eventId: 'evt-live', payload: '{}' }],
          Date.now(),
        ),
      ).toBe(1);
      const claimed = await store.claimDue(Date.now() + 1000, 10, 60_000);
      expect(claimed.map((d) => d.secret)).toEqual([SECRET, SECRET, SECRET, SECRET]);
      await store.complete(claimed[0]!.id, { status: 'delivered', lastStatus: 200 }, Date.now());
      await store.disableSubscription(subId, Date.now());
    } finally {
      await store.close();
    }
  });

  it('cannot create, re-point or delete subscriptions, delete deliveries, or write or read price history', async () => {
    await expect(
      as(notifier, `insert into webhook_subscriptions (url, secret) values ('https://x.example/', $1)`, [
        SECRET,
      ]),
    ).rejects.toThrow(DENIED);
    await expect(
      as(notifier, `update webhook_subscriptions set url = 'https://evil.example/'`),
    ).rejects.toThrow(DENIED);
    await expect(as(notifier, `update webhook_subscriptions set owner_key_hash = null`)).rejects.toThrow(
      DENIED,
    );
    await expect(as(notifier, 'delete from webhook_subscriptions')).rejects.toThrow(DENIED);
    await expect(as(notifier, 'delete from webhook_deliveries')).rejects.toThrow(DENIED);
    await expect(
      as(
        notifier,
        `insert into price_changes (event_id, run_id, price_key, model_id, source_type, kind, snapshot_date)
                    values ('x', 'r', 'k', 'm', 'openrouter_api', 'new', '2026-08-01')`,
      ),
    ).rejects.toThrow(DENIED);
    await expect(as(notifier, 'select event_id from price_observations')).rejects.toThrow(DENIED);
    await expect(as(notifier, 'select model_id from models_catalog')).rejects.toThrow(DENIED);
    await expect(as(notifier, 'select slug from providers')).rejects.toThrow(DENIED);
  });
});
