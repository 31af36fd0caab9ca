// Webhook subscriptions as the API shows them (README "Webhook subscriptions"). Pure: the row comes
// from the adapter, the current time is an argument.
import { parseAt } from './at.ts';

/** A webhook_subscriptions row as webhook_admin reads it: every column but the secret. */
export interface SubscriptionRecord {
  readonly id: string;
  readonly url: string;
  readonly model_ids: readonly string[];
  readonly providers: readonly string[];
  readonly alerts_only: boolean;
  readonly include_backfilled: boolean;
  readonly created_at: Date;
  readonly disabled_at: Date | null;
  readonly replay_request_id: string | null;
  readonly replay_from: Date | null;
  readonly replay_requested_at: Date | null;
  readonly replay_done_at: Date | null;
}

export interface SubscriptionView {
  id: string;
  url: string;
  model_ids: string[];
  providers: string[];
  alerts_only: boolean;
  include_backfilled: boolean;
  created_at: string;
  disabled_at: string | null;
  replay: { request_id: string; from: string; requested_at: string; done_at: string | null } | null;
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** The answer's shape: ISO instants, `replay` null unless a replay was ever requested. */
export function subscriptionView(r: SubscriptionRecord): SubscriptionView {
  return {
    id: r.id,
    url: r.url,
    model_ids: [...r.model_ids],
    providers: [...r.providers],
    alerts_only: r.alerts_only,
    include_backfilled: r.include_backfilled,
    created_at: r.created_at.toISOString(),
    disabled_at: iso(r.disabled_at),
    replay:
      r.replay_request_id === null || r.replay_from === null || r.replay_requested_at === null
        ? null
        : {
            request_id: r.replay_request_id,
            from: r.replay_from.toISOString(),
            requested_at: r.replay_requested_at.toISOString(),
            done_at: iso(r.replay_done_at),
          },
  };
}

/** A replay's `from`: an instant or a date as `at` elsewhere, not after now; else why not. */
export function replayFrom(
  text: string,
  now: Date,
): { ok: true; from: Date } | { ok: false; reason: string } {
  const from = parseAt(text);
  if (from === null)
    return {
      ok: false,
      reason: `${JSON.stringify(text)} is not an ISO 8601 instant with a time zone, nor a date`,
    };
  if (from.getTime() > now.getTime())
    return { ok: false, reason: `${from.toISOString()} is in the future: there is nothing to replay yet` };
  return { ok: true, from };
}

/** The Standard Webhooks secret form: whsec_ and the base64 of the key bytes (32 of them here). */
export function secretOf(keyBytes: Uint8Array): string {
  return `whsec_${Buffer.from(keyBytes).toString('base64')}`;
}
