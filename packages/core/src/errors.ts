/**
 * One error hierarchy for every stage: a stable `code` that logs, metrics and dead letters can key on,
 * and a `retriable` flag that decides between backoff (transient: broker, network, database down) and
 * the dead-letter topic (poison input). Programmer errors (TypeError...) are not PipelineErrors and are
 * never retried.
 */
export class PipelineError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  /** The HTTP status a source answered, when the error is an HTTP answer. */
  readonly status: number | undefined;
  /** The database's SQLSTATE, when the error comes from Postgres. */
  readonly sqlState: string | undefined;

  constructor(code: string, message: string, opts: PipelineErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = opts.retriable ?? false;
    this.status = opts.status;
    this.sqlState = opts.sqlState;
  }
}

export interface PipelineErrorOptions {
  readonly retriable?: boolean;
  readonly cause?: unknown;
  readonly status?: number;
  readonly sqlState?: string;
}

/** Bad configuration: the process cannot start. The message names the variable and how to fix it. */
export class ConfigError extends PipelineError {
  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
}

/** Input that will never succeed however often it is retried: it goes to the dead-letter topic. */
export class PoisonInputError extends PipelineError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { retriable: false, cause });
  }
}

/** A dependency that may come back: retry with backoff. */
export class TransientError extends PipelineError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { retriable: true, cause });
  }
}

// ---- Retriable or not ---------------------------------------------------------------------------
//
// The rule (errors.unit.test.ts is written from it). A failure is retriable when it is the
// environment's, not the input's: the same input may succeed later (the network, the broker or the
// database comes back, a concurrent transaction finishes, an operator fixes a secret, a grant or a
// migration), so the caller backs off and retries and never dead-letters it. A failure of the input
// fails the same way every time: it is poison, and goes to the dead-letter topic.
//
//   1. A PipelineError says it itself: its `retriable`, set where it was made (TransientError yes,
//      PoisonInputError and ConfigError no).
//   2. An error carrying a boolean `retriable` is taken at its word (kafkajs marks its own errors so).
//   3. Otherwise its `code` is looked up in FAILURES: the exact code first, then the SQLSTATE class
//      (the first two characters of a five-character SQLSTATE). The row says whether it is retriable.
//   4. A SQLSTATE the table does not list is not retriable: the database named a problem of the input
//      or of the statement. Without a SQLSTATE, an HTTP `status` of 0 (no answer at all), 408, 429 or
//      5xx is retriable (the server is away or busy).
//   5. Anything else is not retriable: a TypeError, an unknown Error, a value that is not an error.
//      A programmer error is never retried.
//
//   code or class                   from        kind          retriable  why
//   ECONNREFUSED ECONNRESET ETIMEDOUT
//   EPIPE EAI_AGAIN ENOTFOUND
//   EHOSTUNREACH                    node errno  unavailable   yes        the peer or the network is down
//   08xxx                           Postgres    unavailable   yes        connection exception
//   53xxx (53300 too many conn.)    Postgres    unavailable   yes        insufficient resources
//   57P01 57P02 57P03               Postgres    unavailable   yes        shut down, crashed, starting up
//   PGRST000 PGRST001 PGRST002
//   PGRST003                        PostgREST   unavailable   yes        its database connection is away
//   40001 40P01                     Postgres    conflict      yes        serialization failure, deadlock
//   55P03 57014                     Postgres    conflict      yes        lock not available, timeout
//   28xxx PGRST301 PGRST302         Pg, PgREST  credentials   yes        the process's secret: every input fails alike
//   42501                           Postgres    permission    yes        a missing grant: the deployment's
//   42xxx PGRST202 PGRST204
//   PGRST205                        Pg, PgREST  schema        yes        a migration not applied: the deployment's
//   23xxx                           Postgres    constraint    no         the input breaks a constraint
//   22xxx                           Postgres    invalid_data  no         the input is not valid data
//   (HTTP 0, 408, 429, 5xx)         HTTP        unavailable   yes        no answer, or the server is busy

/** What a failure code says about the failure; callers map it to their own codes (the sink's SINK_*). */
export type FailureKind =
  'unavailable' | 'conflict' | 'credentials' | 'permission' | 'schema' | 'constraint' | 'invalid_data';

