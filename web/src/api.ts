// The explorer's only I/O: GET/POST to the public API (same origin, /v1/...). Every failure becomes an
// ApiError with a message a person can act on; nothing is thrown past the page that asked.
import { useEffect, useState } from 'preact/hooks';

export type ApiErrorKind = 'down' | 'not-found' | 'bad-request' | 'server';

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The API's origin: the page's own (services/api serves the explorer beside /v1). */
export const API_BASE = '/v1';

function kindOf(status: number): ApiErrorKind {
  if (status === 404) return 'not-found';
  if (status >= 400 && status < 500) return 'bad-request';
  return 'server';
}

async function errorOf(res: Response): Promise<ApiError> {
  let code = `HTTP_${res.status}`;
  let message = `The API answered ${res.status} ${res.statusText}`.trim();
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    if (body.error?.message) message = body.error.message;
    if (body.error?.code) code = body.error.code;
  } catch {
    // Not the API's JSON error (a proxy's page, say): keep the status line.
  }
  // A gateway in front of a stopped API answers 502-504: the same thing for the reader.
  if (res.status >= 502 && res.status <= 504)
    return new ApiError('down', res.status, code, 'The price API does not answer right now.');
  return new ApiError(kindOf(res.status), res.status, code, message);
}

/** `path` under /v1 (with its query), the body parsed as JSON. */
export async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${API_BASE}${path}`, {
      ...init,
      headers: { accept: 'application/json', ...(init.headers ?? {}) },
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(
      'down',
      0,
      'API_DOWN',
      'The price API does not answer. Is it running (npm run serve)?',
    );
  }
  if (!res.ok) throw await errorOf(res);
  try {
    return (await res.json()) as T;
  } catch {
    throw new ApiError('server', res.status, 'BAD_BODY', 'The API answered something that is not JSON.');
  }
}

export function postJson<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  return request<T>(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

export type Loaded<T> =
  | { readonly status: 'loading' }
  | { readonly status: 'ok'; readonly data: T }
  | { readonly status: 'error'; readonly error: ApiError };

function asApiError(err: unknown): ApiError {
  return err instanceof ApiError
    ? err
    : new ApiError('server', 0, 'CLIENT', err instanceof Error ? err.message : String(err));
}

/**
 * GET `path` (null: nothing to load yet, stays loading) whenever it or `attempt` changes; a newer
 * request aborts the older one, so a slow answer never overwrites a newer one.
 */
export function useApi<T>(path: string | null, attempt = 0): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    setState({ status: 'loading' });
    request<T>(path, { signal: controller.signal }).then(
      (data) => setState({ status: 'ok', data }),
      (err: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'error', error: asApiError(err) });
      },
    );
    return () => controller.abort();
  }, [path, attempt]);
  return state;
}

/** As useApi for a POST whose body is given as JSON text (so equal bodies do not reload). */
export function usePost<T>(path: string, bodyJson: string | null, attempt = 0): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  useEffect(() => {
    if (bodyJson === null) return;
    const controller = new AbortController();
    setState({ status: 'loading' });
    postJson<T>(path, JSON.parse(bodyJson), controller.signal).then(
      (data) => setState({ status: 'ok', data }),
      (err: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'error', error: asApiError(err) });
      },
    );
    return () => controller.abort();
  }, [path, bodyJson, attempt]);
  return state;
}
