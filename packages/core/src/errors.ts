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

export function isRetriable(err: unknown): boolean {
  if (err instanceof PipelineError) return err.retriable;
  if (err && typeof err === 'object') {
    // kafkajs marks its own transient errors with `retriable`.
    if ('retriable' in err && typeof err.retriable === 'boolean') return err.retriable;
    const code = 'code' in err ? String(err.code) : '';
    if (
      [
        'ECONNREFUSED',
        'ECONNRESET',
        'ETIMEDOUT',
        'EPIPE',
        'EAI_AGAIN',
        '57P01',
        '08006',
        '08001',
        '08003',
      ].includes(code)
    )
      return true;
  }
  return false;
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
