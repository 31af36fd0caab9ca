import { classifyFailure, PipelineError, type FailureKind } from '@llmpt/core';
import type { Rows } from '../core/project.ts';

/** What one batch changed: new fact rows, and projection rows inserted or actually modified. */
export interface WriteResult {
  readonly inserted: {
    readonly observations: number;
    readonly changes: number;
    /** migrations/0016: new PriceChangeRetracted records. */
    readonly retractions: number;
    /** migrations/0015: new model metadata versions and sightings. */
    readonly modelVersions: number;
    readonly modelSightings: number;
    /** migrations/0018: the verifier's probes and discrepancies. */
    readonly verifications: number;
    readonly discrepancies: number;
  };
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
  inserted: {
    observations: 0,
    changes: 0,
    retractions: 0,
    modelVersions: 0,
    modelSightings: 0,
    verifications: 0,
    discrepancies: 0,
  },
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

/** The sink's code for each kind of failure in the one table (@llmpt/core FAILURES). */
const SINK_CODES: Readonly<Record<FailureKind, SinkErrorCode>> = {
  unavailable: 'SINK_DB_UNAVAILABLE',
  conflict: 'SINK_DB_CONFLICT',
  // Bad credentials (wrong password, forged or expired key) are the process's, not the batch's: every
  // event would fail alike, so the table says back off and retry until the secret is fixed.
  credentials: 'SINK_DB_AUTH',
  // A missing grant or a migration not applied yet is the deployment's, not the batch's, too: events
  // are checked before they reach the database, so these would refuse every event alike. Stall and
  // retry (loudly) until an operator fixes it, rather than dead-letter the whole stream.
  permission: 'SINK_PERMISSION_DENIED',
  schema: 'SINK_SCHEMA_MISMATCH',
  constraint: 'SINK_CONSTRAINT_VIOLATION',
  invalid_data: 'SINK_INVALID_DATA',
};

/**
 * Sorts a database failure into retriable (the database or the network may come back, or a
 * concurrent transaction won) and final (the batch itself is wrong: retrying gives the same error).
 * `state` is a SQLSTATE, a PostgREST code or a driver/network code; `httpStatus` comes from PostgREST
 * (0: no answer). Whether it is retriable comes from the one table in @llmpt/core; the sink only
 * names the kind with its own code.
 */
export function classifyDbError(
  state: string | undefined,
  httpStatus?: number,
): { code: SinkErrorCode; retriable: boolean } {
  const failure = classifyFailure(state, httpStatus);
  if (failure === undefined) return { code: 'SINK_DB_ERROR', retriable: false };
  return { code: SINK_CODES[failure.kind], retriable: failure.retriable };
}
