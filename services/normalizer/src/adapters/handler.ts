import { type CatalogSnapshot, type PriceChanged, type RawPriceObserved } from '@llmpt/schemas';
import type { HandlerResult, Output, RawOutput, Rejection, StageMessage } from '@llmpt/runtime/kafka';
import { metric } from '@llmpt/runtime';
import { identifyWithinDay, type DecideOptions } from '../core/changes.ts';
import {
  encodeKnownSnapshot,
  historyRecords,
  markWrittenByDay,
  snapshotRecordKey,
} from '../core/key-history.ts';
import { normalize } from '../core/normalize.ts';
import {
  isLateFor,
  placeEvent,
  positionOf,
  stateBefore,
  type KeyHistory,
  type KnownSnapshot,
  type Position,
  type ValidTimeEvent,
  type ValidTimeOptions,
  type ValidTimeStep,
} from '../core/valid-time.ts';
import { NormalizeError } from '../errors.ts';

export interface NormalizerTopics {
  readonly normalized: string;
  readonly changed: string;
  /** PriceChangeRetracted records (docs/price-model.md §4.4). */
  readonly retracted: string;
  readonly changelog: string;
}

/**
 * What the normalizer holds (docs/price-model.md §4.6): every key's history and every snapshot placed,
 * as committed. The handler reads it and changes it only in `commit()`.
 */
export interface NormalizerState {
  readonly histories: Map<string, KeyHistory>;
  readonly snapshots: KnownSnapshot[];
}

export function emptyNormalizerState(): NormalizerState {
  return { histories: new Map(), snapshots: [] };
}

export interface NormalizerCounters {
  observations: number;
  changes: number;
  alerts: number;
  /** Catalog snapshots handled (a snapshot delivered twice counts twice, and is placed once). */
  snapshots: number;
  /** Published components whose key the dimension registry does not know (kept raw). */
  unregistered: number;
  /** Inputs placed before an input their key already held (§4.2): the key's history recomputed. */
  late: number;
  /** Inputs whose position their keys already held (the same message again, an archive loaded twice). */
  duplicates: number;
  /** PriceChangeRetracted records published (retractions and reinstatements, §4.4). */
  retractions: number;
  /** PriceChanged published with backfilled = true (§4.5). */
  backfilled: number;
  /** Inputs dead-lettered as LATE_BEYOND_HORIZON (their key needs a rebuild, §4.6). */
  beyondHorizon: number;
}

export interface NormalizerHandlerOptions extends DecideOptions {
  /** Told once per (run, key) about keys the registry does not know, with their names. */
  readonly onUnregistered?: (runId: string, keys: readonly string[]) => void;
  /** Told after each committed batch that placed a late input or published a retraction. */
  readonly onLate?: (batch: Readonly<NormalizerCounters>) => void;
  /** In-memory marks of the key histories (ValidTimeOptions.markEvery). */
  readonly markEvery?: number;
}

export function emptyCounters(): NormalizerCounters {
  return {
    observations: 0,
    changes: 0,
    alerts: 0,
    snapshots: 0,
    unregistered: 0,
    late: 0,
    duplicates: 0,
    retractions: 0,
    backfilled: 0,
    beyondHorizon: 0,
  };
}

// Runs remembered for "logged once per run": a daily pipeline needs the current one, a few more
// cover overlapping runs without the set growing for ever.
const RUNS_REMEMBERED = 16;

/** Which (run, unregistered key) pairs were already reported. */
function unregisteredReporter(report: NormalizerHandlerOptions['onUnregistered']) {
  const byRun = new Map<string, Set<string>>();
  return (raw: RawPriceObserved, keys: readonly string[]) => {
    if (!report || keys.length === 0) return;
    let seen = byRun.get(raw.run_id);
    if (!seen) {
      seen = new Set();
      byRun.set(raw.run_id, seen);
      if (byRun.size > RUNS_REMEMBERED) byRun.delete(byRun.keys().next().value!);
    }
    const fresh = [...new Set(keys)].filter((k) => !seen.has(k));
    for (const k of fresh) seen.add(k);
    if (fresh.length > 0) report(raw.run_id, fresh);
  };
}

const iso = (t: number) => new Date(t).toISOString();

