import type { Logger } from '@llmpt/runtime';
import { startPollLoop } from './poll-loop.ts';
import type { DeliveryStore } from './store.ts';

export interface ReplayLoopOptions {
  readonly store: DeliveryStore;
  readonly pollMs: number;
  readonly logger: Logger;
  readonly now?: () => number;
  /** A failure that is not the database's (a bug): the loop stops and this is called (exit 1). */
  readonly onFatal?: (err: unknown) => void;
}

export interface ReplayLoop {
  /** Stops looking; resolves when the replay in progress (one transaction) has ended. */
  stop(): Promise<void>;
}

/**
 * README §9: handles pending replay requests one by one until none is left, then waits a poll
 * interval. Each request is one transaction (store.replayOne): a crash leaves it pending, whole.
 */
export function startReplayLoop(o: ReplayLoopOptions): ReplayLoop {
  const now = o.now ?? Date.now;
  return startPollLoop({
    name: 'replay loop',
    pollMs: o.pollMs,
    logger: o.logger,
    ...(o.onFatal ? { onFatal: o.onFatal } : {}),
    step: async () => {
      const done = await o.store.replayOne(now());
      if (!done) return false;
      o.logger.info(
        {
          subscription: done.subscriptionId,
          request: done.requestId,
          matched: done.matched,
          queued: done.queued,
          skipped: done.skipped,
        },
        'replay queued',
      );
      if (done.skipped > 0)
        o.logger.warn(
          { subscription: done.subscriptionId, skipped: done.skipped },
          'replay: changes stored before migration 0013 have no occurred_at and were not sent',
        );
      return true;
    },
  });
}
