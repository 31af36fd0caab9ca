import type { Logger } from '@llmpt/runtime';
import { sleep } from '@llmpt/runtime';
import { DeliveryStoreError } from './store.ts';

export interface PollLoopOptions {
  /** Names the loop in its log lines ("delivery loop", "replay loop"). */
  readonly name: string;
  /** One round; true when it found work (the next round starts at once), false to wait `pollMs`. */
  readonly step: () => Promise<boolean>;
  readonly pollMs: number;
  readonly logger: Logger;
  /** A failure that is not the database's (a bug): the loop stops and this is called (exit 1). */
  readonly onFatal?: (err: unknown) => void;
}

export interface PollLoop {
  /** Stops starting rounds; resolves when the round in progress has ended. */
  stop(): Promise<void>;
}

/**
 * The notifier's loops over its tables: a round, then at once another when it found work, else a wait
 * of a poll interval (cut short by stop). A database failure (DeliveryStoreError) is logged and tried
 * again after the interval: the rows stay in the table, so nothing is lost meanwhile. Any other
 * failure is a bug: the loop stops and `onFatal` is called.
 */
export function startPollLoop(o: PollLoopOptions): PollLoop {
  let stopping = false;
  let wake: (() => void) | undefined;
  const loop = async () => {
    while (!stopping) {
      let busy = false;
      try {
        busy = await o.step();
      } catch (err) {
        if (!(err instanceof DeliveryStoreError)) throw err;
        o.logger.error({ err }, `${o.name}: database failure, trying again`);
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
    o.logger.fatal({ err }, `${o.name} failed`);
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
