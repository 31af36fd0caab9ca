import { priceKey, type CatalogSnapshot, type PriceChanged, type RawPriceObserved } from '@llmpt/schemas';
import type { HandlerResult, Output, RawOutput, Rejection, StageMessage } from '@llmpt/runtime/kafka';
import { applyCatalogSnapshot, normalizeAndDecide, type DecideOptions } from '../core/changes.ts';
import { NormalizeError } from '../errors.ts';
import { encodeState, type PriceState } from '../core/state.ts';

export interface NormalizerTopics {
  readonly normalized: string;
  readonly changed: string;
  readonly changelog: string;
}

export interface NormalizerCounters {
  observations: number;
  changes: number;
  alerts: number;
  /** Catalog snapshots applied. */
  snapshots: number;
  /** Published components whose key the dimension registry does not know (kept raw). */
  unregistered: number;
}

export interface NormalizerHandlerOptions extends DecideOptions {
  /** Told once per (run, key) about keys the registry does not know, with their names. */
  readonly onUnregistered?: (runId: string, keys: readonly string[]) => void;
}

export function emptyCounters(): NormalizerCounters {
  return { observations: 0, changes: 0, alerts: 0, snapshots: 0, unregistered: 0 };
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

/**
 * The normalizer's handler over one batch of raw observations and catalog snapshots. State changes
 * are staged and applied by `commit()` only once the batch's Kafka transaction committed, so a retried
 * or aborted batch starts from the same state it saw the first time and yields the same events (same ids).
 */
export function createNormalizerHandler(
  state: Map<string, PriceState>,
  topics: NormalizerTopics,
  opts: NormalizerHandlerOptions,
  counters: NormalizerCounters,
) {
  const decideOpts: DecideOptions = {
    ...(opts.alertThreshold === undefined ? {} : { alertThreshold: opts.alertThreshold }),
    ...(opts.removalAfterRuns === undefined ? {} : { removalAfterRuns: opts.removalAfterRuns }),
  };
  const reportUnregistered = unregisteredReporter(opts.onUnregistered);
  let staged = new Map<string, PriceState>();
  let stagedCounts = emptyCounters();

  const handle = async (messages: readonly StageMessage[]): Promise<HandlerResult> => {
    staged = new Map();
    stagedCounts = emptyCounters();
    const outputs: Output[] = [];
    const rawOutputs: RawOutput[] = [];
    const rejected: Rejection[] = [];
    const stage = (key: string, next: PriceState) => {
      staged.set(key, next);
      rawOutputs.push({ topic: topics.changelog, key, value: encodeState(next) });
    };
    const publish = (changed: PriceChanged) => {
      outputs.push({ topic: topics.changed, key: changed.price_key, name: 'PriceChanged', event: changed });
      stagedCounts.changes++;
      if (changed.alert) stagedCounts.alerts++;
    };
    const observe = (raw: RawPriceObserved) => {
      const key = priceKey(raw.model_id, raw.provider, raw.source_type);
      const current = staged.get(key) ?? state.get(key);
      const view = new Map<string, PriceState>(current ? [[key, current]] : []);
      const { normalized, changed, next } = normalizeAndDecide(view, raw, decideOpts);
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
      if (changed) publish(changed);
      if (next && next !== current) stage(key, next);
    };
    const applySnapshot = (snapshot: CatalogSnapshot) => {
      // Every key is concerned: the committed state with this batch's changes over it.
      const view = new Map([...state, ...staged]);
      const { changes, next } = applyCatalogSnapshot(view, snapshot, decideOpts);
      changes.forEach(publish);
      for (const [key, s] of next) stage(key, s);
      stagedCounts.snapshots++;
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
            throw new NormalizeError('UNEXPECTED_EVENT', `unexpected event ${m.decoded.name}`);
          default: {
            const unreachable: never = m.decoded;
            throw new TypeError(`normalizer: unknown event ${JSON.stringify(unreachable)}`);
          }
        }
      } catch (err) {
        if (!(err instanceof NormalizeError)) throw err;
        rejected.push({ message: m, error: err });
      }
    }
    return { outputs, rawOutputs, rejected };
  };

  const commit = () => {
    for (const [k, v] of staged) state.set(k, v);
    for (const k of Object.keys(counters) as (keyof NormalizerCounters)[]) counters[k] += stagedCounts[k];
    staged = new Map();
    stagedCounts = emptyCounters();
  };
  return { handle, commit };
}
