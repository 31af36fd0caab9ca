import {
  changeDigest,
  eventId,
  priceKey,
  type CatalogSnapshot,
  type NormalizedPrice,
  type PriceChangeRetracted,
  type PriceChanged,
  versionOf,
} from '@llmpt/schemas';
import { ConfigError } from '@llmpt/core';
import { applyCatalogSnapshot, decide, parsePriceKey, type DecideOptions } from './changes.ts';
import { stateText, type PriceState } from './state.ts';

/**
 * Valid time apart from arrival order (docs/price-model.md §4): a key's PriceChanged set is what the
 * in-order rules give over its inputs sorted by position, whatever order they arrive in. This module
 * places each input into its key's history, recomputes from the insertion point when it is late, and
 * says what to publish and what to retract. It reuses `decide` and `applyCatalogSnapshot`: the rules
 * themselves live in changes.ts only.
 */

/** One input of a key: an observation of it, or a catalog snapshot seen from it (§4.1). */
export type KeyInput =
  | { readonly observation: NormalizedPrice; readonly backfill: boolean }
  | { readonly snapshot: CatalogSnapshot; readonly backfill: boolean };

/** What the normalizer keeps of one key (§4.6). */
export interface KeyHistory {
  readonly price_key: string;
  /**
   * The folded prefix (§4.6): every input at or before `horizon` was applied and dropped, `start` is the
   * state after them. null: nothing folded (`start` is then undefined).
   */
  readonly horizon: Position | null;
  readonly start: PriceState | undefined;
  /** Every input of the key after the horizon, in position order, each position once. */
  readonly inputs: readonly KeyInput[];
  /** The state after the last input (undefined: nothing known of the key yet). */
  readonly state: PriceState | undefined;
  /** The revision of the key's last PriceChangeRetracted record (0: none yet). */
  readonly revision: number;
  /** The versions (`versionOf`) currently retracted: one that is due again gets a reinstating record. */
  readonly retracted: readonly string[];
  /**
   * In memory only (not in the changelog record): the state after some inputs, in position order, so
   * a late input replays at most `markEvery` inputs to find the state at its insertion point (§4.2).
   */
  readonly marks?: readonly Mark[];
}

/** The state after the input at position `after`. */
export interface Mark {
  readonly after: Position;
  readonly state: PriceState | undefined;
}

export interface ValidTimeOptions extends DecideOptions {
  /** Keep the state after every this many inputs of a key (in memory). Default 16. */
  readonly markEvery?: number;
}

const DEFAULT_MARK_EVERY = 16;

/**
 * A retraction record (§4.4): the version `retracted_event_id`/`retracted_digest` is no longer in force
 * (`retracted`), or is in force again (`!retracted`). For a version, the highest revision wins. The
 * event as schemas/PriceChangeRetracted.avsc defines it.
 */
export type { PriceChangeRetracted };

/** A change to publish, with the backfilled marker of §4.5 (not part of its id or digest). */
export interface PublishedChange {
  readonly change: PriceChanged;
  readonly digest: string;
  readonly backfilled: boolean;
}

export interface KeyStep {
  readonly history: KeyHistory;
  /**
   * The input lies at or before the horizon: it cannot be placed here (nothing changed); the caller
   * rebuilds the key from the event store (§4.6).
   */
  readonly beforeHorizon: boolean;
  readonly publish: PublishedChange[];
  readonly retractions: PriceChangeRetracted[];
}

// Moved to @llmpt/schemas (the sink computes the same digest); re-exported for the normalizer's code.
export { CHANGE_DIGEST_FIELDS, changeDigest, versionOf } from '@llmpt/schemas';

export type Position = readonly [time: number, rank: 0 | 1, id: string];

/** §4.1: (time, snapshot before observation, event id). */
export function positionOf(input: KeyInput): Position {
  return 'snapshot' in input
    ? [input.snapshot.fetched_at, 0, input.snapshot.event_id]
    : [input.observation.observed_at, 1, input.observation.event_id];
}

