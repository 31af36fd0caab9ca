import {
  encodeEvent,
  eventId,
  priceKey,
  type CatalogSnapshot,
  type NormalizedPrice,
  type PriceChanged,
  type PriceChangeRetracted,
} from '@llmpt/schemas';
import { applyCatalogSnapshot, decide, type DecideOptions } from './changes.ts';
import type { PriceState } from './state.ts';
import {
  changeDigest,
  comparePositions,
  historyOf,
  positionOf,
  snapshotSeenFrom,
  versionOf,
  type KeyHistory,
  type KeyInput,
  type Position,
} from './valid-time.ts';

/**
 * The rebuild from the event store (docs/price-model.md §4, docs/valid-time-wiring.md §4): the changes
 * an in-order run gives over the NormalizedPrice and CatalogSnapshot logs, compared with the versions in
 * force on the PriceChanged and PriceChangeRetracted topics, the records that repair the difference, and
 * the key histories the valid-time normalizer keeps in its changelog.
 */

export interface RebuiltChanges {
  /** The PriceChanged events of the in-order run, in position order of their causes. */
  readonly changes: PriceChanged[];
  /** The normalizer's state after the last input: what its changelog's `state` should hold per key. */
  readonly state: Map<string, PriceState>;
  /** Per key, its newest input (position order): the cause a repair's record names (`planRepair`). */
  readonly newest: Map<string, Cause>;
}

/** The input a record names as its cause. */
export interface Cause {
  readonly id: string;
  readonly occurred_at: number;
}

type Step =
  | { readonly position: Position; readonly observation: NormalizedPrice }
  | { readonly position: Position; readonly snapshot: CatalogSnapshot };

const keyOfStep = (s: Step) => ('observation' in s ? s.observation.price_key : '');

/**
 * The inputs in §4.1's position order, (time, snapshot before observation, event id), each position
 * once: the order the logs were written in does not matter, and an input delivered twice (the same
 * message, the same archive loaded twice) is one input.
 */
function inPositionOrder(
  observations: Iterable<NormalizedPrice>,
  snapshots: Iterable<CatalogSnapshot>,
): Step[] {
  const steps: Step[] = [];
  for (const snapshot of snapshots)
    steps.push({ position: positionOf({ snapshot, backfill: snapshot.backfill }), snapshot });
  for (const observation of observations)
    steps.push({ position: positionOf({ observation, backfill: observation.backfill }), observation });
  // Stable: of copies of one input the first one read is kept (its backfill flag with it).
  steps.sort((a, b) => comparePositions(a.position, b.position));
  // Positions are per key (§4.1); an observation's id derives from its key, so two keys never share
  // one, but a key in the comparison costs nothing and says what a duplicate is.
  return steps.filter((s, i) => {
    const prev = steps[i - 1];
    return !prev || comparePositions(prev.position, s.position) !== 0 || keyOfStep(prev) !== keyOfStep(s);
  });
}

/**
 * The normalizer's change detection from scratch over the NormalizedPrice and CatalogSnapshot logs
 * (docs/price-model.md §4.1): every input in position order, each observation decided against the
 * state of its key and each snapshot applied to every key (the same pure `decide` and
 * `applyCatalogSnapshot` as the live stage, so the same ids). The result is the in-order run over the
 * set of inputs, whatever order they were written in: the PriceChanged versions that must be in force.
 * NormalizedPrice ids are the log's (never recomputed); a change is marked `backfilled` when its
 * cause came from a backfill run (§4.5, the marker of the event that caused it).
 */
export function rebuildChanges(
  observations: Iterable<NormalizedPrice>,
  opts: DecideOptions = {},
  snapshots: Iterable<CatalogSnapshot> = [],
): RebuiltChanges {
  const state = new Map<string, PriceState>();
  const newest = new Map<string, Cause>();
  const changes: PriceChanged[] = [];
  const marked = (c: PriceChanged, backfill: boolean) => (backfill ? { ...c, backfilled: true } : c);
  for (const step of inPositionOrder(observations, snapshots)) {
    if ('snapshot' in step) {
      const s = step.snapshot;
      const applied = applyCatalogSnapshot(state, s, opts);
      changes.push(...applied.changes.map((c) => marked(c, s.backfill)));
      for (const [key, next] of applied.next) state.set(key, next);
      // A snapshot is an input of every key known at its time (§4.2: a later key is seeded with it).
      const cause = { id: s.event_id, occurred_at: s.occurred_at };
      for (const key of state.keys()) newest.set(key, cause);
      continue;
    }
    const np = step.observation;
    const { changed, next } = decide(state.get(np.price_key), np, opts);
    if (changed) changes.push(marked(changed, np.backfill));
    if (next) state.set(np.price_key, next);
    newest.set(np.price_key, { id: np.event_id, occurred_at: np.occurred_at });
  }
  return { changes, state, newest };
}

