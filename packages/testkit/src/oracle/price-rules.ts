// The independent test oracle for change detection: docs/price-model.md §3 applied to a time-ordered
// series of `/models` captures, for the ROUTED price of every model. Written from the documented
// rules and the raw OpenRouter JSON, never from the normalizer: a bug shared by code and oracle would
// otherwise pass every test (issue 11: 26 of 351 changes wrong and no test could see it).
import type { Decimal } from 'decimal.js';
import { isRecord } from '@llmpt/core';
import type { Dimension } from '@llmpt/schemas';
import { D, money, routedObservation, slotOf, type PublishedObservation } from './published.ts';

export type SlotChangeKind = 'new' | 'changed' | 'removed' | 'returned';
export type EventKind = SlotChangeKind | 'expiring';

export interface ExpectedSlotChange {
  readonly tier: string | null;
  readonly dimension: Dimension;
  readonly change: SlotChangeKind;
  readonly previous: string | null;
  readonly current: string | null;
  readonly relative_change: string | null;
  /** Whether this entry alone alerts (rule 7). */
  readonly alert: boolean;
}

export interface ExpectedEvent {
  /** Index of the capture in the series. */
  readonly capture: number;
  readonly price_key: string;
  readonly model_id: string;
  readonly kind: EventKind;
  readonly changes: readonly ExpectedSlotChange[];
  readonly alert: boolean;
  readonly expiration_date: string | null;
}

/** One `/models` response: when it was fetched and its entries as published. */
export interface Capture {
  readonly capturedAt: number;
  readonly models: readonly unknown[];
  /** Whether it is the whole catalog (rule 5); a filtered or failed run is not. Default true. */
  readonly complete?: boolean;
}

export interface RuleOptions {
  /** Alert threshold on |relative change| (rule 7). */
  readonly threshold?: string;
  /** Consecutive absences (of a slot, or of a model from complete snapshots) before `removed` (rules 4-5). */
  readonly removalAfterRuns?: number;
}

export const routedKey = (modelId: string): string => `${modelId}||openrouter_api`;

interface SlotState {
  last: string;
  absences: number;
  removed: boolean;
}

export interface KeyState {
  readonly slots: Map<string, SlotState>;
  removed: boolean;
  missingSnapshots: number;
  lastObservedAt: number;
  /** The UTC day and the published prices of the last observation (the same fact, rule 9). */
  lastDay?: string;
  lastContent?: string;
}

/** Relative change at scale 8; null when there is no non-zero previous value. */
export function relativeChange(previous: string, current: string): string | null {
  const p = new D(previous);
  return p.isZero() ? null : money(new D(current).minus(p).div(p));
}

/** Rule 7: |relative change| ≥ threshold, or a move from or to zero; nothing else alerts. */
export function movesAlert(previous: string, current: string, threshold: Decimal): boolean {
  const p = new D(previous);
  const c = new D(current);
  if (p.eq(c)) return false;
  if (p.isZero() || c.isZero()) return true;
  return new D(relativeChange(previous, current)!).abs().gte(threshold);
}

function entry(
  id: string,
  change: SlotChangeKind,
  previous: string | null,
  current: string | null,
  threshold: Decimal,
): ExpectedSlotChange {
  const { tier, dimension } = slotOf(id);
  const moved = previous !== null && current !== null;
  return {
    tier,
    dimension,
    change,
    previous,
    current,
    relative_change: moved ? relativeChange(previous, current) : null,
    alert: moved && change !== 'new' ? movesAlert(previous, current, threshold) : false,
  };
}

/**
 * The change-detection rules for one source's price keys. Feed it, in time order, each complete
 * snapshot's model ids and expirations and each observation; it returns the events §3 requires.
 */
export class PriceRules {
  readonly keys = new Map<string, KeyState>();
  private readonly expirations = new Map<string, string>();
  private readonly threshold: Decimal;
  private readonly removalAfter: number;

