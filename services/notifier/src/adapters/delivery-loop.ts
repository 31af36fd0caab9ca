import { metric, type Logger } from '@llmpt/runtime';
import type { HttpClient } from '@llmpt/runtime/http';
import { decide } from '../core/outcome.ts';
import type { RetrySchedule } from '../core/schedule.ts';
import type { NotifierTotals } from './handler.ts';
import { attemptDelivery } from './sender.ts';
import { startPollLoop } from './poll-loop.ts';
import type { ClaimedDelivery, DeliveryStore } from './store.ts';

export interface DeliveryLoopOptions {
  readonly store: DeliveryStore;
  readonly http: HttpClient;
  readonly schedule: RetrySchedule;
  readonly timeoutMs: number;
  readonly leaseMs: number;
  readonly pollMs: number;
  readonly concurrency: number;
  readonly logger: Logger;
  readonly totals: NotifierTotals;
  readonly now?: () => number;
  readonly random?: () => number;
  /** A failure that is not the database's (a bug): the loop stops and this is called (exit 1). */
  readonly onFatal?: (err: unknown) => void;
}

export interface DeliveryLoop {
  /** Stops claiming; resolves when the attempts in flight have been recorded. */
  stop(): Promise<void>;
}

/**
 * README §5 steps 2-3: claim due rows (each claim counts the attempt and leases the row), attempt them
 * concurrently, record each outcome. A database failure is logged and the loop tries again after a
 * poll interval: the rows stay in the table, so nothing is lost meanwhile. Any other failure is a bug:
 * the loop stops and `onFatal` is called.
 */
export function startDeliveryLoop(o: DeliveryLoopOptions): DeliveryLoop {
  const now = o.now ?? Date.now;
  const random = o.random ?? Math.random;
  // docs/metrics.md "Webhooks": one count per attempt, by the decision recorded for it.
  const attempts = metric('llmpt_webhook_attempts_total');
  const attemptSeconds = metric('llmpt_webhook_attempt_duration_seconds');
  const one = async (d: ClaimedDelivery) => {
    const end = attemptSeconds.startTimer();
    const outcome = await attemptDelivery(o.http, d, now(), o.timeoutMs);
    end();
    const decision = decide(outcome, d.attempt, o.schedule, now(), random());
    o.totals.attempts++;
    attempts.inc({ outcome: decision.status });
    if (decision.status === 'gone') await o.store.disableSubscription(d.subscriptionId, now());
    await o.store.complete(d.id, decision, now());
    if (decision.status === 'delivered') o.totals.delivered++;
    if (decision.status === 'dead' || decision.status === 'gone') {
      o.totals.dead++;
      o.logger.warn(
        { event_id: d.eventId, subscription: d.subscriptionId, attempt: d.attempt, reason: decision.reason },
        `webhook delivery ${decision.status}`,
      );
    }
  };

  // Idle (or the database away): wait a poll interval; busy: claim the next due rows at once.
  return startPollLoop({
    name: 'delivery loop',
    pollMs: o.pollMs,
    logger: o.logger,
    ...(o.onFatal ? { onFatal: o.onFatal } : {}),
    step: async () => {
      const claimed = await o.store.claimDue(now(), o.concurrency, o.leaseMs);
      await Promise.all(claimed.map(one));
      return claimed.length > 0;
    },
  });
}
