import { ApiError } from '../errors.ts';

/** Errors of a database that does not answer (connection refused, reset, timed out, shutting down). */
export function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    (/^(08|57P)/.test(code) || /^E(CONN|TIMEDOUT|NOTFOUND|HOSTUNREACH)/.test(code))
  )
    return true;
  return /timeout exceeded when trying to connect|Connection terminated/.test(err.message);
}

/** Runs a database call; a database that does not answer becomes 503 UNAVAILABLE. */
export async function read<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (isUnavailable(err))
      throw new ApiError('UNAVAILABLE', 'the database does not answer; retry later', 503);
    throw err;
  }
}
