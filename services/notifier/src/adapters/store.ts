import pg from 'pg';
import { PipelineError } from '@llmpt/runtime';
import type { SubscriptionFilter } from '../core/filters.ts';
import type { DeliveryDecision } from '../core/outcome.ts';
import { contentOf, type DeliveryContent } from '../core/payload.ts';
import { pendingDeliveries, type PendingDelivery, type Subscription } from '../core/plan.ts';
import { eventOfStoredChange, replayableEvents, type StoredChange } from '../core/replay.ts';
import {
  deliveryKey,
  gate,
  type GateDecision,
  type Holding,
  type StoredFacts,
  type StoredRetraction,
} from '../core/retractions.ts';

/** A row claimed for one attempt (README §5 step 2); `attempt` already counts it. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly subscriptionId: string;
  readonly eventId: string;
  readonly payload: string;
  readonly attempt: number;
  readonly url: string;
  readonly secret: string;
}

export interface NewSubscription {
  readonly url: string;
  readonly secret: string;
  readonly modelIds?: readonly string[];
  readonly providers?: readonly string[];
  readonly alertsOnly?: boolean;
  readonly includeBackfilled?: boolean;
}

export interface SubscriptionRow extends Subscription {
  readonly url: string;
  readonly createdAt: number;
}

export interface DeliveryStore {
  activeSubscriptions(): Promise<Subscription[]>;
  /** Inserts in one transaction; an existing (subscription, event) is left as it is. Returns rows added. */
  recordPending(rows: readonly PendingDelivery[], now: number): Promise<number>;
  /** README §11 step 1: the enabled subscriptions holding a delivery of each of these change ids. */
  subscriptionsHolding(eventIds: readonly string[]): Promise<Holding[]>;
  /**
   * README §5 step 2 and §11 steps 2-3, in one transaction: claims due rows, checks each against the
   * stored retractions and versions in force; returns the rows to attempt now (counted and leased),
   * leaves the others pending for `leaseMs` or closes them unsent.
   */
  claimDue(now: number, limit: number, leaseMs: number): Promise<ClaimedDelivery[]>;
  complete(id: string, decision: DeliveryDecision, now: number): Promise<void>;
  disableSubscription(id: string, now: number): Promise<void>;
  addSubscription(s: NewSubscription): Promise<string>;
  listSubscriptions(): Promise<SubscriptionRow[]>;
  /**
   * README §9: picks one pending replay request (skipping those another replica holds) and, in one
   * transaction, queues its matching stored changes as pending deliveries and marks it done.
   * Null when there is no pending request.
   */
  replayOne(now: number): Promise<ReplayResult | null>;
  close(): Promise<void>;
}

/** What one replay request did (README §9). */
export interface ReplayResult {
  readonly subscriptionId: string;
  readonly requestId: string;
  /** Stored changes at or after `from` that passed the filters. */
  readonly matched: number;
  /** Of those, deliveries newly queued (the rest existed: delivered live or by an earlier replay). */
  readonly queued: number;
  /** Stored changes at or after `from` without occurred_at (before migration 0013): not sent. */
  readonly skipped: number;
}

/** A database failure is transient (retried, offsets not committed) unless it is a refused row. */
export class DeliveryStoreError extends PipelineError {
  constructor(message: string, cause: unknown) {
    const sqlState = (cause as { code?: unknown } | null)?.code;
    const refused = typeof sqlState === 'string' && /^(22|23)/.test(sqlState);
    super('NOTIFIER_DB', message, {
      retriable: !refused,
      cause,
      ...(typeof sqlState === 'string' ? { sqlState } : {}),
    });
  }
}

/** A due delivery with what attempting it needs: its subscription's target, secret and filters. */
interface DueRow {
  id: string;
  subscription_id: string;
  event_id: string;
  payload: string;
  url: string;
  secret: string;
  model_ids: string[];
  providers: string[];
  alerts_only: boolean;
  include_backfilled: boolean;
}

const filterOf = (r: DueRow): SubscriptionFilter => ({
  modelIds: r.model_ids,
  providers: r.providers,
  alertsOnly: r.alerts_only,
  includeBackfilled: r.include_backfilled,
  disabledAt: null,
});

/** The change a delivery is about: its own event id, or the one a retraction names. */
const changeIdOf = (c: DeliveryContent): string | null =>
  c.kind === 'change' ? c.event.event_id : c.kind === 'retraction' ? c.record.retracted_event_id : null;

