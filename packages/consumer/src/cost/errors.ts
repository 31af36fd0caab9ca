import { PipelineError } from '@llmpt/core';

/** Errors of the consumer library: a stable `code`, never retriable (the same input fails the same way). */
export class ConsumerError extends PipelineError {
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { retriable: false, cause: options.cause });
  }
}
