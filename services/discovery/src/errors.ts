import { PipelineError } from '@llmpt/core';

/** Errors of the discovery stage, with a stable `code` callers switch on (never on the message). */
export type DiscoveryErrorCode = 'NOT_A_MODELS_LIST' | 'NOT_A_PROVIDERS_LIST' | 'BAD_BLOCKLIST';

/** A malformed response or config does not get better by retrying the same bytes: never retriable. */
export class DiscoveryError extends PipelineError {
  declare readonly code: DiscoveryErrorCode;

  constructor(code: DiscoveryErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { retriable: false, cause: options.cause });
  }
}