/** A PriceChanged version (docs/price-model.md §4.3): the event and its digest. */
export interface Version {
  readonly change: PriceChanged;
  readonly digest: string;
}

const versionKey = (v: Version) => versionOf(v.change.event_id, v.digest);
const byVersionKey = (a: Version, b: Version) => {
  const x = versionKey(a);
  const y = versionKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** What the two topics hold: every PriceChanged record and every PriceChangeRetracted record. */
export interface TopicChanges {
  readonly published: readonly PriceChanged[];
  readonly retractions: readonly PriceChangeRetracted[];
}

/** §4.4, the reader's rule: per version, the record with the highest revision (none: in force). */
function lastRecords(retractions: readonly PriceChangeRetracted[]): Map<string, PriceChangeRetracted> {
  const last = new Map<string, PriceChangeRetracted>();
  for (const r of retractions) {
    const v = versionOf(r.retracted_event_id, r.retracted_digest);
    const known = last.get(v);
    if (!known || known.revision < r.revision) last.set(v, r);
  }
  return last;
}

/**
 * The versions in force on the topics (docs/price-model.md §4.4): published, and not retracted by the
 * record with the highest revision for that version. The first copy of a version read is kept (its
 * `backfilled` marker is the one it was published with).
 */
export function versionsInForce(topic: TopicChanges): Map<string, Version> {
  const last = lastRecords(topic.retractions);
  const out = new Map<string, Version>();
  for (const change of topic.published) {
    const digest = changeDigest(change);
    const v = versionOf(change.event_id, digest);
    if (!out.has(v) && !last.get(v)?.retracted) out.set(v, { change, digest });
  }
  return out;
}

export interface ChangesComparison {
  /** Versions the rebuild gives. */
  readonly rebuilt: number;
  /** PriceChanged records on the topic. */
  readonly existing: number;
  /** PriceChangeRetracted records on their topic. */
  readonly retractions: number;
  /** Versions in force on the topics. */
  readonly inForce: number;
  /** Versions both in force and rebuilt. */
  readonly same: number;
  /** Rebuilt versions not in force: never published, or retracted. */
  readonly missing: Version[];
  /** Versions in force the rebuild does not give. */
  readonly extra: Version[];
  /** Ids with a version missing and another extra: the same change with other content. */
  readonly differing: string[];
  /**
   * Ids published more than once in one version that no record ever retracted: exactly once says none
   * (a version is published again only after its retraction, §4.4). Not a difference of the set in force.
   */
  readonly duplicates: string[];
}

/**
 * Compares the rebuilt changes with the versions in force on the topics (docs/valid-time-wiring.md §4),
 * by version: event id and digest (§4.3). `backfilled` is outside the digest, so it never differs.
 */
export function compareChanges(
  rebuilt: readonly PriceChanged[],
  existing: readonly PriceChanged[],
  retractions: readonly PriceChangeRetracted[] = [],
): ChangesComparison {
  const topic = { published: existing, retractions };
  const inForce = versionsInForce(topic);
  const built = new Map<string, Version>();
  for (const change of rebuilt) {
    const digest = changeDigest(change);
    built.set(versionOf(change.event_id, digest), { change, digest });
  }
  const missing = [...built].filter(([v]) => !inForce.has(v)).map(([, x]) => x);
  const extra = [...inForce].filter(([v]) => !built.has(v)).map(([, x]) => x);
  const extraIds = new Set(extra.map((x) => x.change.event_id));
  const differing = [...new Set(missing.map((x) => x.change.event_id).filter((id) => extraIds.has(id)))];
  const recorded = new Set(retractions.map((r) => versionOf(r.retracted_event_id, r.retracted_digest)));
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const change of existing) {
    const v = versionOf(change.event_id, changeDigest(change));
    if (seen.has(v) && !recorded.has(v)) duplicates.add(change.event_id);
    seen.add(v);
  }
  return {
    rebuilt: built.size,
    existing: existing.length,
    retractions: retractions.length,
    inForce: inForce.size,
    same: built.size - missing.length,
    missing: missing.sort(byVersionKey),
    extra: extra.sort(byVersionKey),
    differing: differing.sort(),
    duplicates: [...duplicates].sort(),
  };
}

