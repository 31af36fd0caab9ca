import { isRetriable, type Logger } from '@llmpt/runtime';
import { type HandlerResult, type Rejection, type StageMessage } from '@llmpt/runtime/kafka';
import { project } from '../core/project.ts';
import type { PriceStore, WriteResult } from './store.ts';

export interface SinkTotals {
  batches: number;
  events: number;
  observations: number;
  changes: number;
  retractions: number;
}

/**
 * The sink's handler: one batch of events becomes one store write (one database transaction). When a
 * batch fails for a reason that retrying cannot fix (a row the database refuses), each event is
 * written alone so the good ones land and only the bad one goes to the dead-letter topic; transient
 * failures are thrown, and the stage runner retries without committing offsets.
 */
export function createSinkHandler(store: PriceStore, logger: Logger, totals: SinkTotals) {
  const add = (r: WriteResult) => {
    totals.observations += r.inserted.observations;
    totals.changes += r.inserted.changes;
    totals.retractions += r.inserted.retractions;
  };
  return async (messages: readonly StageMessage[]): Promise<HandlerResult> => {
    try {
      add(await store.writeBatch(project(messages.map((m) => m.decoded))));
    } catch (err) {
      if (isRetriable(err) || messages.length === 1) {
        if (isRetriable(err)) throw err;
        return { rejected: [{ message: messages[0]!, error: err }] };
      }
      logger.warn({ err, size: messages.length }, 'batch refused, writing its events one by one');
      const rejected: Rejection[] = [];
      for (const m of messages) {
        try {
          add(await store.writeBatch(project([m.decoded])));
        } catch (e) {
          if (isRetriable(e)) throw e;
          rejected.push({ message: m, error: e });
        }
      }
      totals.batches++;
      totals.events += messages.length;
      return { rejected };
    }
    totals.batches++;
    totals.events += messages.length;
    return {};
  };
}