export function comparePositions(a: Position, b: Position): number {
  if (a[0] !== b[0]) return a[0] - b[0];
  if (a[1] !== b[1]) return a[1] - b[1];
  return a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0;
}

/**
 * A snapshot as one key sees it (§4.1): whether the key's model is listed and, on the routed key, the
 * model's expiration date. `applyCatalogSnapshot` reads nothing else of it for this key, so applying
 * the projection to the key alone gives what applying the whole snapshot to every key gives it.
 */
export function snapshotSeenFrom(key: string, snapshot: CatalogSnapshot): CatalogSnapshot {
  const { model_id } = parsePriceKey(key);
  const routed = key === priceKey(model_id, null, 'openrouter_api');
  return {
    ...snapshot,
    model_ids: snapshot.model_ids.includes(model_id) ? [model_id] : [],
    expirations: routed ? snapshot.expirations.filter((e) => e.model_id === model_id) : [],
  };
}

interface Applied {
  readonly state: PriceState | undefined;
  readonly changes: PriceChanged[];
}

/** One input against the key's state, by the in-order rules (docs/price-model.md §3). */
function applyInput(
  key: string,
  state: PriceState | undefined,
  input: KeyInput,
  opts: DecideOptions,
): Applied {
  if ('observation' in input) {
    const { changed, next } = decide(state, input.observation, opts);
    return { state: next, changes: changed ? [changed] : [] };
  }
  const known = new Map<string, PriceState>(state ? [[key, state]] : []);
  const { changes, next } = applyCatalogSnapshot(known, input.snapshot, opts);
  return { state: next.get(key) ?? state, changes };
}

function sameState(a: PriceState | undefined, b: PriceState | undefined): boolean {
  if (a === b) return true;
  return a !== undefined && b !== undefined && stateText(a) === stateText(b);
}

/** A key with no input yet. */
export function emptyHistory(price_key: string): KeyHistory {
  return {
    price_key,
    horizon: null,
    start: undefined,
    inputs: [],
    state: undefined,
    revision: 0,
    retracted: [],
  };
}

/**
 * A history from inputs in any order, each applied in position order (duplicates dropped), with what
 * they published. For seeding a key that appears late with the snapshots already known (§4.2).
 */
export function historyOf(
  price_key: string,
  inputs: readonly KeyInput[],
  opts: DecideOptions = {},
): { history: KeyHistory; changes: PriceChanged[] } {
  const sorted = [...inputs].sort((a, b) => comparePositions(positionOf(a), positionOf(b)));
  const kept = sorted.filter(
    (x, i) => i === 0 || comparePositions(positionOf(sorted[i - 1]!), positionOf(x)) !== 0,
  );
  let state: PriceState | undefined;
  const changes: PriceChanged[] = [];
  for (const input of kept) {
    const r = applyInput(price_key, state, input, opts);
    state = r.state;
    changes.push(...r.changes);
  }
  return { history: { ...emptyHistory(price_key), inputs: kept, state }, changes };
}

/**
 * Folds every input at or before `horizon` into the history's start state (§4.6): the decisions of the
 * folded inputs can no longer change, and later ones read only the state they end with. From then on an
 * input at or before the horizon is refused (`beforeHorizon`).
 */
export function foldUntil(history: KeyHistory, horizon: Position, opts: DecideOptions = {}): KeyHistory {
  if (history.horizon && comparePositions(horizon, history.horizon) <= 0) return history;
  const cut = insertionIndex(history.inputs, horizon);
  const there = history.inputs[cut];
  const end = there && comparePositions(positionOf(there), horizon) === 0 ? cut + 1 : cut;
  let start = history.start;
  for (const x of history.inputs.slice(0, end)) start = applyInput(history.price_key, start, x, opts).state;
  const marks = (history.marks ?? []).filter((m) => comparePositions(m.after, horizon) > 0);
  return { ...history, horizon, start, inputs: history.inputs.slice(end), marks };
}

