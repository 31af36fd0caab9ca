import { PoisonInputError } from '@llmpt/core';

/**
 * Poison input found by the normalizer's pure logic: a stable `code`, never retriable, so the shell's
 * errorCode()/isRetriable() route it to the dead-letter topic. @llmpt/core is the dependency-free
 * bottom of the package graph, so the pure core gets the error root without Kafka, pg or pino.
 */
export type NormalizeErrorCode =
  | 'UNPARSABLE_PRICE'
  | 'UNKNOWN_PRICE_UNIT'
  | 'INVALID_PRICE_STATE'
  // A tier label the one grammar (schemas/src/tiers.ts) cannot read.
  | 'INVALID_TIER'
  // For the shell: an event type the normalizer does not consume.
  | 'UNEXPECTED_EVENT'
  // A late input at or before a key's folded history (docs/price-model.md §4.6): the key must be rebuilt
  // from the event store before the input can be placed; then the dead letter is re-driven.
  | 'LATE_BEYOND_HORIZON';

export class NormalizeError extends PoisonInputError {
  declare readonly code: NormalizeErrorCode;

  constructor(code: NormalizeErrorCode, message: string, cause?: unknown) {
    super(code, message, cause);
  }
}
