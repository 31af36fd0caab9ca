// The discovery runs the sink sees go by (docs/metrics.md "Discovery runs"): discovery is a CronJob that
// cannot be scraped after it exits, so the long-running sink, which consumes every ModelDiscovered,
// derives the run figures from the events. Pure: the events in, the new state and what to count out.
import type { ModelDiscovered } from '@llmpt/schemas';

export interface RunsState {
  /** Run ids seen lately (bounded): a run's events come in several batches, it begins once. */
  readonly seen: readonly string[];
  /** The live run with the newest fetch time, and the distinct models of it seen so far. */
  readonly latest: {
    readonly runId: string;
    readonly fetchedAt: number;
    readonly models: ReadonlySet<string>;
  } | null;
}

export const RUNS_REMEMBERED = 64;

export const emptyRuns: RunsState = { seen: [], latest: null };

export interface RunsStep {
  readonly state: RunsState;
  /** Live runs seen for the first time in this batch. */
  readonly begun: number;
}

/**
 * Live events only (a backfilled ModelDiscovered carries an old day and a backfill run id): a run id not
 * among the remembered ones begins a run; the latest run is the one with the greatest fetched_at, its
 * model count the distinct model ids of that run seen (a redelivered event counts once).
 */
export function trackRuns(state: RunsState, events: readonly ModelDiscovered[]): RunsStep {
  let seen = [...state.seen];
  let latest = state.latest;
  let begun = 0;
  for (const e of events) {
    if (e.backfill) continue;
    if (!seen.includes(e.run_id)) {
      seen = [...seen, e.run_id].slice(-RUNS_REMEMBERED);
      begun++;
    }
    if (latest && latest.runId === e.run_id) {
      if (!latest.models.has(e.model_id))
        latest = { ...latest, models: new Set([...latest.models, e.model_id]) };
    } else if (!latest || e.fetched_at > latest.fetchedAt) {
      latest = { runId: e.run_id, fetchedAt: e.fetched_at, models: new Set([e.model_id]) };
    }
  }
  return { state: { seen, latest }, begun };
}