/** The versions in force are exactly the rebuilt ones. */
export function isSameInForce(c: ChangesComparison): boolean {
  return c.missing.length === 0 && c.extra.length === 0;
}

/** The topics equal the rebuild: the same versions in force, and no version published twice unretracted. */
export function isSameSet(c: ChangesComparison): boolean {
  return isSameInForce(c) && c.duplicates.length === 0;
}

/**
 * A PriceChangeRetracted id (PriceChangeRetracted.avsc): sha256 of (price key, revision, retracted event
 * id, digest, retracted), the derivation the valid-time placement uses, so a record is one fact.
 */
export function retractionId(
  key: string,
  revision: number,
  id: string,
  digest: string,
  retracted: boolean,
): string {
  return eventId('PriceChangeRetracted', key, revision, id, digest, retracted);
}

export interface RepairPlan {
  /** PriceChanged to publish: a version never published (marked backfilled), or one due again. */
  readonly publish: PriceChanged[];
  /** Records that retract the extra versions and reinstate retracted versions that are due again. */
  readonly retractions: PriceChangeRetracted[];
}

/**
 * What makes the versions in force equal the rebuilt ones (`--repair`), with nothing removed from the
 * topics (they are append-only):
 *
 * - a missing version never published is published, marked backfilled (it was not learned live, §4.5);
 * - a missing version that was published and retracted is published again (the topic's copy, with the
 *   marker it was first published with) and reinstated by a record with `retracted = false` (§4.4);
 * - an extra version is retracted by a record with `retracted = true`.
 *
 * A key's records continue its highest revision on the topic, one more per record. A record's cause is
 * the key's newest input in the rebuild (what the key's in-order run read last); for a key the logs
 * hold no input of, the retracted change's own cause.
 */
export function planRepair(
  cmp: ChangesComparison,
  topic: TopicChanges,
  newest: ReadonlyMap<string, Cause>,
): RepairPlan {
  const last = lastRecords(topic.retractions);
  const revision = new Map<string, number>();
  for (const r of topic.retractions)
    revision.set(r.price_key, Math.max(revision.get(r.price_key) ?? 0, r.revision));
  const published = new Map<string, PriceChanged>();
  for (const c of topic.published) {
    const v = versionOf(c.event_id, changeDigest(c));
    if (!published.has(v)) published.set(v, c);
  }
  const publish: PriceChanged[] = [];
  const retractions: PriceChangeRetracted[] = [];
  const record = (x: Version, retracted: boolean) => {
    const key = x.change.price_key;
    const next = (revision.get(key) ?? 0) + 1;
    revision.set(key, next);
    // A change without a cause (none is written so) names itself.
    const cause = newest.get(key) ?? {
      id: x.change.caused_by ?? x.change.event_id,
      occurred_at: x.change.occurred_at,
    };
    retractions.push({
      event_id: retractionId(key, next, x.change.event_id, x.digest, retracted),
      price_key: key,
      retracted_event_id: x.change.event_id,
      retracted_digest: x.digest,
      retracted,
      revision: next,
      caused_by: cause.id,
      occurred_at: cause.occurred_at,
    });
  };
  for (const x of cmp.extra) record(x, true);
  for (const x of cmp.missing) {
    const v = versionKey(x);
    const held = published.get(v);
    publish.push(held ?? { ...x.change, backfilled: true });
    if (last.get(v)?.retracted) record(x, false);
  }
  return { publish, retractions };
}

/** Per key, what its retraction records leave: the highest revision and the versions retracted now. */
export interface RetractionState {
  readonly revision: number;
  readonly retracted: readonly string[];
}

/** The `revision` and `retracted` of each key's history (§4.6), read off the retraction records. */
export function retractionStateOf(
  retractions: readonly PriceChangeRetracted[],
): Map<string, RetractionState> {
  const revision = new Map<string, number>();
  for (const r of retractions)
    revision.set(r.price_key, Math.max(revision.get(r.price_key) ?? 0, r.revision));
  const retracted = new Map<string, string[]>();
  for (const [v, r] of lastRecords(retractions))
    if (r.retracted) retracted.set(r.price_key, [...(retracted.get(r.price_key) ?? []), v]);
  return new Map(
    [...revision].map(([key, rev]) => [key, { revision: rev, retracted: (retracted.get(key) ?? []).sort() }]),
  );
}

