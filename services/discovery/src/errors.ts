/** Errors of the discovery stage, with a stable `code` callers switch on (never on the message). */
export type DiscoveryErrorCode = 'NOT_A_MODELS_LIST' | 'NOT_A_PROVIDERS_LIST' | 'BAD_BLOCKLIST';

export class DiscoveryError extends Error {
  readonly code: DiscoveryErrorCode;
  /** A malformed response or config does not get better by retrying the same bytes. */
  readonly retriable = false;

  constructor(code: DiscoveryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DiscoveryError';
    this.code = code;
  }
}
