import { PipelineError } from '@llmpt/core';

export type ApiErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNAVAILABLE'
  // /v1/cost (README "Cost of a call")
  | 'NO_PRICE'
  | 'PRICE_MISSING'
  | 'TIER_UNKNOWN'
  | 'USAGE_INVALID'
  | 'USAGE_AMBIGUOUS'
  | 'USAGE_FORMAT_UNKNOWN';

/** An answer the API gives on purpose: a code clients can branch on, and its HTTP status. */
export class ApiError extends PipelineError {
  constructor(code: ApiErrorCode, message: string, status: number) {
    super(code, message, { status, retriable: code === 'UNAVAILABLE' });
  }
}

export const badRequest = (message: string) => new ApiError('BAD_REQUEST', message, 400);
export const notFound = (message: string) => new ApiError('NOT_FOUND', message, 404);
