import type { Decimal } from 'decimal.js';
import { ConfigError } from '@llmpt/core';
import {
  SourceTypeValues,
  eventId,
  priceKey,
  type CatalogSnapshot,
  type ChangeKind,
  type DimensionChange,
  type NormalizedPrice,
  type PriceChanged,
  type RawPriceObserved,
  type SourceType,
} from '@llmpt/schemas';
import { NormalizeError } from '../errors.ts';
import { contentIdOf, normalize, withEventId } from './normalize.ts';
import { emptyState, slotId, slotsOf, type PriceState, type SlotState, type SlotValue } from './state.ts';
import { Dec, toMoney } from './units.ts';

/** Default alert threshold: a move of 30 % or more either way. */
export const DEFAULT_ALERT_THRESHOLD = '0.30';
/** Default lifecycle policy: two consecutive absences remove a slot (or a model's keys); one is a blink. */
export const DEFAULT_REMOVAL_AFTER_RUNS = 2;

export interface DecideOptions {
  /** |relative change| at or above which a change alerts; a Decimal, or its string/number. Default 0.30. */
  readonly alertThreshold?: Decimal.Value;
  /** Consecutive absences (of a slot, or of a model from the catalog) that make a removal. Default 2. */
  readonly removalAfterRuns?: number;
}

export interface Decision {
  readonly changed: PriceChanged | null;
  /** The state entry after this observation: `=== last` when there is nothing new to persist. */
  readonly next: PriceState | undefined;
}

interface Policy {
  readonly threshold: Decimal;
  /** The threshold as PriceChanged states it. */
  readonly thresholdText: string;
  readonly removalAfterRuns: number;
}

// Options objects live as long as the handler that holds them: each is read once, not per decision.
const policies = new WeakMap<DecideOptions, Policy>();

function policyOf(opts: DecideOptions): Policy {
  let policy = policies.get(opts);
  if (!policy) {
    policy = readPolicy(opts);
    policies.set(opts, policy);
  }
  return policy;
}

function readPolicy(opts: DecideOptions): Policy {
  const value = new Dec(opts.alertThreshold ?? DEFAULT_ALERT_THRESHOLD);
  if (!value.isFinite() || value.isNegative()) {
    throw new ConfigError(`alertThreshold must be a finite decimal >= 0, got ${value.toString()}`);
  }
  const removalAfterRuns = opts.removalAfterRuns ?? DEFAULT_REMOVAL_AFTER_RUNS;
  if (!Number.isInteger(removalAfterRuns) || removalAfterRuns < 1)
    throw new ConfigError(`removalAfterRuns must be an integer >= 1, got ${removalAfterRuns}`);
  // "0.30" as in the schema's default, without losing digits of a finer threshold (0.125).
  return {
    threshold: value,
    thresholdText: value.toFixed(Math.max(2, value.decimalPlaces())),
    removalAfterRuns,
  };
}

/**
 * A money string at the stored precision: scale 8, half-even (float artifacts fold onto their price).
 * Remembered per text: a catalog repeats the same few thousand prices every day.
 */
const scaled = new Map<string, string>();
const SCALED_REMEMBERED = 50_000;

function atScale(value: string): string {
  let money = scaled.get(value);
  if (money === undefined) {
    money = toMoney(new Dec(value));
    if (scaled.size >= SCALED_REMEMBERED) scaled.clear();
    scaled.set(value, money);
  }
  return money;
}

const ZERO_MONEY = toMoney(new Dec(0));

interface Entry {
  readonly change: DimensionChange;
  readonly alert: boolean;
}

function entry(
  slot: { tier: string | null; dimension: string },
  change: 'new' | 'changed' | 'removed' | 'returned',
  previous: string | null,
  current: string | null,
  relative_change: string | null = null,
): DimensionChange {
  return { dimension: slot.dimension, previous, current, relative_change, tier: slot.tier, change };
}

/**
 * A known value against the one observed (both at scale 8), rule 7: an alert is a relative move at or
 * above the threshold, or a move from or to zero. The relative change is the published (scale-8) one,
 * so the alert never disagrees with it.
 */
