// Webhook subscriptions, through a pg pool connected as (a login granted) webhook_admin (migration
// 0014): every column but the secret is readable, the secret only written. Every query names the
// owner: a key reaches only its own subscriptions (README "Keys").
import pg from 'pg';
import type { SubscriptionRecord } from '../core/subscriptions.ts';

export interface NewSubscriptionInput {
  readonly url: string;
  readonly secret: string;
  readonly modelIds: readonly string[];
  readonly providers: readonly string[];
  readonly alertsOnly: boolean;
  readonly includeBackfilled: boolean;
  readonly replayFrom: Date | null;
}

export interface SubscriptionStore {
  create(owner: string, s: NewSubscriptionInput): Promise<SubscriptionRecord>;
  list(owner: string): Promise<SubscriptionRecord[]>;
  /** Null: no such subscription, or another key's. */
  get(owner: string, id: string): Promise<SubscriptionRecord | null>;
  /** Sets disabled_at once (idempotent); null as for get. */
  disable(owner: string, id: string): Promise<SubscriptionRecord | null>;
  /** A new replay request replacing any other; null as for get; the row unchanged when disabled. */
  requestReplay(owner: string, id: string, from: Date): Promise<SubscriptionRecord | null>;
  close(): Promise<void>;
}

const COLUMNS = `id::text, url, model_ids, providers, alerts_only, include_backfilled, created_at, disabled_at,
  replay_request_id::text, replay_from, replay_requested_at, replay_done_at`;

export function createSubscriptionStore(opts: {
  readonly databaseUrl: string;
  readonly poolSize?: number;
  readonly onIdleError?: (err: Error) => void;
}): SubscriptionStore {
  const pool = new pg.Pool({
    connectionString: opts.databaseUrl,
    application_name: 'pricing-api-subscriptions',
    max: opts.poolSize ?? 2,
    connectionTimeoutMillis: 5000,
  });
  pool.on('error', (err) => opts.onIdleError?.(err));
  const one = async (sql: string, params: unknown[]) =>
    (await pool.query<SubscriptionRecord>(sql, params)).rows[0] ?? null;
  return {
    async create(owner, s) {
      const row = await one(
        `insert into public.webhook_subscriptions
           (url, secret, model_ids, providers, alerts_only, include_backfilled, owner_key_hash,
            replay_request_id, replay_from, replay_requested_at)
         values ($1, $2, $3, $4, $5, $8, $6,
                 case when $7::timestamptz is null then null else gen_random_uuid() end,
                 $7::timestamptz, case when $7::timestamptz is null then null else now() end)
         returning ${COLUMNS}`,
        [s.url, s.secret, s.modelIds, s.providers, s.alertsOnly, owner, s.replayFrom, s.includeBackfilled],
      );
      return row!;
    },
    async list(owner) {
      const r = await pool.query<SubscriptionRecord>(
        `select ${COLUMNS} from public.webhook_subscriptions
          where owner_key_hash = $1 order by created_at, id`,
        [owner],
      );
      return r.rows;
    },
    get: (owner, id) =>
      one(`select ${COLUMNS} from public.webhook_subscriptions where owner_key_hash = $1 and id = $2`, [
        owner,
        id,
      ]),
    disable: (owner, id) =>
      one(
        `update public.webhook_subscriptions set disabled_at = coalesce(disabled_at, now())
          where owner_key_hash = $1 and id = $2 returning ${COLUMNS}`,
        [owner, id],
      ),
    requestReplay: (owner, id, from) =>
      one(
        `update public.webhook_subscriptions
            set replay_request_id = case when disabled_at is null then gen_random_uuid() else replay_request_id end,
                replay_from = case when disabled_at is null then $3 else replay_from end,
                replay_requested_at = case when disabled_at is null then now() else replay_requested_at end,
                replay_done_at = case when disabled_at is null then null else replay_done_at end
          where owner_key_hash = $1 and id = $2 returning ${COLUMNS}`,
        [owner, id, from],
      ),
    close: () => pool.end(),
  };
}