/**
 * The keys the valid-time normalizer keeps a history for, with their observations: those observed (an
 * unavailable observation included) and the routed key of every model a snapshot gives an expiration
 * date, as the placement creates them (docs/price-model.md §4.2).
 */
export function historyKeys(
  observations: Iterable<NormalizedPrice>,
  snapshots: readonly CatalogSnapshot[],
): Map<string, NormalizedPrice[]> {
  const keys = new Map<string, NormalizedPrice[]>();
  const of = (key: string) => {
    let list = keys.get(key);
    if (!list) keys.set(key, (list = []));
    return list;
  };
  for (const np of observations) of(np.price_key).push(np);
  for (const s of snapshots) for (const e of s.expirations) of(priceKey(e.model_id, null, 'openrouter_api'));
  return keys;
}

/**
 * A key's inputs as the valid-time normalizer keeps them (docs/price-model.md §4.1, §4.6): its
 * observations, and every snapshot seen from it (`snapshotSeenFrom`), each with the backfill marker of
 * its event. Any order, duplicates included: the history sorts them and keeps each position once.
 */
export function keyInputs(
  key: string,
  observations: readonly NormalizedPrice[],
  snapshots: readonly CatalogSnapshot[],
): KeyInput[] {
  return [
    ...observations.map((observation) => ({ observation, backfill: observation.backfill })),
    ...snapshots.map((s) => ({ snapshot: snapshotSeenFrom(key, s), backfill: s.backfill })),
  ];
}

/**
 * The key histories `--write-state` writes (changelog record v3, key-history.ts), one key at a time in
 * key order (a year of inputs for every key at once would not fit in memory beside its encoding): each
 * key's inputs in position order with the state after them (`historyOf`, the in-order rules), nothing
 * folded, and the revision and retracted versions its records on the topic leave. Written after the
 * versions in force equal the rebuild, so the normalizer's later retractions start from what is in force.
 */
export function* rebuildHistories(
  observations: Iterable<NormalizedPrice>,
  snapshots: readonly CatalogSnapshot[],
  retractions: readonly PriceChangeRetracted[],
  opts: DecideOptions = {},
  inScope: (key: string) => boolean = () => true,
): Generator<KeyHistory> {
  const records = retractionStateOf(retractions);
  const keys = [...historyKeys(observations, snapshots)].filter(([key]) => inScope(key));
  for (const [key, own] of keys.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const { history } = historyOf(key, keyInputs(key, own, snapshots), opts);
    const r = records.get(key);
    yield r ? { ...history, revision: r.revision, retracted: r.retracted } : history;
  }
}

/** A changelog record: key and value bytes. */
export interface ChangelogEntry {
  readonly key: string;
  readonly value: Buffer;
}

/**
 * The known-snapshot records `--write-state` writes beside the histories (docs/valid-time-wiring.md §2):
 * the normalizer restores the snapshots it has placed from them (not from the snapshot topic), so a key
 * first seen after the rebuild is seeded with every snapshot before it. One record per position:
 * key `snapshot#<event_id>@<fetched_at>` (epoch ms), value UTF-8 JSON
 * `{"v":1,"backfill":0|1,"snapshot":"<base64 Avro CatalogSnapshot>"}`.
 *
 * INTEGRATION: this is the form of `snapshotRecordKey` and `encodeKnownSnapshot` in key-history.ts on
 * the live normalizer's branch (i14-n), which this branch does not have; once both are merged, this
 * body becomes `snapshots.map((s) => ({ key: snapshotRecordKey(s), value: encodeKnownSnapshot(...) }))`
 * so the format has one writer.
 */
export function knownSnapshotRecords(snapshots: readonly CatalogSnapshot[]): ChangelogEntry[] {
  const out = new Map<string, ChangelogEntry>();
  for (const s of snapshots) {
    const key = `snapshot#${s.event_id}@${s.fetched_at}`;
    if (out.has(key)) continue;
    const value = Buffer.from(
      JSON.stringify({
        v: 1,
        backfill: s.backfill ? 1 : 0,
        snapshot: encodeEvent('CatalogSnapshot', s).toString('base64'),
      }),
      'utf8',
    );
    out.set(key, { key, value });
  }
  return [...out.values()];
}
