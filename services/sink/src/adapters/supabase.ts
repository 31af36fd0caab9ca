import { createClient, type PostgrestError, type SupabaseClientOptions } from '@supabase/supabase-js';
import ws from 'ws';
import { ConfigError } from '@llmpt/core';
import type { Logger } from '@llmpt/runtime';
import { ROW_LISTS, type Rows } from '../core/project.ts';
import {
  classifyDbError,
  emptyWriteResult,
  SinkStoreError,
  type PriceStore,
  type WriteResult,
} from './store.ts';

/**
 * The store for deployments that reach the database only through Supabase's REST API (supabase-js
 * over PostgREST, service role key). PostgREST has no multi-statement transaction, so each call goes
 * to the SQL function `public.sink_write_batch(payload jsonb)` (migrations/0006, redefined up to 0016),
 * which runs the same statements as the postgres adapter in the one transaction of that request.
 *
 * Atomicity: a batch of at most `chunkSize` rows (all tables together) is one call, so it lands
 * whole or not at all. A larger batch is split into several calls, each atomic on its own: when one
 * fails, the earlier ones stay. That is safe because every write is idempotent (facts keyed by
 * event id, projections merged with least/greatest): retrying the whole batch converges to the same
 * rows, and Kafka offsets are committed only after writeBatch resolves.
 */

export interface SupabaseStoreOptions {
  readonly url: string;
  readonly serviceRoleKey: string;
  readonly logger?: Logger;
  /** Rows per request (all tables together); PostgREST statement timeouts favour 100–500. */
  readonly chunkSize?: number;
  /** For tests or custom transports. */
  readonly fetch?: typeof fetch;
}

type Transport = NonNullable<NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']>;

/** The part of supabase-js this store uses. */
interface RpcClient {
  rpc(fn: string, args: object): PromiseLike<{ data: unknown; error: PostgrestError | null; status: number }>;
  removeAllChannels(): Promise<unknown>;
}

export function createSupabaseStore(opts: SupabaseStoreOptions): PriceStore {
  if (!/^https?:\/\//.test(opts.url))
    throw new ConfigError('createSupabaseStore: url must be http(s):// (SUPABASE_URL)');
  if (opts.serviceRoleKey.length === 0)
    throw new ConfigError('createSupabaseStore: serviceRoleKey is empty (SUPABASE_SERVICE_ROLE_KEY)');
  const chunkSize = opts.chunkSize ?? 500;
  if (!Number.isInteger(chunkSize) || chunkSize < 1)
    throw new ConfigError('createSupabaseStore: chunkSize must be a positive integer');

  const client: RpcClient = createClient(opts.url, opts.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    // Node 20 has no global WebSocket: supabase-js throws at createClient without a transport.
    realtime: { transport: ws as unknown as Transport },
    ...(opts.fetch ? { global: { fetch: opts.fetch } } : {}),
  });

  return {
    async writeBatch(rows: Rows): Promise<WriteResult> {
      let total = emptyWriteResult;
      for (const payload of chunkRows(rows, chunkSize)) {
        const part = await callWriteBatch(client, payload);
        total = addResults(total, part);
      }
      opts.logger?.debug({ result: total }, 'sink batch written through PostgREST');
      return total;
    },
    async close(): Promise<void> {
      // Nothing is pooled over HTTP; drop realtime sockets in case anything opened one.
      await client.removeAllChannels();
    },
  };
}

/** The status supabase-js reports when no HTTP answer came back. */
const NO_ANSWER = 0;

async function callWriteBatch(client: RpcClient, payload: Rows): Promise<WriteResult> {
  let response: Awaited<ReturnType<RpcClient['rpc']>>;
  try {
    response = await client.rpc('sink_write_batch', { payload });
  } catch (err) {
    // fetch itself failed (refused, reset, DNS): no answer at all, like status 0; the API may come back.
    const { code, retriable } = classifyDbError(undefined, NO_ANSWER);
    throw new SinkStoreError(code, `supabase store: request failed: ${String(err)}`, {
      retriable,
      cause: err,
    });
  }
  const { data, error, status } = response;
  if (error) {
    // supabase-js reports network failures as an error with an empty code and status 0 (no answer).
    const state = error.code === '' ? undefined : error.code;
    const { code, retriable } = classifyDbError(state, status);
    const detail = error.details ? ` (${error.details})` : '';
    throw new SinkStoreError(
      code,
      `supabase store: sink_write_batch failed (HTTP ${status}): ${error.message}${detail}`,
      {
        retriable,
        ...(state === undefined ? {} : { sqlState: state }),
        cause: error,
      },
    );
  }
  return parseResult(data);
}

/** Splits rows into payloads of at most `size` rows in all, tables in the adapters' fixed order. */
export function chunkRows(rows: Rows, size: number): Rows[] {
  const out: Rows[] = [];
  let current: Record<(typeof ROW_LISTS)[number], unknown[]> = emptyChunk();
  let count = 0;
  for (const table of ROW_LISTS) {
    for (const row of rows[table]) {
      if (count === size) {
        out.push(current as unknown as Rows);
        current = emptyChunk();
        count = 0;
      }
      current[table].push(row);
      count += 1;
    }
  }
  if (count > 0) out.push(current as unknown as Rows);
  return out;
}

function emptyChunk(): Record<(typeof ROW_LISTS)[number], unknown[]> {
  return Object.fromEntries(ROW_LISTS.map((list) => [list, []])) as unknown as Record<
    (typeof ROW_LISTS)[number],
    unknown[]
  >;
}

function parseResult(data: unknown): WriteResult {
  const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));
  const d = (data ?? {}) as {
    inserted?: {
      observations?: unknown;
      changes?: unknown;
      retractions?: unknown;
      modelVersions?: unknown;
      modelSightings?: unknown;
      verifications?: unknown;
      discrepancies?: unknown;
    };
    upserted?: { providers?: unknown; models?: unknown; modelProviders?: unknown };
  };
  return {
    inserted: {
      observations: num(d.inserted?.observations),
      changes: num(d.inserted?.changes),
      retractions: num(d.inserted?.retractions),
      modelVersions: num(d.inserted?.modelVersions),
      modelSightings: num(d.inserted?.modelSightings),
      verifications: num(d.inserted?.verifications),
      discrepancies: num(d.inserted?.discrepancies),
    },
    upserted: {
      providers: num(d.upserted?.providers),
      models: num(d.upserted?.models),
      modelProviders: num(d.upserted?.modelProviders),
    },
  };
}

function addResults(a: WriteResult, b: WriteResult): WriteResult {
  return {
    inserted: {
      observations: a.inserted.observations + b.inserted.observations,
      changes: a.inserted.changes + b.inserted.changes,
      retractions: a.inserted.retractions + b.inserted.retractions,
      modelVersions: a.inserted.modelVersions + b.inserted.modelVersions,
      modelSightings: a.inserted.modelSightings + b.inserted.modelSightings,
      verifications: a.inserted.verifications + b.inserted.verifications,
      discrepancies: a.inserted.discrepancies + b.inserted.discrepancies,
    },
    upserted: {
      providers: a.upserted.providers + b.upserted.providers,
      models: a.upserted.models + b.upserted.models,
      modelProviders: a.upserted.modelProviders + b.upserted.modelProviders,
    },
  };
}