const STORED_CHANGE_COLUMNS = `event_id, run_id, caused_by,
  (extract(epoch from occurred_at) * 1000)::float8 as occurred_at,
  price_key, model_id, provider, source_type, kind, changes,
  (extract(epoch from previous_observed_at) * 1000)::float8 as previous_observed_at,
  (extract(epoch from current_observed_at) * 1000)::float8 as current_observed_at,
  snapshot_date::text as snapshot_date, alert, alert_threshold::text as alert_threshold,
  expiration_date, backfilled`;

/**
 * README §11: the stored records and versions in force of the changes the due rows are about, and,
 * for the retractions among them, the attempts of each subscription's delivery of the change.
 */
async function storedFacts(
  client: pg.PoolClient,
  rows: readonly { row: DueRow; content: DeliveryContent }[],
): Promise<StoredFacts> {
  const ids = [...new Set(rows.map((r) => changeIdOf(r.content)).filter((id) => id !== null))];
  const retractions = rows.flatMap(({ row, content }) =>
    content.kind === 'retraction' ? [{ subscriptionId: row.subscription_id, record: content.record }] : [],
  );
  if (ids.length === 0) return { records: [], inForce: [], attempts: new Map() };
  const records = await client.query<StoredRetraction>(
    `select event_id, retracted_event_id, retracted_digest, retracted, revision::float8 as revision,
            (extract(epoch from inserted_at) * 1000)::float8 as stored_at
       from price_change_retractions
      where retracted_event_id = any($1::text[]) or event_id = any($2::text[])`,
    [ids, retractions.map((r) => r.record.event_id)],
  );
  // The versions in force matter only when something is retracted or a retraction is due.
  if (records.rows.length === 0) return { records: [], inForce: [], attempts: new Map() };
  const inForce = await client.query<StoredChange & { digest: string | null }>(
    `select ${STORED_CHANGE_COLUMNS}, digest from price_changes_in_force where event_id = any($1::text[])`,
    [ids],
  );
  const attempts = await client.query<{ subscription_id: string; event_id: string; attempts: number }>(
    `select d.subscription_id::text, d.event_id, d.attempts
       from unnest($1::uuid[], $2::text[]) as t(s, e)
       join webhook_deliveries d on d.subscription_id = t.s and d.event_id = t.e`,
    [retractions.map((r) => r.subscriptionId), retractions.map((r) => r.record.retracted_event_id)],
  );
  return {
    records: records.rows,
    inForce: inForce.rows.map((v) => ({
      eventId: v.event_id,
      digest: v.digest,
      event: v.occurred_at === null ? null : eventOfStoredChange({ ...v, occurred_at: v.occurred_at }),
    })),
    attempts: new Map(attempts.rows.map((a) => [deliveryKey(a.subscription_id, a.event_id), a.attempts])),
  };
}

/**
 * Writes what the check decided: a row to attempt is counted and leased (with the bytes it is sent
 * with, README §11 step 2), a row to wait is looked at again after the lease, a row not to send is
 * closed with its reason. Returns the rows to attempt, in the claim's order.
 */
async function applyDecisions(
  client: pg.PoolClient,
  decided: readonly { row: DueRow; decision: GateDecision }[],
  now: number,
  leaseMs: number,
): Promise<ClaimedDelivery[]> {
  const send = decided.flatMap(({ row, decision }) =>
    decision.action === 'send' ? [{ row, payload: decision.payload }] : [],
  );
  const wait = decided.filter((d) => d.decision.action === 'wait').map((d) => d.row.id);
  const close = decided.flatMap(({ row, decision }) =>
    decision.action === 'close' ? [{ id: row.id, reason: decision.reason }] : [],
  );
  const leasedUntil = now + leaseMs;
  const counted =
    send.length === 0
      ? []
      : (
          await client.query<{ id: string; attempts: number }>(
            `update webhook_deliveries d
                set attempts = d.attempts + 1, payload = t.p,
                    next_attempt_at = to_timestamp($3::double precision / 1000)
               from unnest($1::bigint[], $2::text[]) as t(id, p)
              where d.id = t.id
          returning d.id::text, d.attempts`,
            [send.map((x) => x.row.id), send.map((x) => x.payload), leasedUntil],
          )
        ).rows;
  if (wait.length > 0)
    await client.query(
      `update webhook_deliveries set next_attempt_at = to_timestamp($2::double precision / 1000)
        where id = any($1::bigint[])`,
      [wait, leasedUntil],
    );
  if (close.length > 0)
    await client.query(
      `update webhook_deliveries d set status = 'dead', last_error = t.reason
         from unnest($1::bigint[], $2::text[]) as t(id, reason)
        where d.id = t.id`,
      [close.map((c) => c.id), close.map((c) => c.reason)],
    );
  const attemptOf = new Map(counted.map((c) => [c.id, c.attempts]));
  return send.map(({ row, payload }) => ({
    id: row.id,
    subscriptionId: row.subscription_id,
    eventId: row.event_id,
    payload,
    attempt: attemptOf.get(row.id)!,
    url: row.url,
    secret: row.secret,
  }));
}