function compare(previous: string, current: string, policy: Policy) {
  // Both at scale 8: the same text is the same value (no move; relative 0 unless from zero).
  if (previous === current)
    return { moved: false, relative: new Dec(previous).isZero() ? null : ZERO_MONEY, alert: false };
  const prev = new Dec(previous);
  const cur = new Dec(current);
  const moved = !prev.eq(cur);
  if (prev.isZero()) return { moved, relative: null, alert: moved };
  const relative = toMoney(cur.minus(prev).div(prev));
  return { moved, relative, alert: moved && (cur.isZero() || new Dec(relative).abs().gte(policy.threshold)) };
}

/** A slot the observation carries, against what the state knows of it (rules 2, 3, 6). */
function observedSlot(known: SlotState | undefined, seen: SlotValue, policy: Policy): Entry | null {
  if (!known) return { change: entry(seen, 'new', null, seen.value), alert: false };
  const c = compare(known.value, seen.value, policy);
  if (known.removed)
    return { change: entry(seen, 'returned', known.value, seen.value, c.relative), alert: c.alert };
  if (!c.moved) return null;
  return { change: entry(seen, 'changed', known.value, seen.value, c.relative), alert: c.alert };
}

/** A known slot the observation does not carry (rule 4): one more absence, removed after the policy's count. */
function absentSlot(known: SlotState, policy: Policy): { slot: SlotState; entry: Entry | null } {
  if (known.removed) return { slot: known, entry: null };
  const absences = known.absences + 1;
  if (absences < policy.removalAfterRuns) return { slot: { ...known, absences }, entry: null };
  return {
    slot: { ...known, absences, removed: true },
    entry: { change: entry(known, 'removed', known.value, null), alert: false },
  };
}

/** Every slot of a key after an observation, and the change entries, in slot order (known first). */
function diffSlots(known: readonly SlotState[], observed: readonly SlotValue[], policy: Policy) {
  const seen = new Map(observed.map((o) => [slotId(o.tier, o.dimension), { ...o, value: atScale(o.value) }]));
  const slots: SlotState[] = [];
  const entries: Entry[] = [];
  for (const k of known) {
    const id = slotId(k.tier, k.dimension);
    const o = seen.get(id);
    seen.delete(id);
    if (o) {
      const e = observedSlot(k, o, policy);
      if (e) entries.push(e);
      slots.push({ ...k, value: o.value, absences: 0, removed: false });
    } else {
      const a = absentSlot(k, policy);
      slots.push(a.slot);
      if (a.entry) entries.push(a.entry);
    }
  }
  for (const o of seen.values()) {
    entries.push(observedSlot(undefined, o, policy)!);
    slots.push({ ...o, absences: 0, removed: false });
  }
  return { slots, entries };
}

/**
 * Compares a NormalizedPrice with what is known of its key, slot by slot (docs/price-model.md §3): a
 * slot seen for the first time is `new`, a different value at scale 8 `changed`, a slot absent for
 * `removalAfterRuns` observations `removed` (one absence is a blink: nothing), a removed slot seen
 * again `returned`, compared with its last known value. The event is `new` for the key's first
 * observation, `returned` when the key had been removed, else `changed`. An unavailable observation
 * changes nothing, and one older than the state is a replay: no event, state kept.
 */
export function decide(
  last: PriceState | undefined,
  np: NormalizedPrice,
  opts: DecideOptions = {},
): Decision {
  const policy = policyOf(opts);
  const observed = slotsOf(np);
  if (observed.length === 0) return { changed: null, next: last };
  if (last && last.observed_at !== null) {
    if (np.observed_at < last.observed_at) return { changed: null, next: last };
    // The same content the same day is the same fact (a re-run): it moves the time, counts no absence.
    if (np.event_id === last.event_id && !last.removed)
      return {
        changed: null,
        next: np.observed_at === last.observed_at ? last : { ...last, observed_at: np.observed_at },
      };
  }
  const before = last ?? emptyState(np.price_key);
  const kind: ChangeKind = before.slots.length === 0 ? 'new' : before.removed ? 'returned' : 'changed';
  const { slots, entries } = diffSlots(before.slots, observed, policy);
  const next: PriceState = {
    ...before,
    slots,
    removed: false,
    // A key back in the catalog starts its absence count again.
    absent_snapshots: kind === 'returned' ? 0 : before.absent_snapshots,
    observed_at: np.observed_at,
    event_id: np.event_id,
    content_id: contentIdOf(np),
    snapshot_date: np.snapshot_date,
  };
  if (entries.length === 0) return { changed: null, next };
  const changes = entries.map((e) => e.change);
  return {
    changed: {
      event_id: eventId('PriceChanged', np.price_key, kind, JSON.stringify(changes), np.event_id),
      run_id: np.run_id,
      caused_by: np.event_id,
      occurred_at: np.occurred_at,
      price_key: np.price_key,
      model_id: np.model_id,
      provider: np.provider,
      source_type: np.source_type,
      kind,
      changes,
      previous_observed_at: before.observed_at,
      current_observed_at: np.observed_at,
      snapshot_date: np.snapshot_date,
      alert: entries.some((e) => e.alert),
      alert_threshold: policy.thresholdText,
      expiration_date: null,
      // Set by the valid-time placement (docs/price-model.md §4.5), never by the rules.
      backfilled: false,
    },
    next,
  };
}