const DAY_MS = 86_400_000;
const utcDay = (p: Position): number => Math.floor(p[0] / DAY_MS);

/** The index where `pos` goes (the first input not before it). */
function insertionIndex(inputs: readonly KeyInput[], pos: Position): number {
  let lo = 0;
  let hi = inputs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePositions(positionOf(inputs[mid]!), pos) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The key's state just before position `pos`: after every input of its history before it (§4.2). In
 * time (after every input) that is the history's state; otherwise a replay from the last mark before
 * `pos`, or from the start. Pure: the marks it walks are not kept (the placement of the input that
 * follows marks them). At or before the horizon the inputs are folded away: the start state is the
 * nearest known, and such an input is refused by `placeInput` anyway.
 */
export function stateBefore(
  history: KeyHistory,
  pos: Position,
  opts: DecideOptions = {},
): PriceState | undefined {
  if (history.horizon && comparePositions(pos, history.horizon) <= 0) return history.start;
  const at = insertionIndex(history.inputs, pos);
  if (at === history.inputs.length) return history.state;
  const marks = history.marks ?? [];
  let from: Mark | undefined;
  for (let m = marks.length - 1; m >= 0 && !from; m--)
    if (comparePositions(marks[m]!.after, pos) < 0) from = marks[m];
  let state = from ? from.state : history.start;
  for (let i = from ? insertionIndex(history.inputs, from.after) + 1 : 0; i < at; i++)
    state = applyInput(history.price_key, state, history.inputs[i]!, opts).state;
  return state;
}

/** Whether `pos` is late for the key (§4.2): its history holds an input after it. */
export function isLateFor(history: KeyHistory, pos: Position): boolean {
  const last = history.inputs[history.inputs.length - 1];
  return last !== undefined && comparePositions(positionOf(last), pos) > 0;
}

function causeOf(input: KeyInput): { id: string; occurred_at: number } {
  const e = 'snapshot' in input ? input.snapshot : input.observation;
  return { id: e.event_id, occurred_at: e.occurred_at };
}

/** The versions a sequence of changes holds, by version (the last one of a version wins: same content). */
function byVersion(changes: readonly PriceChanged[]): Map<string, { change: PriceChanged; digest: string }> {
  const out = new Map<string, { change: PriceChanged; digest: string }>();
  for (const change of changes) {
    const digest = changeDigest(change);
    out.set(versionOf(change.event_id, digest), { change, digest });
  }
  return out;
}

/**
 * Places one input into a key's history (docs/price-model.md §4.2): a duplicate changes nothing; an
 * input in time is decided against the current state; a late one recomputes the key from its insertion
 * point until the state converges with the old sequence's, publishes the versions that are now due and
 * retracts those that no longer are. A snapshot must already be seen from the key (`snapshotSeenFrom`).
 */
export function placeInput(history: KeyHistory, input: KeyInput, opts: ValidTimeOptions = {}): KeyStep {
  const key = history.price_key;
  const pos = positionOf(input);
  if (history.horizon && comparePositions(pos, history.horizon) <= 0)
    return { history, beforeHorizon: true, publish: [], retractions: [] };
  const at = insertionIndex(history.inputs, pos);
  const there = history.inputs[at];
  if (there && comparePositions(positionOf(there), pos) === 0)
    return { history, beforeHorizon: false, publish: [], retractions: [] };
  const inputs = [...history.inputs.slice(0, at), input, ...history.inputs.slice(at)];

  const inTime = at === history.inputs.length;
  let before = history.start;
  let fresh: Applied;
  let added: PriceChanged[];
  /** The input each added change was decided at (its cause). */
  const decidedAt = new Map<PriceChanged, KeyInput>();
  const dropped: PriceChanged[] = [];
  let state = history.state;
  const every = opts.markEvery ?? DEFAULT_MARK_EVERY;
  if (!Number.isInteger(every) || every < 1)
    throw new ConfigError(`markEvery must be an integer >= 1, got ${String(opts.markEvery)}`);
  const marks = history.marks ?? [];
  let nextMarks: Mark[];
  if (inTime) {
    // In time: the rules against the current state, as the live stage always did.
    fresh = applyInput(key, history.state, input, opts);
    added = fresh.changes;
    for (const c of added) decidedAt.set(c, input);
    state = fresh.state;
    nextMarks = inputs.length % every === 0 ? [...marks, { after: pos, state }] : [...marks];
  } else {
    // Late: the state just before the insertion point, from the last mark before it (the inputs before
    // it are decided as they were), marking every `every` inputs on the way.
    const kept = marks.filter((m) => comparePositions(m.after, pos) < 0);
    const from = kept[kept.length - 1];
    let i = from ? insertionIndex(history.inputs, from.after) + 1 : 0;
    if (from) before = from.state;
    const walked: Mark[] = [];
    for (; i < at; i++) {
      const x = history.inputs[i]!;
      before = applyInput(key, before, x, opts).state;
      if ((i + 1) % every === 0) walked.push({ after: positionOf(x), state: before });
    }
    // Then the old and the new sequence side by side until their states agree.
    fresh = applyInput(key, before, input, opts);
    added = [...fresh.changes];
    for (const c of added) decidedAt.set(c, input);
    let newState = fresh.state;
    let oldState = before;
    let convergedAt: Position | null = sameState(newState, oldState) ? pos : null;
    for (const x of history.inputs.slice(at)) {
      if (convergedAt) break;
      const o = applyInput(key, oldState, x, opts);
      const n = applyInput(key, newState, x, opts);
      dropped.push(...o.changes);
      added.push(...n.changes);
      for (const c of n.changes) decidedAt.set(c, x);
      oldState = o.state;
      newState = n.state;
      if (sameState(newState, oldState)) convergedAt = positionOf(x);
    }
    // Converged: every later decision is the same as before (each depends on state and input only), and
    // so is every mark from the convergence on.
    if (!convergedAt) state = newState;
    const later = convergedAt ? marks.filter((m) => comparePositions(m.after, convergedAt) >= 0) : [];
    nextMarks = [
      ...kept.filter((m) => !walked.some((w) => comparePositions(w.after, m.after) === 0)),
      ...walked,
    ]
      .sort((a, b) => comparePositions(a.after, b.after))
      .concat(later);
  }
  const was = byVersion(dropped);
  const now = byVersion(added);
  const cause = causeOf(input);
  let revision = history.revision;
  const retracted = new Set(history.retracted);
  const retractions: PriceChangeRetracted[] = [];
  const record = (id: string, digest: string, retract: boolean) => {
    revision += 1;
    retractions.push({
      event_id: eventId('PriceChangeRetracted', key, revision, id, digest, retract),
      price_key: key,
      retracted_event_id: id,
      retracted_digest: digest,
      retracted: retract,
      revision,
      caused_by: cause.id,
      occurred_at: cause.occurred_at,
    });
  };
  for (const [version, v] of was) {
    if (now.has(version)) continue;
    record(v.change.event_id, v.digest, true);
    retracted.add(version);
  }
  // §4.5: learned late when the placed input lies on an earlier UTC day than the newest input the key
  // held (a recomputation within one day, e.g. a run's snapshot consumed after its own observations,
  // is live); else the marker of the input the change was decided at, or of the placed input.
  const newest = history.inputs[history.inputs.length - 1];
  const lateByDay = !inTime && newest !== undefined && utcDay(pos) < utcDay(positionOf(newest));
  const learnedLate = (change: PriceChanged): boolean =>
    lateByDay || input.backfill || (decidedAt.get(change)?.backfill ?? false);
  const publish: PublishedChange[] = [];
  for (const [version, v] of now) {
    if (was.has(version)) continue;
    // A change decided late is backfilled (§4.5); one in time is when its input came from a backfill.
    publish.push({ change: v.change, digest: v.digest, backfilled: learnedLate(v.change) });
    if (retracted.delete(version)) record(v.change.event_id, v.digest, false);
  }
  return {
    history: { ...history, inputs, state, revision, retracted: [...retracted].sort(), marks: nextMarks },
    beforeHorizon: false,
    publish,
    retractions,
  };
}

/** A snapshot placed into every key's history, with its backfill marker (§4.5). */
export interface KnownSnapshot {
  readonly snapshot: CatalogSnapshot;
  readonly backfill: boolean;
}

/** What the normalizer holds across keys: every key's history and every snapshot known (§4.2). */
export interface ValidTimeView {
  readonly histories: ReadonlyMap<string, KeyHistory>;
  /** Every snapshot placed so far, each position once, in any order. */
  readonly snapshots: readonly KnownSnapshot[];
}

export type ValidTimeEvent =
  { readonly observation: NormalizedPrice } | { readonly snapshot: CatalogSnapshot };

export interface ValidTimeStep {
  /** Only the keys whose history changed. */
  readonly histories: Map<string, KeyHistory>;
  /** The snapshot to add to the view's list (null: an observation, or a snapshot already known). */
  readonly snapshot: KnownSnapshot | null;
  readonly publish: PublishedChange[];
  readonly retractions: PriceChangeRetracted[];
  /** Keys where the event lies at or before the horizon (KeyStep.beforeHorizon): rebuild them. */
  readonly beforeHorizon: string[];
}

/** A key not seen before starts with every snapshot known, seen from it; that publishes nothing (§4.2). */
function seeded(view: ValidTimeView, key: string, opts: DecideOptions): KeyHistory {
  const known = view.histories.get(key);
  if (known) return known;
  const seed = view.snapshots.map((s) => ({
    snapshot: snapshotSeenFrom(key, s.snapshot),
    backfill: s.backfill,
  }));
  const { history, changes } = historyOf(key, seed, opts);
  // A snapshot naming the key's model with an expiration date would have created the key already.
  if (changes.length > 0)
    throw new Error(`seeding ${key} from known snapshots published ${changes.length} changes`);
  return history;
}

/**
 * Places one observation or complete catalog snapshot (docs/price-model.md §4): an observation into its
 * key's history; a snapshot into every known key's history and into the routed key of each model it
 * gives an expiration date. `backfill`: the event came from a backfill run (§4.5).
 */
export function placeEvent(
  view: ValidTimeView,
  event: ValidTimeEvent,
  backfill: boolean,
  opts: ValidTimeOptions = {},
): ValidTimeStep {
  const histories = new Map<string, KeyHistory>();
  const publish: PublishedChange[] = [];
  const retractions: PriceChangeRetracted[] = [];
  const beforeHorizon: string[] = [];
  const place = (key: string, input: KeyInput) => {
    const before = seeded(view, key, opts);
    const r = placeInput(before, input, opts);
    if (r.beforeHorizon) beforeHorizon.push(key);
    if (r.history !== before || !view.histories.has(key)) histories.set(key, r.history);
    publish.push(...r.publish);
    retractions.push(...r.retractions);
  };
  if ('observation' in event) {
    place(event.observation.price_key, { observation: event.observation, backfill });
    return { histories, snapshot: null, publish, retractions, beforeHorizon };
  }
  const s = event.snapshot;
  const pos = positionOf({ snapshot: s, backfill });
  if (view.snapshots.some((k) => comparePositions(positionOf(k), pos) === 0))
    return { histories, snapshot: null, publish, retractions, beforeHorizon };
  const routed = s.expirations.map((e) => priceKey(e.model_id, null, 'openrouter_api'));
  for (const key of [...new Set([...view.histories.keys(), ...routed])].sort())
    place(key, { snapshot: snapshotSeenFrom(key, s), backfill });
  return { histories, snapshot: { snapshot: s, backfill }, publish, retractions, beforeHorizon };
}
