import { priceKey } from '@llmpt/schemas';
import type { HandlerResult, Output, RawOutput, Rejection, StageMessage } from '@llmpt/runtime';
import { normalizeAndDecide } from './changes.ts';
import { NormalizeError } from './errors.ts';
import { encodeState, type LastPrice } from './state.ts';

export interface NormalizerTopics {
  readonly normalized: string;
  readonly changed: string;
  readonly changelog: string;
}

export interface NormalizerCounters {
  observations: number;
  changes: number;
  alerts: number;
}

/**
 * The normalizer's handler over one batch. State changes are staged and applied by `commit()` only
 * once the batch's Kafka transaction committed, so a retried or aborted batch starts from the same
 * state it saw the first time and yields the same events (same ids).
 */
export function createNormalizerHandler(
  state: Map<string, LastPrice>,
  topics: NormalizerTopics,
  opts: { alertThreshold: string },
  counters: NormalizerCounters,
) {
  let staged = new Map<string, LastPrice>();
  let stagedCounts = { observations: 0, changes: 0, alerts: 0 };
  const handle = async (messages: readonly StageMessage[]): Promise<HandlerResult> => {
    staged = new Map();
    stagedCounts = { observations: 0, changes: 0, alerts: 0 };
    const outputs: Output[] = [];
    const rawOutputs: RawOutput[] = [];
    const rejected: Rejection[] = [];
    for (const m of messages) {
      if (m.decoded.name !== 'RawPriceObserved') {
        rejected.push({
          message: m,
          error: new NormalizeError('UNEXPECTED_EVENT', `unexpected event ${m.decoded.name}`),
        });
        continue;
      }
      const raw = m.decoded.event;
      const key = priceKey(raw.model_id, raw.provider, raw.source_type);
      const current = staged.get(key) ?? state.get(key);
      try {
        const view = new Map<string, LastPrice>(current ? [[key, current]] : []);
        const { normalized, changed, next } = normalizeAndDecide(view, raw, {
          alertThreshold: opts.alertThreshold,
        });
        outputs.push({
          topic: topics.normalized,
          key: normalized.price_key,
          name: 'NormalizedPrice',
          event: normalized,
        });
        stagedCounts.observations++;
        if (changed) {
          outputs.push({
            topic: topics.changed,
            key: changed.price_key,
            name: 'PriceChanged',
            event: changed,
          });
          stagedCounts.changes++;
          if (changed.alert) stagedCounts.alerts++;
        }
        if (next && next !== current) {
          staged.set(key, next);
          rawOutputs.push({ topic: topics.changelog, key, value: encodeState(next) });
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
    counters.observations += stagedCounts.observations;
    counters.changes += stagedCounts.changes;
    counters.alerts += stagedCounts.alerts;
    staged = new Map();
  };
  return { handle, commit };
}