export interface FailureRow {
  /** Exact codes (errno, SQLSTATE, PostgREST), or SQLSTATE classes (two characters) when `sqlClass`. */
  readonly codes: readonly string[];
  readonly sqlClass?: true;
  readonly from: 'errno' | 'postgres' | 'postgrest';
  readonly kind: FailureKind;
  readonly retriable: boolean;
}

/** The one table of failure codes (the rule above). Exact codes win over SQLSTATE classes. */
export const FAILURES: readonly FailureRow[] = [
  {
    codes: ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH'],
    from: 'errno',
    kind: 'unavailable',
    retriable: true,
  },
  { codes: ['08', '53'], sqlClass: true, from: 'postgres', kind: 'unavailable', retriable: true },
  { codes: ['57P01', '57P02', '57P03'], from: 'postgres', kind: 'unavailable', retriable: true },
  {
    codes: ['PGRST000', 'PGRST001', 'PGRST002', 'PGRST003'],
    from: 'postgrest',
    kind: 'unavailable',
    retriable: true,
  },
  { codes: ['40001', '40P01', '55P03', '57014'], from: 'postgres', kind: 'conflict', retriable: true },
  { codes: ['28'], sqlClass: true, from: 'postgres', kind: 'credentials', retriable: true },
  { codes: ['PGRST301', 'PGRST302'], from: 'postgrest', kind: 'credentials', retriable: true },
  { codes: ['42501'], from: 'postgres', kind: 'permission', retriable: true },
  { codes: ['42'], sqlClass: true, from: 'postgres', kind: 'schema', retriable: true },
  { codes: ['PGRST202', 'PGRST204', 'PGRST205'], from: 'postgrest', kind: 'schema', retriable: true },
  { codes: ['23'], sqlClass: true, from: 'postgres', kind: 'constraint', retriable: false },
  { codes: ['22'], sqlClass: true, from: 'postgres', kind: 'invalid_data', retriable: false },
];

const SQLSTATE = /^[0-9A-Z]{5}$/;

const exactCodes = new Map<string, FailureRow>();
const sqlClasses = new Map<string, FailureRow>();
for (const row of FAILURES) {
  for (const code of row.codes) {
    const index = row.sqlClass ? sqlClasses : exactCodes;
    if (index.has(code)) throw new Error(`FAILURES lists ${code} twice`);
    index.set(code, row);
  }
}

/** Whether an HTTP status means the server is away or busy (0: no answer at all). Rule 4. */
export function isRetriableStatus(status: number): boolean {
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

/**
 * What the table says of a failure code (an errno, a SQLSTATE, a PostgREST code) and, without a
 * SQLSTATE, of an HTTP status (rules 3 and 4); undefined when the table does not know it.
 */
export function classifyFailure(
  code: string | undefined,
  status?: number,
): { readonly kind: FailureKind; readonly retriable: boolean } | undefined {
  if (code !== undefined) {
    const row = exactCodes.get(code) ?? (SQLSTATE.test(code) ? sqlClasses.get(code.slice(0, 2)) : undefined);
    if (row) return { kind: row.kind, retriable: row.retriable };
    if (SQLSTATE.test(code)) return undefined;
  }
  if (status !== undefined && isRetriableStatus(status)) return { kind: 'unavailable', retriable: true };
  return undefined;
}

/** Whether an attempt that failed with `err` is worth another one (the rule above). */
export function isRetriable(err: unknown): boolean {
  if (err instanceof PipelineError) return err.retriable;
  if (typeof err !== 'object' || err === null) return false;
  // kafkajs marks its own errors with `retriable`.
  if ('retriable' in err && typeof err.retriable === 'boolean') return err.retriable;
  const code =
    'code' in err && (typeof err.code === 'string' || typeof err.code === 'number')
      ? String(err.code)
      : undefined;
  const status = 'status' in err && typeof err.status === 'number' ? err.status : undefined;
  return classifyFailure(code, status)?.retriable ?? false;
}

export function errorCode(err: unknown): string {
  if (err instanceof PipelineError) return err.code;
  if (err && typeof err === 'object' && 'code' in err) return String(err.code);
  if (err instanceof Error) return err.name;
  return 'UNKNOWN';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
