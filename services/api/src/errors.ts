import { PipelineError } from '@llmpt/core';

/** An answer the API gives on purpose: a code clients can branch on, and its HTTP status. */
export class ApiError extends PipelineError {
  constructor(
    code: 'BAD_REQUEST' | 'UNAUTHORIZED' | 'NOT_FOUND' | 'CONFLICT' | 'UNAVAILABLE',
    message: string,
    status: number,
  ) {
    super(code, message, { status, retriable: code === 'UNAVAILABLE' });
  }
}

export const badRequest = (message: string) => new ApiError('BAD_REQUEST', message, 400);
export const notFound = (message: string) => new ApiError('NOT_FOUND', message, 404);
