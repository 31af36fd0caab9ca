import { Webhook } from 'standardwebhooks';

/** The Standard Webhooks headers of one attempt (README §2), signed by the reference library. */
export function signedHeaders(
  secret: string,
  eventId: string,
  payload: string,
  now: number,
): Record<string, string> {
  const at = new Date(now);
  return {
    'content-type': 'application/json',
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(now / 1000)),
    'webhook-signature': new Webhook(secret).sign(eventId, at, payload),
  };
}
