// The rules the pipeline followed before the price model v2, kept only to measure what v2 changes
// (issue 11's closing note): 8 columns holding the highest value over the base and every tier, a
// null on either side is a change with an alert, and no lifecycle. Never an oracle for v2 code.
import type { Dimension } from '@llmpt/schemas';
import { D, money, routedObservation, slotOf, type PublishedObservation } from './published.ts';
import { entryId, pricedEntries, routedKey, type Capture, type ExpectedEvent } from './price-rules.ts';

/** The v1 columns (the seed's price_observations), and where each v2 dimension was in v1. */
export const V1_COLUMNS = [
  'prompt',
  'completion',
  'internal_reasoning',
  'input_cache_read',
  'input_cache_write',
  'request',
  'image',
  'web_search',
] as const;
export type V1Column = (typeof V1_COLUMNS)[number];

/** v1 put a per-token `image` in its `image` column; the v2-only dimensions had no column. */
export function v1ColumnOf(d: Dimension): V1Column | null {
  if (d === 'image_token') return 'image';
  return (V1_COLUMNS as readonly string[]).includes(d) ? (d as V1Column) : null;
}

export interface V1Change {
  readonly capture: number;
  readonly price_key: string;
  readonly kind: 'new' | 'changed';
  readonly changes: readonly { column: V1Column; previous: string | null; current: string | null }[];
  readonly alert: boolean;
}

type Columns = Record<V1Column, string | null>;

/** The v1 columns of an observation: the highest value per column over the base and every tier. */
export function v1Columns(obs: PublishedObservation): Columns {
  const out = Object.fromEntries(V1_COLUMNS.map((c) => [c, null])) as Columns;
  for (const [id, value] of obs.slots) {
    const col = v1ColumnOf(slotOf(id).dimension);
    if (col !== null && (out[col] === null || new D(value).gt(out[col]))) out[col] = value;
  }
  return out;
}

function v1Compare(prev: Columns, cur: Columns): V1Change['changes'] {
  const changes: { column: V1Column; previous: string | null; current: string | null }[] = [];
  for (const col of V1_COLUMNS) {
    const a = prev[col];
    const b = cur[col];
    if (a === b || (a !== null && b !== null && new D(a).eq(b))) continue;
    changes.push({ column: col, previous: a, current: b });
  }
  return changes;
}

function v1Alerts(a: string | null, b: string | null, threshold: string): boolean {
  if (a === null || b === null) return true;
  const pa = new D(a);
  const pb = new D(b);
  if (pa.isZero() || pb.isZero()) return true;
  return new D(money(pb.minus(pa).div(pa))).abs().gte(threshold);
}

/** What the v1 rules published for the routed prices over the series. */
export function v1RoutedChanges(captures: readonly Capture[], threshold = '0.30'): V1Change[] {
  const last = new Map<string, Columns>();
  const out: V1Change[] = [];
  captures.forEach((c, capture) => {
    for (const [id, e] of pricedEntries(c.models)) {
      const obs = routedObservation(e);
      if (!obs.available) continue;
      const key = routedKey(id);
      const cols = v1Columns(obs);
      const prev = last.get(key);
      last.set(key, cols);
      if (!prev) {
        const changes = V1_COLUMNS.filter((col) => cols[col] !== null).map((column) => ({
          column,
          previous: null,
          current: cols[column],
        }));
        out.push({ capture, price_key: key, kind: 'new', changes, alert: false });
        continue;
      }
      const changes = v1Compare(prev, cols);
      const alert = changes.some((x) => v1Alerts(x.previous, x.current, threshold));
      if (changes.length > 0) out.push({ capture, price_key: key, kind: 'changed', changes, alert });
    }
  });
  return out;
}