/** The parts of a price key: model|provider|source_type, provider empty for the routed price. */
export function parsePriceKey(key: string): {
  model_id: string;
  provider: string | null;
  source_type: SourceType;
} {
  const parts = key.split('|');
  const [model_id, provider, source_type] = parts;
  const known = (SourceTypeValues as readonly string[]).includes(source_type ?? '');
  if (parts.length !== 3 || !model_id || provider === undefined || !known) {
    throw new NormalizeError('INVALID_PRICE_STATE', `malformed price key ${JSON.stringify(key)}`);
  }
  return { model_id, provider: provider === '' ? null : provider, source_type: source_type as SourceType };
}

/** What a lifecycle event (removal, expiration) of a key says beside its kind, from the snapshot that caused it. */
function lifecycleEvent(
  key: string,
  snapshot: CatalogSnapshot,
  policy: Policy,
): Omit<
  PriceChanged,
  'event_id' | 'kind' | 'changes' | 'previous_observed_at' | 'alert' | 'expiration_date'
> {
  const { model_id, provider, source_type } = parsePriceKey(key);
  return {
    run_id: snapshot.run_id,
    caused_by: snapshot.event_id,
    occurred_at: snapshot.occurred_at,
    price_key: key,
    model_id,
    provider,
    source_type,
    current_observed_at: null,
    snapshot_date: snapshot.snapshot_date,
    alert_threshold: policy.thresholdText,
    backfilled: false,
  };
}

/** Rule 5: every slot still known goes to null, without alert (a listing went away, no price moved). */
function removedKey(s: PriceState, snapshot: CatalogSnapshot, policy: Policy): PriceChanged {
  const changes = s.slots.filter((x) => !x.removed).map((x) => entry(x, 'removed', x.value, null));
  return {
    ...lifecycleEvent(s.price_key, snapshot, policy),
    event_id: eventId('PriceChanged', s.price_key, 'removed', JSON.stringify(changes), snapshot.event_id),
    kind: 'removed',
    changes,
    previous_observed_at: s.observed_at,
    alert: false,
    expiration_date: null,
  };
}

/**
 * Rule 7: a model given an expiration date (or another one) alerts once, on its routed key. The id
 * chains from the key's previous expiring event: a snapshot id covers the day and the listed ids, not
 * the dates, so a date changed and changed back within one day (X, Y, X) must not repeat X's id.
 */
function expiring(
  key: string,
  date: string,
  previous: string | null,
  snapshot: CatalogSnapshot,
  policy: Policy,
): PriceChanged {
  return {
    ...lifecycleEvent(key, snapshot, policy),
    event_id:
      previous === null
        ? eventId('PriceChanged', key, 'expiring', date, snapshot.event_id)
        : eventId('PriceChanged', key, 'expiring', date, previous, snapshot.event_id),
    kind: 'expiring',
    changes: [],
    // Not the key's last observation: whether the run's prices were applied before the snapshot or
    // after must not change the event (the rebuild orders them by time, the live stage by arrival).
    previous_observed_at: null,
    alert: true,
    expiration_date: date,
  };
}

