import { retryDelayMs, type RetrySchedule } from './schedule.ts';

/** What one POST came to (README §3). */
export type AttemptOutcome =
  | { readonly kind: 'answered'; readonly status: number }
  | { readonly kind: 'timeout'; readonly timeoutMs: number }
  | { readonly kind: 'network'; readonly reason: string }
  | { readonly kind: 'refused'; readonly reason: string };

/** What the delivery row becomes after the attempt. */
export type DeliveryDecision =
  | { readonly status: 'delivered'; readonly lastStatus: number }
  | { readonly status: 'gone'; readonly lastStatus: 410; readonly reason: string }
  | { readonly status: 'dead'; readonly lastStatus: number | null; readonly reason: string }
  | {
      readonly status: 'pending';
      readonly lastStatus: number | null;
      readonly reason: string;
      readonly nextAttemptAt: number;
    };

export function outcomeReason(o: AttemptOutcome): string {
  switch (o.kind) {
    case 'answered':
      return `HTTP ${o.status}`;
    case 'timeout':
      return `timeout after ${o.timeoutMs} ms`;
    case 'network':
      return `network error: ${o.reason}`;
    case 'refused':
      return `refused: ${o.reason}`;
    default: {
      const never: never = o;
      return never;
    }
  }
}

/**
 * README §3: 2xx delivered; 410 gone (the subscription is disabled); refused dead at once; anything
 * else retried after the §4 delay until attempt N, then dead. `attempt` is 1-based, `now` epoch ms.
 */
export function decide(
  outcome: AttemptOutcome,
  attempt: number,
  schedule: RetrySchedule,
  now: number,
  random: number,
): DeliveryDecision {
  const lastStatus = outcome.kind === 'answered' ? outcome.status : null;
  if (outcome.kind === 'answered' && outcome.status >= 200 && outcome.status < 300)
    return { status: 'delivered', lastStatus: outcome.status };
  const reason = outcomeReason(outcome);
  if (outcome.kind === 'answered' && outcome.status === 410)
    return { status: 'gone', lastStatus: 410, reason };
  if (outcome.kind === 'refused' || attempt >= schedule.maxAttempts)
    return { status: 'dead', lastStatus, reason };
  return {
    status: 'pending',
    lastStatus,
    reason,
    nextAttemptAt: now + retryDelayMs(attempt, schedule, random),
  };
}