/** §4.6: the input cannot be placed into a folded history; the operator rebuilds the keys, then re-drives. */
function beyondHorizon(event: ValidTimeEvent, keys: readonly string[]): NormalizeError {
  const time = 'observation' in event ? event.observation.observed_at : event.snapshot.fetched_at;
  const shown = keys.slice(0, 5).join(', ') + (keys.length > 5 ? ` and ${keys.length - 5} more` : '');
  return new NormalizeError(
    'LATE_BEYOND_HORIZON',
    `input of ${iso(time)} lies at or before the folded history of price key(s) ${shown}: ` +
      'stop the normalizer, run `npm run rebuild-changes -- --write-state` to rebuild the key histories ' +
      'from the event store, start it again, then re-drive this dead letter (npm run dead-letters -- redrive --code LATE_BEYOND_HORIZON)',
  );
}

/**
 * The normalizer's figures (docs/metrics.md): changes published by kind and alert, and the catalog
 * snapshots consumed, one per complete discovery run, with the newest one's time and size.
 */
function normalizerMetrics() {
  const changes = metric('llmpt_price_changes_total');
  const snapshots = metric('llmpt_catalog_snapshots_total');
  const snapshotTime = metric('llmpt_catalog_snapshot_timestamp_seconds');
  const snapshotModels = metric('llmpt_catalog_snapshot_models');
  let newest = -Infinity;
  return (batch: { changes: readonly PriceChanged[]; snapshots: readonly CatalogSnapshot[] }) => {
    for (const c of batch.changes) changes.inc({ kind: c.kind, alert: String(c.alert) });
    for (const s of batch.snapshots) {
      snapshots.inc();
      if (s.fetched_at <= newest) continue;
      newest = s.fetched_at;
      snapshotTime.set(s.fetched_at / 1000);
      snapshotModels.set(s.model_ids.length);
    }
  };
}

/**
 * The normalizer's handler over one batch of raw observations and catalog snapshots (docs/price-model.md
 * §3–4). Each observation is normalized, given its identity within its day against its key's state just
 * before it in time, and placed into its key's history; each snapshot into every key's history. A late
 * input republishes what the in-order run gives from its insertion point on (backfilled) and retracts
 * what it no longer gives. The changed histories, and each snapshot placed, go to the changelog in the
 * batch's transaction. Nothing is applied before `commit()` (after the transaction committed), so a
 * retried or aborted batch starts from the same state and yields the same events (same ids).
 */
