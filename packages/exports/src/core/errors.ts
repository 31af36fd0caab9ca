import { PipelineError } from '@llmpt/core';

/** Errors of the exports: a stable `code`, never retriable (the same snapshot fails the same way). */
export class ExportError extends PipelineError {
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { retriable: false, cause: options.cause });
  }
}

/** An entry a format cannot carry, and why: returned beside the file, never dropped silently. */
export interface Skipped {
  readonly price_key: string;
  readonly reason: string;
}
