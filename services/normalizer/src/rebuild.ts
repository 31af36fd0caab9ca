import { encodeEvent, type NormalizedPrice, type PriceChanged } from '@llmpt/schemas';
import { decide, type DecideOptions } from './changes.ts';
import type { LastPrice } from './state.ts';

export interface RebuiltChanges {
  /** The PriceChanged events, in the order the normalizer would have emitted them per key. */
  readonly changes: PriceChanged[];
  /** The normalizer's state after the last observation: what its changelog should hold. */
  readonly state: Map<string, LastPrice>;
}

/**
 * The normalizer's change detection from scratch over the NormalizedPrice log: each observation is
 * decided against the last price of its key, exactly as the live normalizer decided it (same pure
 * `decide`, same ids), so the PriceChanged topic and the normalizer's state can be rebuilt from
 * NormalizedPrice alone. Give the observations in log order per partition (a key lives on one partition).
 */
export function rebuildChanges(
  observations: Iterable<NormalizedPrice>,
  opts: DecideOptions = {},
): RebuiltChanges {
  const state = new Map<string, LastPrice>();
  const changes: PriceChanged[] = [];
  for (const np of observations) {
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