  constructor(opts: RuleOptions = {}) {
    this.threshold = new D(opts.threshold ?? '0.30');
    this.removalAfter = opts.removalAfterRuns ?? 2;
  }

  /** Rules 4-6 for one observation of a key. */
  observe(
    capture: number,
    key: string,
    modelId: string,
    obs: PublishedObservation,
    at: number,
    day: string = new Date(at).toISOString().slice(0, 10),
  ): ExpectedEvent | null {
    const state = this.keys.get(key);
    if (state && at < state.lastObservedAt) return null; // rule 8: a replay
    if (!obs.available) return null; // rule 1: nothing, not even an absence
    const content = JSON.stringify([...obs.slots].sort(([a], [b]) => a.localeCompare(b)));
    if (!state) {
      this.keys.set(key, {
        slots: newSlots(obs),
        removed: false,
        missingSnapshots: 0,
        lastObservedAt: at,
        lastDay: day,
        lastContent: content,
      });
      const changes = [...obs.slots].map(([id, v]) => entry(id, 'new', null, v, this.threshold));
      return this.event(capture, key, modelId, 'new', changes);
    }
    const sameFact = !state.removed && state.lastDay === day && state.lastContent === content;
    Object.assign(state, { lastObservedAt: at, lastDay: day, lastContent: content });
    if (sameFact) return null; // rule 9: the same prices the same day, a re-run: no absence counted
    const changes = [...this.seen(state, obs), ...this.absent(state, obs)];
    const kind = state.removed ? 'returned' : 'changed';
    state.removed = false;
    return changes.length === 0 ? null : this.event(capture, key, modelId, kind, changes);
  }

  private seen(state: KeyState, obs: PublishedObservation): ExpectedSlotChange[] {
    const out: ExpectedSlotChange[] = [];
    for (const [id, value] of obs.slots) {
      const slot = state.slots.get(id);
      if (!slot) {
        state.slots.set(id, { last: value, absences: 0, removed: false });
        out.push(entry(id, 'new', null, value, this.threshold));
        continue;
      }
      if (slot.removed) out.push(entry(id, 'returned', slot.last, value, this.threshold));
      else if (!new D(slot.last).eq(value)) out.push(entry(id, 'changed', slot.last, value, this.threshold));
      Object.assign(slot, { last: value, absences: 0, removed: false });
    }
    return out;
  }

  private absent(state: KeyState, obs: PublishedObservation): ExpectedSlotChange[] {
    const out: ExpectedSlotChange[] = [];
    // A removed key's slots were all removed with it; they only come back by being observed.
    if (state.removed) return out;
    for (const [id, slot] of state.slots) {
      if (slot.removed || obs.slots.has(id)) continue;
      slot.absences += 1;
      if (slot.absences < this.removalAfter) continue; // a blink: nothing
      slot.removed = true;
      out.push(entry(id, 'removed', slot.last, null, this.threshold));
    }
    return out;
  }

  /**
   * Rule 5 and the expiring half of rule 7 for one complete snapshot. `keysOf` names the price keys
   * of a model (here: its routed key).
   */
  snapshot(
    capture: number,
    modelIds: ReadonlySet<string>,
    expirations: ReadonlyMap<string, string>,
    keysOf: (modelId: string) => readonly string[],
    modelOfKey: (key: string) => string,
  ): ExpectedEvent[] {
    const out: ExpectedEvent[] = [];
    for (const [key, state] of this.keys) {
      if (modelIds.has(modelOfKey(key))) {
        state.missingSnapshots = 0;
        continue;
      }
      state.missingSnapshots += 1;
      if (state.removed || state.missingSnapshots < this.removalAfter) continue;
      const changes = [...state.slots]
        .filter(([, s]) => !s.removed)
        .map(([id, s]) => entry(id, 'removed', s.last, null, this.threshold));
      state.removed = true;
      for (const s of state.slots.values()) Object.assign(s, { removed: true, absences: 0 });
      out.push(this.event(capture, key, modelOfKey(key), 'removed', changes));
    }
    for (const [modelId, date] of expirations) {
      if (this.expirations.get(modelId) === date) continue;
      this.expirations.set(modelId, date);
      for (const key of keysOf(modelId))
        out.push({
          ...this.event(capture, key, modelId, 'expiring', []),
          alert: true,
          expiration_date: date,
        });
    }
    return out;
  }

