import type { Logger } from '@llmpt/runtime';
import { sleep } from '@llmpt/runtime';
import { DeliveryStoreError, type DeliveryStore } from './store.ts';

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
  let stopping = false;
  let wake: (() => void) | undefined;
  const loop = async () => {
    while (!stopping) {
      let busy = false;
      try {
        const done = await o.store.replayOne(now());
        if (done) {
          busy = true;
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
        }
      } catch (err) {
        if (!(err instanceof DeliveryStoreError)) throw err;
        o.logger.error({ err }, 'replay loop: database failure, trying again');
      }
      if (!busy && !stopping)
        await new Promise<void>((resolve) => {
          wake = resolve;
          void sleep(o.pollMs).then(resolve);
        });
    }
  };
  const running = loop().catch((err: unknown) => {
    stopping = true;
    o.logger.fatal({ err }, 'replay loop failed');
    o.onFatal?.(err);
  });
  return {
    async stop() {
      stopping = true;
      wake?.();
      await running;
    },
  };
}
