import { PipelineError } from '@llmpt/runtime';
import type { Rows } from '../core/project.ts';

/** What one batch changed: new fact rows, and projection rows inserted or actually modified. */
export interface WriteResult {
  readonly inserted: { readonly observations: number; readonly changes: number };
  readonly upserted: { readonly providers: number; readonly models: number; readonly modelProviders: number };
}

/**
 * Where the sink's rows go. Implementations are idempotent (a replayed batch changes nothing and
 * counts zero) and converge whatever the order of batches. A failure is thrown as a `SinkStoreError`
 * whose `retriable` flag tells the caller to back off and retry the batch, or to stop: the caller
 * commits Kafka offsets only after writeBatch resolves.
 */
export interface PriceStore {
  writeBatch(rows: Rows): Promise<WriteResult>;
  close(): Promise<void>;
}

export const emptyWriteResult: WriteResult = {
  inserted: { observations: 0, changes: 0 },
  upserted: { providers: 0, models: 0, modelProviders: 0 },
};

/**
 * A failed batch write. `code` is stable (alerts and dead letters key on it); `sqlState` keeps the
 * database's own code when there is one. Nothing of the batch was written when the adapter promises
 * one transaction per batch (see each adapter for its atomicity).
 */
export class SinkStoreError extends PipelineError {
  constructor(
    code: SinkErrorCode,
    message: string,
    opts: { retriable: boolean; sqlState?: string; cause?: unknown },
  ) {
    super(code, message, opts);
  }
}

export type SinkErrorCode =
  | 'SINK_DB_UNAVAILABLE'
  | 'SINK_DB_AUTH'
  | 'SINK_DB_CONFLICT'
  | 'SINK_CONSTRAINT_VIOLATION'
  | 'SINK_INVALID_DATA'
  | 'SINK_PERMISSION_DENIED'
  | 'SINK_SCHEMA_MISMATCH'
  | 'SINK_DB_ERROR';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);

/**
 * Sorts a database failure into retriable (the database or the network may come back, or a
 * concurrent transaction won) and final (the batch itself is wrong: retrying gives the same error).
 * `state` is a SQLSTATE or a driver/network code; `httpStatus` comes from PostgREST.
 */
export function classifyDbError(
  state: string | undefined,
  httpStatus?: number,
): { code: SinkErrorCode; retriable: boolean } {
  const s = state ?? '';
  if (
    NETWORK_CODES.has(s) ||
    s.startsWith('08') ||
    s.startsWith('53') ||
    ['57P01', '57P02', '57P03'].includes(s)
  )
    return { code: 'SINK_DB_UNAVAILABLE', retriable: true };
  // PostgREST could not reach or use its database connection.
  if (['PGRST000', 'PGRST001', 'PGRST002', 'PGRST003'].includes(s))
    return { code: 'SINK_DB_UNAVAILABLE', retriable: true };
  if (['40001', '40P01', '55P03', '57014'].includes(s)) return { code: 'SINK_DB_CONFLICT', retriable: true };
  if (s.startsWith('23')) return { code: 'SINK_CONSTRAINT_VIOLATION', retriable: false };
  if (s.startsWith('22')) return { code: 'SINK_INVALID_DATA', retriable: false };
  // Bad credentials (wrong password, forged or expired key) are the process's, not the batch's: every
  // event would fail alike, so back off and retry until the secret is fixed, never dead-letter.
  if (s.startsWith('28') || s === 'PGRST301' || s === 'PGRST302')
    return { code: 'SINK_DB_AUTH', retriable: true };
  // A missing grant or a migration not applied yet is the deployment's, not the batch's, too: events
  // are checked before they reach the database, so these would refuse every event alike. Stall and
  // retry (loudly) until an operator fixes it, rather than dead-letter the whole stream.
  if (s === '42501') return { code: 'SINK_PERMISSION_DENIED', retriable: true };
  if (s.startsWith('42') || s === 'PGRST202' || s === 'PGRST204' || s === 'PGRST205')
    return { code: 'SINK_SCHEMA_MISMATCH', retriable: true };
  if (
    httpStatus !== undefined &&
    (httpStatus >= 500 || httpStatus === 408 || httpStatus === 429) &&
    !/^[0-9A-Z]{5}$/.test(s)
  )
    return { code: 'SINK_DB_UNAVAILABLE', retriable: true };
  return { code: 'SINK_DB_ERROR', retriable: false };
}
