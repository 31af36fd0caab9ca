import { HttpError, type HttpClient } from '@llmpt/runtime/http';
import type { AttemptOutcome } from '../core/outcome.ts';
import { signedHeaders } from '../core/sign.ts';
import type { ClaimedDelivery } from './store.ts';

/** One attempt: sign afresh (README §2), POST once, and say what came of it (README §3). */
export async function attemptDelivery(
  http: HttpClient,
  d: ClaimedDelivery,
  now: number,
  timeoutMs: number,
): Promise<AttemptOutcome> {
  const headers = signedHeaders(d.secret, d.eventId, d.payload, now);
  try {
    const { status } = await http.post(d.url, d.payload, { headers, timeoutMs });
    return { kind: 'answered', status };
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    if (err.code === 'REFUSED') return { kind: 'refused', reason: err.reason };
    if (err.code === 'TIMEOUT') return { kind: 'timeout', timeoutMs };
    return { kind: 'network', reason: err.reason.replace(/^network error: /, '') };
  }
}