export function createNormalizerHandler(
  state: NormalizerState,
  topics: NormalizerTopics,
  opts: NormalizerHandlerOptions,
  counters: NormalizerCounters,
) {
  const placeOpts: ValidTimeOptions = {
    ...(opts.alertThreshold === undefined ? {} : { alertThreshold: opts.alertThreshold }),
    ...(opts.removalAfterRuns === undefined ? {} : { removalAfterRuns: opts.removalAfterRuns }),
    ...(opts.markEvery === undefined ? {} : { markEvery: opts.markEvery }),
  };
  const reportUnregistered = unregisteredReporter(opts.onUnregistered);
  let staged = emptyNormalizerState();
  let stagedCounts = emptyCounters();
  // docs/metrics.md: counted when the batch's transaction has committed (commit()), like the counters.
  let stagedMetrics: { changes: PriceChanged[]; snapshots: CatalogSnapshot[] } = {
    changes: [],
    snapshots: [],
  };
  const report = normalizerMetrics();

  const handle = async (messages: readonly StageMessage[]): Promise<HandlerResult> => {
    staged = emptyNormalizerState();
    stagedCounts = emptyCounters();
    stagedMetrics = { changes: [], snapshots: [] };
    const outputs: Output[] = [];
    const rawOutputs: RawOutput[] = [];
    const rejected: Rejection[] = [];
    const historyOf = (key: string) => staged.histories.get(key) ?? state.histories.get(key);
    const knownSnapshots = () => [...state.snapshots, ...staged.snapshots];

    const publish = (change: PriceChanged) => {
      outputs.push({ topic: topics.changed, key: change.price_key, name: 'PriceChanged', event: change });
      stagedCounts.changes++;
      stagedMetrics.changes.push(change);
      if (change.alert) stagedCounts.alerts++;
      if (change.backfilled) stagedCounts.backfilled++;
    };
    /** What a placement decided: staged, published, retracted; the changelog is written at the end. */
    const apply = (step: ValidTimeStep, late: boolean) => {
      for (const [key, h] of step.histories) staged.histories.set(key, h);
      if (step.snapshot) {
        staged.snapshots.push(step.snapshot);
        rawOutputs.push({
          topic: topics.changelog,
          key: snapshotRecordKey(step.snapshot.snapshot),
          value: encodeKnownSnapshot(step.snapshot),
        });
      }
      for (const p of step.publish) publish({ ...p.change, backfilled: p.backfilled });
      for (const r of step.retractions) {
        outputs.push({ topic: topics.retracted, key: r.price_key, name: 'PriceChangeRetracted', event: r });
        stagedCounts.retractions++;
      }
      if (late) stagedCounts.late++;
    };

    const observe = (raw: RawPriceObserved) => {
      const base = normalize(raw);
      const key = base.price_key;
      const history = historyOf(key);
      // §4.2: the identity within the day chains on the key's state just before the observation in
      // time (in time, its current state, as it always did). Just before every observation of the same
      // time: the same raw observation delivered twice gets the same identity, hence is a duplicate.
      const justBefore: Position = [base.observed_at, 1, ''];
      const normalized = identifyWithinDay(
        history ? stateBefore(history, justBefore, placeOpts) : undefined,
        base,
      );
      const event = { observation: normalized };
      const step = placeEvent(
        { histories: new Map(history ? [[key, history]] : []), snapshots: knownSnapshots() },
        event,
        normalized.backfill,
        placeOpts,
      );
      if (step.beforeHorizon.length > 0) throw beyondHorizon(event, step.beforeHorizon);
      outputs.push({
        topic: topics.normalized,
        key: normalized.price_key,
        name: 'NormalizedPrice',
        event: normalized,
      });
      stagedCounts.observations++;
      stagedCounts.unregistered += normalized.unregistered.length;
      reportUnregistered(
        raw,
        normalized.unregistered.map((u) => u.key),
      );
      const pos = positionOf({ observation: normalized, backfill: normalized.backfill });
      const duplicate = history !== undefined && step.histories.size === 0;
      if (duplicate) stagedCounts.duplicates++;
      apply(step, !duplicate && history !== undefined && isLateFor(history, pos));
    };

    const applySnapshot = (snapshot: CatalogSnapshot) => {
      // Every key is concerned: the committed histories with this batch's over them.
      const histories = new Map([...state.histories, ...staged.histories]);
      const event = { snapshot };
      const step = placeEvent(
        { histories, snapshots: knownSnapshots() },
        event,
        snapshot.backfill,
        placeOpts,
      );
      if (step.beforeHorizon.length > 0) throw beyondHorizon(event, step.beforeHorizon);
      stagedCounts.snapshots++;
      stagedMetrics.snapshots.push(snapshot);
      if (!step.snapshot) {
        stagedCounts.duplicates++;
        return;
      }
      const pos = positionOf(step.snapshot);
      apply(
        step,
        [...histories.values()].some((h) => isLateFor(h, pos)),
      );
    };

    for (const m of messages) {
      try {
        switch (m.decoded.name) {
          case 'RawPriceObserved':
            observe(m.decoded.event);
            break;
          case 'CatalogSnapshot':
            applySnapshot(m.decoded.event);
            break;
          case 'ModelDiscovered':
          case 'ProviderDiscovered':
          case 'NormalizedPrice':
          case 'PriceChanged':
          case 'PriceChangeRetracted':
          case 'DeadLetter':
          case 'PriceVerified':
          case 'PriceDiscrepancy':
            throw new NormalizeError('UNEXPECTED_EVENT', `unexpected event ${m.decoded.name}`);
          default: {
            const unreachable: never = m.decoded;
            throw new TypeError(`normalizer: unknown event ${JSON.stringify(unreachable)}`);
          }
        }
      } catch (err) {
        if (!(err instanceof NormalizeError)) throw err;
        if (err.code === 'LATE_BEYOND_HORIZON') stagedCounts.beyondHorizon++;
        rejected.push({ message: m, error: err });
      }
    }
    // Each key's history once per batch, as the batch leaves it: its head and the days the batch
    // changed (docs/price-model.md §4.6 "Records by day"; a snapshot gives every key one more input).
    for (const [key, h] of staged.histories)
      for (const r of historyRecords(h, state.histories.get(key)))
        rawOutputs.push({ topic: topics.changelog, key: r.key, value: r.value });
    return { outputs, rawOutputs, rejected };
  };

  const commit = () => {
    for (const [k, h] of staged.histories) {
      state.histories.set(k, h);
      markWrittenByDay(h);
    }
    state.snapshots.push(...staged.snapshots);
    for (const k of Object.keys(counters) as (keyof NormalizerCounters)[]) counters[k] += stagedCounts[k];
    if (stagedCounts.late > 0 || stagedCounts.retractions > 0) opts.onLate?.(stagedCounts);
    report(stagedMetrics);
    stagedMetrics = { changes: [], snapshots: [] };
    staged = emptyNormalizerState();
    stagedCounts = emptyCounters();
  };
  return { handle, commit };
}
