import { isRetriable, metric, type Logger } from '@llmpt/runtime';
import type { DecodedEvent } from '@llmpt/schemas';
import { type HandlerResult, type Rejection, type StageMessage } from '@llmpt/runtime/kafka';
import { project } from '../core/project.ts';
import { emptyRuns, trackRuns } from '../core/runs.ts';
import type { PriceStore, WriteResult } from './store.ts';

export interface SinkTotals {
  batches: number;
  events: number;
  observations: number;
  changes: number;
  retractions: number;
}

/**
 * The sink's handler: one batch of events (a group of partition batches, docs/design.md) becomes one
 * store write (one database transaction). When a batch fails for a reason that retrying cannot fix (a
 * row the database refuses), each event is written alone so the good ones land and only the bad one
 * goes to the dead-letter topic; transient failures are thrown, and the stage runner retries without
 * committing offsets.
 */
export function createSinkHandler(
  store: PriceStore,
  logger: Logger,
  totals: SinkTotals,
  storeName = 'postgres',
) {
  const writeSeconds = metric('llmpt_db_write_duration_seconds');
  const write: PriceStore['writeBatch'] = async (rows) => {
    const end = writeSeconds.startTimer({ store: storeName });
    const result = await store.writeBatch(rows);
    end();
    return result;
  };
  const figures = sinkMetrics();
  const add = (r: WriteResult) => {
    totals.observations += r.inserted.observations;
    totals.changes += r.inserted.changes;
    totals.retractions += r.inserted.retractions;
  };
  return async (messages: readonly StageMessage[]): Promise<HandlerResult> => {
    try {
      add(await write(project(messages.map((m) => m.decoded))));
    } catch (err) {
      if (isRetriable(err) || messages.length === 1) {
        if (isRetriable(err)) throw err;
        return { rejected: [{ message: messages[0]!, error: err }] };
      }
      logger.warn({ err, size: messages.length }, 'batch refused, writing its events one by one');
      const rejected: Rejection[] = [];
      for (const m of messages) {
        try {
          add(await write(project([m.decoded])));
        } catch (e) {
          if (isRetriable(e)) throw e;
          rejected.push({ message: m, error: e });
        }
      }
      totals.batches++;
      totals.events += messages.length;
      const refused = new Set(rejected.map((r) => r.message));
      figures(messages.filter((m) => !refused.has(m)).map((m) => m.decoded));
      return { rejected };
    }
    totals.batches++;
    totals.events += messages.length;
    figures(messages.map((m) => m.decoded));
    return {};
  };
}

/**
 * The figures the sink derives from the events it wrote (docs/metrics.md): the discovery runs and the
 * verifier's probes, whose jobs exit before anyone could scrape them.
 */
function sinkMetrics(): (events: readonly DecodedEvent[]) => void {
  const models = metric('llmpt_discovery_models_total');
  const runs = metric('llmpt_discovery_runs_total');
  const lastRun = metric('llmpt_discovery_last_run_timestamp_seconds');
  const lastRunModels = metric('llmpt_discovery_last_run_models');
  const verifications = metric('llmpt_verifications_total');
  const discrepancies = metric('llmpt_price_discrepancies_total');
  let state = emptyRuns;
  return (events) => {
    const discovered = events.flatMap((e) => (e.name === 'ModelDiscovered' ? [e.event] : []));
    for (const e of discovered) models.inc({ backfill: String(e.backfill) });
    const step = trackRuns(state, discovered);
    state = step.state;
    if (step.begun > 0) runs.inc(step.begun);
    if (state.latest) {
      lastRun.set(state.latest.fetchedAt / 1000);
      lastRunModels.set(state.latest.models.size);
    }
    for (const e of events) {
      if (e.name === 'PriceVerified') verifications.inc({ outcome: e.event.outcome });
      if (e.name === 'PriceDiscrepancy') discrepancies.inc();
    }
  };
}
