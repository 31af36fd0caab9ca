/**
 * Poison input found by the normalizer's pure logic. Shaped like @llmpt/runtime's PipelineError (a
 * stable `code`, `retriable: false`) so the shell's errorCode()/isRetriable() route it to the dead-letter
 * topic, without the pure core importing the runtime package (Kafka, pg, pino) just for a class.
 */
export type NormalizeErrorCode =
  | 'UNPARSABLE_PRICE'
  | 'UNKNOWN_PRICE_UNIT'
  | 'INVALID_PRICE_STATE'
  // A tier label the one grammar (schemas/src/tiers.ts) cannot read.
  | 'INVALID_TIER'
  // For the shell: an event type the normalizer does not consume.
  | 'UNEXPECTED_EVENT';

export class NormalizeError extends Error {
  readonly code: NormalizeErrorCode;
  readonly retriable = false;

  constructor(code: NormalizeErrorCode, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'NormalizeError';
    this.code = code;
  }
}