/** One key against one snapshot (rule 5): counted once per snapshot; removed after the policy's count. */
function countSnapshot(s: PriceState, present: boolean, snapshot: CatalogSnapshot, policy: Policy) {
  if (s.last_snapshot_id === snapshot.event_id) return { state: s, removal: null };
  if (present)
    return {
      state:
        s.absent_snapshots === 0 ? s : { ...s, absent_snapshots: 0, last_snapshot_id: snapshot.event_id },
      removal: null,
    };
  // A removed key has nothing more to count: its state (and the changelog) stays as it is.
  if (s.removed) return { state: s, removal: null };
  const counted = { ...s, absent_snapshots: s.absent_snapshots + 1, last_snapshot_id: snapshot.event_id };
  // A key never priced (only an expiration date) has nothing to remove.
  if (counted.absent_snapshots < policy.removalAfterRuns || s.slots.length === 0)
    return { state: counted, removal: null };
  return {
    state: { ...counted, removed: true, slots: s.slots.map((x) => ({ ...x, removed: true })) },
    removal: removedKey(s, snapshot, policy),
  };
}

export interface CatalogDecision {
  readonly changes: PriceChanged[];
  /** Only the keys whose state changed. */
  readonly next: Map<string, PriceState>;
}

/**
 * The model lifecycle from one complete catalog snapshot (docs/price-model.md §3 rules 5 and 7): a
 * model absent from `removalAfterRuns` consecutive snapshots has every key removed (the same snapshot
 * seen again counts nothing); a model whose expiration date is new or different gets one `expiring`
 * event on its routed key. Keys are visited in sorted order, so the events do not depend on the order
 * the state was restored in.
 */
export function applyCatalogSnapshot(
  state: ReadonlyMap<string, PriceState>,
  snapshot: CatalogSnapshot,
  opts: DecideOptions = {},
): CatalogDecision {
  const policy = policyOf(opts);
  const present = new Set(snapshot.model_ids);
  const expirations = new Map(snapshot.expirations.map((e) => [e.model_id, e.expiration_date]));
  const changes: PriceChanged[] = [];
  const next = new Map<string, PriceState>();
  for (const key of [...state.keys()].sort()) {
    const s = state.get(key)!;
    const { model_id } = parsePriceKey(key);
    const counted = countSnapshot(s, present.has(model_id), snapshot, policy);
    if (counted.removal) changes.push(counted.removal);
    if (counted.state !== s) next.set(key, counted.state);
  }
  for (const [model_id, date] of [...expirations].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const key = priceKey(model_id, null, 'openrouter_api');
    const s = next.get(key) ?? state.get(key) ?? emptyState(key);
    // Compared with the date last announced: a withdrawn date is silent (rule 7), so the same date
    // given again (the same UTC day or later) announces nothing new.
    if (s.expiration_date === date) continue;
    const event = expiring(key, date, s.expiring_event_id, snapshot, policy);
    changes.push(event);
    next.set(key, { ...s, expiration_date: date, expiring_event_id: event.event_id });
  }
  return { changes, next };
}

export interface NormalizeAndDecideResult {
  readonly normalized: NormalizedPrice;
  readonly changed: PriceChanged | null;
  /** The state entry for `normalized.price_key` after this observation (undefined: still nothing known). */
  readonly next: PriceState | undefined;
}

/**
 * The identity of an observation within a day. Its base id (key, UTC day, content) makes a re-run of
 * the day a no-op; but a price that moves within one day (A, then B, then A again) must not fold the
 * second A into the first, or the day's latest row would still say B. So, against the key's last
 * observation of the same day: the same content keeps its id (a re-run adds nothing), and different
 * content gets an id chained to the last one (a new fact, a new row). A key removed since its last
 * observation is never a re-run: its return the same day, even at the same price, is a new fact.
 */
export function identifyWithinDay(last: PriceState | undefined, np: NormalizedPrice): NormalizedPrice {
  if (
    !last ||
    last.event_id === null ||
    last.observed_at === null ||
    np.status !== 'ok' ||
    last.snapshot_date !== np.snapshot_date ||
    np.observed_at < last.observed_at
  )
    return np;
  const same = contentIdOf(np) === last.content_id && !last.removed;
  const event_id = same ? last.event_id : eventId('NormalizedPrice', np.event_id, 'after', last.event_id);
  return event_id === np.event_id ? np : withEventId(np, event_id);
}

/** The whole stage for one raw observation: normalize, then decide against its key's state. Mutates nothing. */
export function normalizeAndDecide(
  state: ReadonlyMap<string, PriceState>,
  raw: RawPriceObserved,
  opts: DecideOptions = {},
): NormalizeAndDecideResult {
  const base = normalize(raw);
  const last = state.get(base.price_key);
  const normalized = identifyWithinDay(last, base);
  const { changed, next } = decide(last, normalized, opts);
  return { normalized, changed, next };
}