export interface V2VersusV1 {
  readonly v2: {
    events: number;
    entries: Record<string, number>;
    alerts: number;
    byKind: Record<string, number>;
  };
  readonly v1: { events: number; entries: number; alerts: number };
  /** v2 moves (changed/returned entries) v1 did not publish at all, by why. */
  readonly invisibleToV1: { baseOnly: number; tier: number; newDimension: number; other: number };
  /** v2 slots first published on a known key in a dimension v1 had no column for. */
  readonly newDimensionSlots: number;
  /** v1 entries that v2 does not publish (a blink: to null and back), and v1 alerts v2 does not raise. */
  readonly v1Spurious: { entries: number; alerts: number };
  /** Real moves v1 published without their previous price (a return after a blink, from null). */
  readonly v1WithoutPrevious: number;
  /** v2 events v1 could not express: removals, returns of a key, expirations. */
  readonly lifecycle: { removed: number; returned: number; expiring: number };
}

const at = (capture: number, key: string): string => `${capture} ${key}`;

/** The figures of issue 11's closing note: what v2 finds that v1 missed, and what v1 got wrong. */
export function compareWithV1(
  captures: readonly Capture[],
  v2: readonly ExpectedEvent[],
  v1: readonly V1Change[],
): V2VersusV1 {
  const v1By = new Map(v1.map((e) => [at(e.capture, e.price_key), e]));
  const v2By = new Map<string, ExpectedEvent[]>();
  for (const e of v2)
    v2By.set(at(e.capture, e.price_key), [...(v2By.get(at(e.capture, e.price_key)) ?? []), e]);
  const tiered = tieredKeys(captures);

  const entries: Record<string, number> = {};
  const byKind: Record<string, number> = {};
  const invisible = { baseOnly: 0, tier: 0, newDimension: 0, other: 0 };
  let newDimensionSlots = 0;
  let v1WithoutPrevious = 0;
  for (const e of v2) {
    byKind[e.kind] = (byKind[e.kind] ?? 0) + 1;
    for (const c of e.changes) {
      entries[c.change] = (entries[c.change] ?? 0) + 1;
      const col = v1ColumnOf(c.dimension);
      if (c.change === 'new' && e.kind !== 'new' && col === null) newDimensionSlots += 1;
      if ((c.change !== 'changed' && c.change !== 'returned') || c.previous === c.current) continue;
      const seen = v1By.get(at(e.capture, e.price_key))?.changes.find((x) => x.column === col);
      if (seen && seen.previous === null) v1WithoutPrevious += 1;
      if (seen) continue;
      if (col === null) invisible.newDimension += 1;
      else if (c.tier !== null) invisible.tier += 1;
      else if (tiered.has(at(e.capture, e.price_key))) invisible.baseOnly += 1;
      else invisible.other += 1;
    }
  }
  const spurious = { entries: 0, alerts: 0 };
  for (const e of v1) {
    if (e.kind === 'new') continue;
    const mine = v2By.get(at(e.capture, e.price_key)) ?? [];
    for (const c of e.changes) {
      const published = mine.some((m) => m.changes.some((x) => v1ColumnOf(x.dimension) === c.column));
      if (!published) spurious.entries += 1;
    }
    if (e.alert && !mine.some((m) => m.alert)) spurious.alerts += 1;
  }
  return {
    v2: { events: v2.length, entries, alerts: v2.filter((e) => e.alert).length, byKind },
    v1: {
      events: v1.length,
      entries: v1.reduce((n, e) => n + e.changes.length, 0),
      alerts: v1.filter((e) => e.alert).length,
    },
    invisibleToV1: invisible,
    newDimensionSlots,
    v1Spurious: spurious,
    v1WithoutPrevious,
    lifecycle: {
      removed: byKind.removed ?? 0,
      returned: byKind.returned ?? 0,
      expiring: byKind.expiring ?? 0,
    },
  };
}

/** (capture, key) pairs whose routed price has at least one tier. */
function tieredKeys(captures: readonly Capture[]): Set<string> {
  const out = new Set<string>();
  captures.forEach((c, i) => {
    for (const e of c.models) {
      const id = entryId(e);
      if (id === null) continue;
      const obs = routedObservation(e as Record<string, unknown>);
      if ([...obs.slots.keys()].some((s) => slotOf(s).tier !== null)) out.add(at(i, routedKey(id)));
    }
  });
  return out;
}
