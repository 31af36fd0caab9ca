/** Errors of the consumer library: a stable `code`, never retriable (the same input fails the same way). */
export class ConsumerError extends Error {
  readonly retriable = false;
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ConsumerError';
  }
}