interface SubscriptionDbRow {
  id: string;
  url: string;
  model_ids: string[];
  providers: string[];
  alerts_only: boolean;
  include_backfilled: boolean;
  created_at: Date;
  disabled_at: Date | null;
}

const toSubscription = (r: SubscriptionDbRow): SubscriptionRow => ({
  id: r.id,
  url: r.url,
  modelIds: r.model_ids,
  providers: r.providers,
  alertsOnly: r.alerts_only,
  includeBackfilled: r.include_backfilled,
  createdAt: r.created_at.getTime(),
  disabledAt: r.disabled_at?.getTime() ?? null,
});

export function createDeliveryStore(opts: {
  readonly databaseUrl: string;
  readonly applicationName?: string;
}): DeliveryStore {
  const pool = new pg.Pool({
    connectionString: opts.databaseUrl,
    application_name: opts.applicationName ?? 'pricing-notifier',
    max: 4,
  });
  const q = async <R extends pg.QueryResultRow>(what: string, sql: string, params: unknown[] = []) => {
    try {
      return await pool.query<R>(sql, params);
    } catch (err) {
      throw new DeliveryStoreError(`${what} failed: ${(err as Error).message}`, err);
    }
  };
  const subscriptionColumns =
    'id, url, model_ids, providers, alerts_only, include_backfilled, created_at, disabled_at';
  return {
    async activeSubscriptions() {
      const r = await q<SubscriptionDbRow>(
        'reading subscriptions',
        `select ${subscriptionColumns} from webhook_subscriptions where disabled_at is null order by created_at, id`,
      );
      return r.rows.map(toSubscription);
    },
    async recordPending(rows, now) {
      if (rows.length === 0) return 0;
      // One statement is one transaction: the batch's rows land together or not at all.
      const r = await q(
        'recording pending deliveries',
        `insert into webhook_deliveries (subscription_id, event_id, payload, next_attempt_at)
         select s, e, p, to_timestamp($4::double precision / 1000)
         from unnest($1::uuid[], $2::text[], $3::text[]) as t(s, e, p)
         on conflict (subscription_id, event_id) do nothing`,
        [rows.map((x) => x.subscriptionId), rows.map((x) => x.eventId), rows.map((x) => x.payload), now],
      );
      return r.rowCount ?? 0;
    },
    async subscriptionsHolding(eventIds) {
      if (eventIds.length === 0) return [];
      const r = await q<{ subscription_id: string; event_id: string }>(
        'reading the subscriptions holding a change',
        `select d.subscription_id::text, d.event_id
           from webhook_subscriptions s
           join webhook_deliveries d on d.subscription_id = s.id and d.event_id = any($1::text[])
          where s.disabled_at is null
          order by s.created_at, s.id, d.event_id`,
        [eventIds],
      );
      return r.rows.map((x) => ({ subscriptionId: x.subscription_id, eventId: x.event_id }));
    },
    async claimDue(now, limit, leaseMs) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw new DeliveryStoreError(`claiming due deliveries: ${(err as Error).message}`, err);
      }
      try {
        await client.query('begin');
        const due = await client.query<DueRow>(
          `select d.id::text, d.subscription_id::text, d.event_id, d.payload, s.url, s.secret,
                  s.model_ids, s.providers, s.alerts_only, s.include_backfilled
             from webhook_deliveries d
             join webhook_subscriptions s on s.id = d.subscription_id and s.disabled_at is null
            where d.status = 'pending' and d.next_attempt_at <= to_timestamp($1::double precision / 1000)
            order by d.next_attempt_at, d.id
            limit $2
            for update of d skip locked`,
          [now, limit],
        );
        const rows = due.rows.map((row) => ({ row, content: contentOf(row.payload) }));
        const facts = await storedFacts(client, rows);
        const decided = rows.map(({ row, content }) => ({
          row,
          decision: gate(
            { subscriptionId: row.subscription_id, payload: row.payload, content },
            filterOf(row),
            facts,
            now,
            leaseMs,
          ),
        }));
        const claimed = await applyDecisions(client, decided, now, leaseMs);
        await client.query('commit');
        return claimed;
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw new DeliveryStoreError(`claiming due deliveries: ${(err as Error).message}`, err);
      } finally {
        client.release();
      }
    },
    async complete(id, d, now) {
      await q(
        'recording a delivery outcome',
        `update webhook_deliveries
            set status = $2, last_status = $3, last_error = $4,
                next_attempt_at = coalesce(to_timestamp($5::double precision / 1000), next_attempt_at),
                delivered_at = case when $2 = 'delivered' then to_timestamp($6::double precision / 1000) end
          where id = $1`,
        [
          id,
          d.status,
          d.lastStatus,
          d.status === 'delivered' ? null : d.reason,
          d.status === 'pending' ? d.nextAttemptAt : null,
          now,
        ],
      );
    },
    async disableSubscription(id, now) {
      await q(
        'disabling a subscription',
        `update webhook_subscriptions set disabled_at = to_timestamp($2::double precision / 1000)
          where id = $1 and disabled_at is null`,
        [id, now],
      );
    },
    async addSubscription(s) {
      const r = await q<{ id: string }>(
        'adding a subscription',
        `insert into webhook_subscriptions (url, secret, model_ids, providers, alerts_only, include_backfilled)
         values ($1, $2, $3, $4, $5, $6) returning id::text`,
        [
          s.url,
          s.secret,
          s.modelIds ?? [],
          s.providers ?? [],
          s.alertsOnly ?? false,
          s.includeBackfilled ?? false,
        ],
      );
      return r.rows[0]!.id;
    },
    async listSubscriptions() {
      const r = await q<SubscriptionDbRow>(
        'listing subscriptions',
        `select ${subscriptionColumns} from webhook_subscriptions order by created_at, id`,
      );
      return r.rows.map(toSubscription);
    },
    async replayOne(now) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw new DeliveryStoreError(`replaying: ${(err as Error).message}`, err);
      }
      try {
        await client.query('begin');
        const picked = await client.query<SubscriptionDbRow & { request_id: string; from_ms: number }>(
          `select ${subscriptionColumns}, replay_request_id::text as request_id,
                  (extract(epoch from replay_from) * 1000)::float8 as from_ms
             from webhook_subscriptions
            where replay_request_id is not null and replay_done_at is null and disabled_at is null
            order by replay_requested_at, id
            limit 1
            for update skip locked`,
        );
        const sub = picked.rows[0];
        if (!sub) {
          await client.query('rollback');
          return null;
        }
        const rows = await client.query<StoredChange>(
          `select ${STORED_CHANGE_COLUMNS}
             from price_changes_in_force
            where coalesce(current_observed_at, snapshot_date::timestamp at time zone 'UTC')
                  >= to_timestamp($1::double precision / 1000)
            order by coalesce(current_observed_at, snapshot_date::timestamp at time zone 'UTC'), event_id`,
          [sub.from_ms],
        );
        const { events, skipped } = replayableEvents(rows.rows);
        const pending = pendingDeliveries(events, [toSubscription(sub)]);
        const inserted = await client.query(
          `insert into webhook_deliveries (subscription_id, event_id, payload, next_attempt_at)
           select s, e, p, to_timestamp($4::double precision / 1000)
           from unnest($1::uuid[], $2::text[], $3::text[]) as t(s, e, p)
           on conflict (subscription_id, event_id) do nothing`,
          [
            pending.map((x) => x.subscriptionId),
            pending.map((x) => x.eventId),
            pending.map((x) => x.payload),
            now,
          ],
        );
        await client.query(
          `update webhook_subscriptions set replay_done_at = to_timestamp($3::double precision / 1000)
            where id = $1 and replay_request_id = $2::uuid`,
          [sub.id, sub.request_id, now],
        );
        await client.query('commit');
        return {
          subscriptionId: sub.id,
          requestId: sub.request_id,
          matched: pending.length,
          queued: inserted.rowCount ?? 0,
          skipped,
        };
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw new DeliveryStoreError(`replaying: ${(err as Error).message}`, err);
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
