import { encodeEvent, type CatalogSnapshot, type NormalizedPrice, type PriceChanged } from '@llmpt/schemas';
import { applyCatalogSnapshot, decide, type DecideOptions } from './changes.ts';
import type { PriceState } from './state.ts';

export interface RebuiltChanges {
  /** The PriceChanged events, in the order the normalizer would have emitted them per key. */
  readonly changes: PriceChanged[];
  /** The normalizer's state after the last event: what its changelog should hold. */
  readonly state: Map<string, PriceState>;
}

type Step =
  | { readonly at: number; readonly observation: NormalizedPrice }
  | { readonly at: number; readonly snapshot: CatalogSnapshot };

/**
 * Observations and snapshots in time order (a snapshot before the observations of its run, fetched
 * after it). An observation's time is the latest of its key so far in log order, so a key's own log
 * order is kept: a replayed older observation stays after the newer one, as the live stage saw it.
 */
function inTimeOrder(observations: Iterable<NormalizedPrice>, snapshots: Iterable<CatalogSnapshot>): Step[] {
  const latest = new Map<string, number>();
  const steps: Step[] = [...snapshots].map((snapshot) => ({ at: snapshot.fetched_at, snapshot }));
  for (const np of observations) {
    const at = Math.max(np.observed_at, latest.get(np.price_key) ?? -Infinity);
    latest.set(np.price_key, at);
    steps.push({ at, observation: np });
  }
  // Stable: equal times keep snapshots (listed first) before observations, and log order otherwise.
  return steps.sort((a, b) => a.at - b.at);
}

/**
 * The normalizer's change detection from scratch over the NormalizedPrice and CatalogSnapshot logs:
 * each observation is decided against the state of its key and each snapshot applied to every key,
 * exactly as the live normalizer did (same pure `decide` and `applyCatalogSnapshot`, same ids), merged
 * in time order (observed_at vs fetched_at), so the PriceChanged topic and the normalizer's state can be
 * rebuilt from the event store alone. Give the observations in log order per partition (a key lives on
 * one partition).
 */
export function rebuildChanges(
  observations: Iterable<NormalizedPrice>,
  opts: DecideOptions = {},
  snapshots: Iterable<CatalogSnapshot> = [],
): RebuiltChanges {
  const state = new Map<string, PriceState>();
  const changes: PriceChanged[] = [];
  for (const step of inTimeOrder(observations, snapshots)) {
    if ('snapshot' in step) {
      const applied = applyCatalogSnapshot(state, step.snapshot, opts);
      changes.push(...applied.changes);
      for (const [key, s] of applied.next) state.set(key, s);
      continue;
    }
    const np = step.observation;
    const { changed, next } = decide(state.get(np.price_key), np, opts);
    if (changed) changes.push(changed);
    if (next) state.set(np.price_key, next);
  }
  return { changes, state };
}

export interface ChangesComparison {
  readonly rebuilt: number;
  readonly existing: number;
  /** Ids in both whose events are equal, byte for byte in Avro. */
  readonly same: number;
  /** Ids the rebuild produced that the topic does not hold. */
  readonly missing: string[];
  /** Ids on the topic the rebuild did not produce. */
  readonly extra: string[];
  /** Ids in both whose events differ in content. */
  readonly differing: string[];
  /** Ids the topic holds more than once (read committed: exactly-once says none). */
  readonly duplicates: string[];
}

/** Compares rebuilt PriceChanged events with those on the topic, by event id and content. */
export function compareChanges(
  rebuilt: readonly PriceChanged[],
  existing: readonly PriceChanged[],
): ChangesComparison {
  const have = new Map<string, PriceChanged>();
  const duplicates = new Set<string>();
  for (const e of existing) {
    if (have.has(e.event_id)) duplicates.add(e.event_id);
    else have.set(e.event_id, e);
  }
  const built = new Map(rebuilt.map((e) => [e.event_id, e]));
  const missing: string[] = [];
  const differing: string[] = [];
  let same = 0;
  for (const [id, e] of built) {
    const other = have.get(id);
    if (!other) missing.push(id);
    else if (encodeEvent('PriceChanged', other).equals(encodeEvent('PriceChanged', e))) same++;
    else differing.push(id);
  }
  const extra = [...have.keys()].filter((id) => !built.has(id));
  return {
    rebuilt: built.size,
    existing: existing.length,
    same,
    missing,
    extra,
    differing,
    duplicates: [...duplicates],
  };
}

export function isSameSet(c: ChangesComparison): boolean {
  return (
    c.missing.length === 0 && c.extra.length === 0 && c.differing.length === 0 && c.duplicates.length === 0
  );
}