  private event(
    capture: number,
    key: string,
    modelId: string,
    kind: EventKind,
    changes: ExpectedSlotChange[],
  ): ExpectedEvent {
    return {
      capture,
      price_key: key,
      model_id: modelId,
      kind,
      changes,
      alert: changes.some((c) => c.alert),
      expiration_date: null,
    };
  }
}

function newSlots(obs: PublishedObservation): Map<string, SlotState> {
  return new Map([...obs.slots].map(([id, v]) => [id, { last: v, absences: 0, removed: false }]));
}

/** A readable entry's id, or null (an entry without an id is not in the catalog). */
export function entryId(e: unknown): string | null {
  return isRecord(e) && typeof e.id === 'string' && e.id !== '' ? e.id : null;
}

/**
 * Entries that carry a routed price, first per id: OpenRouter's contract is a name and a `prompt`
 * and `completion` string; an entry without them is malformed (dead-lettered), not a price.
 */
export function pricedEntries(models: readonly unknown[]): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  const seen = new Set<string>();
  for (const e of models) {
    const id = entryId(e);
    if (id === null || seen.has(id)) continue;
    const readable =
      isRecord(e) &&
      typeof e.name === 'string' &&
      isRecord(e.pricing) &&
      typeof e.pricing.prompt === 'string' &&
      typeof e.pricing.completion === 'string';
    if (!readable) continue;
    seen.add(id);
    out.set(id, e);
  }
  return out;
}

/** Model id → expiration_date of the priced entries that carry one. */
export function expirationsOf(entries: ReadonlyMap<string, Record<string, unknown>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, e] of entries)
    if (typeof e.expiration_date === 'string' && e.expiration_date !== '') out.set(id, e.expiration_date);
  return out;
}

const modelOfRoutedKey = (key: string): string => key.slice(0, key.length - '||openrouter_api'.length);

/**
 * Every PriceChanged the pipeline must publish for the routed prices over a series of captures, in
 * capture order (within a capture: snapshot events, then observations in listing order).
 */
export function expectedRoutedChanges(captures: readonly Capture[], opts: RuleOptions = {}): ExpectedEvent[] {
  const rules = new PriceRules(opts);
  const out: ExpectedEvent[] = [];
  captures.forEach((c, i) => {
    const entries = pricedEntries(c.models);
    if (c.complete !== false) {
      const ids = new Set(c.models.map(entryId).filter((id): id is string => id !== null));
      out.push(...rules.snapshot(i, ids, expirationsOf(entries), (m) => [routedKey(m)], modelOfRoutedKey));
    }
    for (const [id, e] of entries) {
      const ev = rules.observe(i, routedKey(id), id, routedObservation(e), c.capturedAt);
      if (ev) out.push(ev);
    }
  });
  return out;
}

/**
 * One comparable line per published slot change (and per expiring event): capture, key, event
 * kind, slot, change kind, values, and the event's alert. Two sets of PriceChanged are equal per
 * slot exactly when their lines are equal.
 */
export function slotLines(events: readonly ExpectedEvent[]): string[] {
  return events
    .flatMap((e) =>
      e.kind === 'expiring'
        ? [`${e.capture} ${e.price_key} expiring ${e.expiration_date ?? ''} alert=${e.alert}`]
        : e.changes.map(
            (c) =>
              `${e.capture} ${e.price_key} ${e.kind} [${c.tier ?? 'base'}] ${c.dimension} ${c.change} ` +
              `${c.previous ?? 'null'} -> ${c.current ?? 'null'} rel=${c.relative_change ?? 'null'} alert=${e.alert}`,
          ),
    )
    .sort();
}
