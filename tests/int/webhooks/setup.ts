// Shared by tests/int/webhooks: a fresh database holding stored price changes (written by the real
// sink projection and store, as the pipeline writes them), and logins granted the roles of migration
// 0014, as a deployment creates them.
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import type { DecodedEvent, PriceChanged } from '@llmpt/schemas';
import { samples } from '@llmpt/schemas/samples';
import { createPostgresStore, project } from '@llmpt/sink';
import { withClient, withDatabase, type FreshDatabase } from '@llmpt/testkit';

// anthropic/claude-sonnet-4 on google-vertex, alert true, learned live (the sample is backfilled).
const base: PriceChanged = { ...samples.PriceChanged, backfilled: false };
const HOUR = 3_600_000;

/** A change of `base` at `t` (current_observed_at), occurred 1.3 s later, with its own id. */
export function changeAt(id: string, t: number, over: Partial<PriceChanged> = {}): PriceChanged {
  return {
    ...base,
    event_id: id,
    occurred_at: t + 1300,
    current_observed_at: t,
    previous_observed_at: t - 24 * HOUR,
    snapshot_date: new Date(t).toISOString().slice(0, 10),
    ...over,
  };
}

export const T0 = Date.parse('2026-08-01T06:00:00Z');

/**
 * Five stored changes: one before `REPLAY_FROM`, four at or after it; the subscription of the tests
 * (providers google-vertex and openrouter) matches three of those four.
 */
export const REPLAY_FROM = '2026-08-02T00:00:00Z';
export const stored = {
  before: changeAt('evt-before', T0),
  vertex: changeAt('evt-vertex', T0 + 2 * 24 * HOUR),
  routed: changeAt('evt-routed', T0 + 3 * 24 * HOUR, {
    price_key: 'openai/gpt-4o||openrouter_api',
    model_id: 'openai/gpt-4o',
    provider: null,
    source_type: 'openrouter_api',
    alert: false,
  }),
  other: changeAt('evt-anthropic', T0 + 3 * 24 * HOUR + 5, { provider: 'anthropic' }),
  // A removal has no current observation: it takes effect at its snapshot date's UTC midnight.
  removed: changeAt('evt-removed', T0 + 5 * 24 * HOUR, {
    kind: 'removed',
    changes: [],
    current_observed_at: null,
    snapshot_date: '2026-08-07',
    alert: false,
  }),
} satisfies Record<string, PriceChanged>;
/** What the subscription of the tests must get from a replay from REPLAY_FROM, in order. */
export const expectedReplay = [stored.vertex, stored.routed, stored.removed];

/** Writes the changes through the sink's projection and store (the pipeline's own writer). */
export async function storeChanges(db: FreshDatabase, events: readonly PriceChanged[]): Promise<void> {
  await storeEvents(
    db,
    events.map((event) => ({ name: 'PriceChanged' as const, event })),
  );
}

/** Writes any events (changes, retractions) through the sink's projection and store. */
export async function storeEvents(db: FreshDatabase, events: readonly DecodedEvent[]): Promise<void> {
  const store = createPostgresStore({ databaseUrl: db.url, logger: pino({ level: 'silent' }) });
  try {
    await store.writeBatch(project(events));
  } finally {
    await store.close();
  }
}

export interface Login {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** A login granted `role` (the deployment's way), and its connection string to `db`. */
export async function loginWith(
  db: FreshDatabase,
  role: 'webhook_admin' | 'webhook_notifier',
): Promise<Login> {
  const name = `${role}_t_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  await withClient(db.url, (c) =>
    c.query(`create role ${name} login password '${password}' in role ${role}`),
  );
  const url = new URL(db.url);
  url.username = name;
  url.password = password;
  return {
    name,
    url: url.toString(),
    drop: () =>
      withClient(withDatabase(db.url, 'postgres'), (c) => c.query(`drop role if exists ${name}`)).then(
        () => undefined,
      ),
  };
}
