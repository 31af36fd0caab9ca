import { isRecord } from '@llmpt/core';
import { decodeEvent, decodeEventAs, encodeEvent, type CatalogSnapshot } from '@llmpt/schemas';
import { NormalizeError } from '../errors.ts';
import { decodeState, parseChangelogRecord, stateOfRecord, stateText, type PriceState } from './state.ts';
import type { KeyHistory, KeyInput, KnownSnapshot, Position } from './valid-time.ts';

/**
 * A key's history (docs/price-model.md §4.6) as the value of the compacted changelog topic: version 3
 * of the state record. Inputs are kept as their Avro events (base64), so they decode with today's
 * schemas whatever schema wrote them; the states inside are version-2 state records. Version 1 and 2
 * records (a PriceState alone) still decode: as a checkpoint, the state known and the inputs before it
 * folded.
 */

const HISTORY_VERSION = 3;

function stateJson(s: PriceState | undefined): unknown {
  return s === undefined ? null : (JSON.parse(stateText(s)) as unknown);
}

/**
 * Each input's record form, by input object. A history keeps its inputs (the same objects) from one
 * version to the next, and every snapshot rewrites every key's record (§4.2): without this, each
 * rewrite would encode the whole history again. Inputs are immutable, so an entry never goes stale;
 * a decoded input is entered with the text it was read from (its bytes as they were written).
 */
const encodedInputs = new WeakMap<KeyInput, readonly [number, string]>();

function inputJson(x: KeyInput): readonly [number, string] {
  const cached = encodedInputs.get(x);
  if (cached) return cached;
  const bytes =
    'observation' in x
      ? encodeEvent('NormalizedPrice', x.observation)
      : encodeEvent('CatalogSnapshot', x.snapshot);
  const json = [x.backfill ? 1 : 0, bytes.toString('base64')] as const;
  encodedInputs.set(x, json);
  return json;
}

export function encodeHistory(h: KeyHistory): Buffer {
  return Buffer.from(
    JSON.stringify({
      v: HISTORY_VERSION,
      price_key: h.price_key,
      horizon: h.horizon,
      start: stateJson(h.start),
      state: stateJson(h.state),
      inputs: h.inputs.map(inputJson),
      revision: h.revision,
      retracted: h.retracted,
    }),
    'utf8',
  );
}

function invalid(why: string, cause?: unknown): NormalizeError {
  return new NormalizeError('INVALID_PRICE_STATE', `invalid key history record: ${why}`, cause);
}

function decodeNestedState(x: unknown, key: string, field: string): PriceState | undefined {
  if (x === null) return undefined;
  const s = decodeState(Buffer.from(JSON.stringify(x), 'utf8'));
  if (s.price_key !== key) throw invalid(`${field}.price_key`);
  return s;
}

function decodeHorizon(x: unknown): Position | null {
  if (x === null) return null;
  if (!Array.isArray(x) || x.length !== 3) throw invalid('horizon');
  const [time, rank, id] = x as unknown[];
  if (typeof time !== 'number' || !Number.isFinite(time)) throw invalid('horizon.time');
  if (rank !== 0 && rank !== 1) throw invalid('horizon.rank');
  if (typeof id !== 'string') throw invalid('horizon.id');
  return [time, rank, id];
}

function decodeInput(x: unknown, i: number, key: string): KeyInput {
  if (!Array.isArray(x) || x.length !== 2) throw invalid(`inputs.${i}`);
  const [flag, text] = x as unknown[];
  if ((flag !== 0 && flag !== 1) || typeof text !== 'string') throw invalid(`inputs.${i}`);
  let decoded: ReturnType<typeof decodeEvent>;
  try {
    decoded = decodeEvent(Buffer.from(text, 'base64'));
  } catch (err) {
    throw invalid(`inputs.${i} does not decode`, err);
  }
  const backfill = flag === 1;
  let input: KeyInput;
  if (decoded.name === 'NormalizedPrice') {
    if (decoded.event.price_key !== key) throw invalid(`inputs.${i}.price_key`);
    input = { observation: decoded.event, backfill };
  } else if (decoded.name === 'CatalogSnapshot') input = { snapshot: decoded.event, backfill };
  else throw invalid(`inputs.${i} is a ${decoded.name}`);
  encodedInputs.set(input, [flag, text]);
  return input;
}

/** The fields a v3 record and a v4 head share (revision, retracted, horizon, start and end state). */
function decodeHistoryFields(r: Record<string, unknown>, key: string) {
  const { revision, retracted } = r;
  if (typeof revision !== 'number' || !Number.isInteger(revision) || revision < 0) throw invalid('revision');
  if (!Array.isArray(retracted) || !retracted.every((v) => typeof v === 'string')) throw invalid('retracted');
  return {
    price_key: key,
    horizon: decodeHorizon(r.horizon ?? null),
    start: decodeNestedState(r.start ?? null, key, 'start'),
    state: decodeNestedState(r.state ?? null, key, 'state'),
    revision,
    retracted,
  };
}

function decodeV3(r: Record<string, unknown>, key: string): KeyHistory {
  const { inputs } = r;
  if (!Array.isArray(inputs)) throw invalid('inputs');
  const { price_key, horizon, start, state, revision, retracted } = decodeHistoryFields(r, key);
  const decoded = inputs.map((x, i) => decodeInput(x, i, key));
  return { price_key, horizon, start, state, inputs: decoded, revision, retracted };
}

/**
 * Reads a changelog value back: a version-3 history, or a version-1/2 state as a checkpoint whose
 * horizon is its last observation (snapshots it counted after that observation are inside it; the
 * rebuild writes exact histories). Throws INVALID_PRICE_STATE on anything else.
 */
export function decodeHistory(buf: Buffer | Uint8Array): KeyHistory {
  const record = parseChangelogRecord(buf);
  const { v, price_key } = record;
  if (v === HISTORY_VERSION) return decodeV3(record.fields, price_key);
  const s = stateOfRecord(record);
  return {
    price_key,
    horizon: [s.observed_at ?? Number.MIN_SAFE_INTEGER, 1, s.event_id ?? ''],
    start: s,
    state: s,
    inputs: [],
    revision: 0,
    retracted: [],
  };
}

/**
 * Version 4 (docs/price-model.md §4.6 "Records by day"): a key's history as a head under the price key
 * (version 3 without the inputs, with `days`: `[epoch day, inputs]` per UTC day holding inputs) and one
 * segment record per such day, under `<price key>#day:<day>`, holding that day's inputs. A batch then
 * writes the head and the days it changed, not the whole history.
 */
const HEAD_VERSION = 4;
const SEGMENT_VERSION = 1;
const DAY_MS = 86_400_000;
const DAY_SEGMENT_MARK = '#day:';

/** The head of a version-4 history: everything but the inputs, and how many inputs each day holds. */
export interface HistoryHead extends Omit<KeyHistory, 'inputs' | 'marks'> {
  readonly days: readonly (readonly [day: number, count: number])[];
}

/** The UTC day (epoch days) of an input's position (§4.1's time). */
function dayOf(x: KeyInput): number {
  return Math.floor(('snapshot' in x ? x.snapshot.fetched_at : x.observation.observed_at) / DAY_MS);
}

export function daySegmentKey(priceKey: string, day: number): string {
  return `${priceKey}${DAY_SEGMENT_MARK}${day}`;
}

/** The price key and day a segment record's key names; null for any other key. */
export function parseDaySegmentKey(key: string): { price_key: string; day: number } | null {
  const at = key.lastIndexOf(DAY_SEGMENT_MARK);
  if (at < 0) return null;
  const digits = key.slice(at + DAY_SEGMENT_MARK.length);
  if (!/^-?\d+$/.test(digits)) return null;
  return { price_key: key.slice(0, at), day: Number(digits) };
}

/** Inputs by day, in position order (inputs are sorted, so each day is one run). */
function byDay(inputs: readonly KeyInput[], from = 0): Map<number, KeyInput[]> {
  const days = new Map<number, KeyInput[]>();
  for (let i = from; i < inputs.length; i++) {
    const x = inputs[i]!;
    const d = dayOf(x);
    const run = days.get(d);
    if (run) run.push(x);
    else days.set(d, [x]);
  }
  return days;
}

const stateOrNull = (s: PriceState | undefined): string => (s === undefined ? 'null' : stateText(s));

/** The head's JSON, its states spliced in as their cached record texts (the same JSON as a whole). */
function encodeHead(h: KeyHistory, days: Map<number, KeyInput[]>): Buffer {
  const text =
    `{"v":${HEAD_VERSION},"price_key":${JSON.stringify(h.price_key)},"horizon":${JSON.stringify(h.horizon)}` +
    `,"start":${stateOrNull(h.start)},"state":${stateOrNull(h.state)}` +
    `,"days":${JSON.stringify([...days].map(([d, xs]) => [d, xs.length]))}` +
    `,"revision":${h.revision},"retracted":${JSON.stringify(h.retracted)}}`;
  return Buffer.from(text, 'utf8');
}

function encodeDaySegment(inputs: readonly KeyInput[]): Buffer {
  return Buffer.from(JSON.stringify({ v: SEGMENT_VERSION, inputs: inputs.map(inputJson) }), 'utf8');
}

/** Histories whose version-4 records (head and every day) are on the changelog as they are. */
const onTopicByDay = new WeakSet<KeyHistory>();

/** After the transaction that wrote `historyRecords(h, …)` committed (or after `h` was read from them). */
export function markWrittenByDay(h: KeyHistory): void {
  onTopicByDay.add(h);
}

const sameRun = (a: readonly KeyInput[] | undefined, b: readonly KeyInput[]) =>
  a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The changelog records that write history `h` (§4.6 "Records by day"), given `committed`, the key's
 * history as the changelog held it before: the head, and the segments of the days whose inputs differ
 * from `committed`'s (every day when `committed` was not written by day), a tombstone for a day it no
 * longer holds. Inputs are compared by object: a history keeps its inputs' objects from version to version.
 */
export function historyRecords(
  h: KeyHistory,
  committed: KeyHistory | undefined,
): { key: string; value: Buffer | null }[] {
  const before = committed && onTopicByDay.has(committed) ? committed : undefined;
  const all = byDay(h.inputs);
  const out: { key: string; value: Buffer | null }[] = [{ key: h.price_key, value: encodeHead(h, all) }];
  // Days before the first input that differs are the same runs of the same objects.
  let first = 0;
  if (before) {
    const n = Math.min(before.inputs.length, h.inputs.length);
    while (first < n && before.inputs[first] === h.inputs[first]) first++;
    if (first === h.inputs.length && first === before.inputs.length) return out;
  }
  const fromDay = (xs: readonly KeyInput[]) => (first < xs.length ? dayOf(xs[first]!) : Infinity);
  const changedFrom = before ? Math.min(fromDay(h.inputs), fromDay(before.inputs)) : -Infinity;
  const old = before ? byDay(before.inputs) : new Map<number, KeyInput[]>();
  for (const [d, xs] of all)
    if (d >= changedFrom && !sameRun(old.get(d), xs))
      out.push({ key: daySegmentKey(h.price_key, d), value: encodeDaySegment(xs) });
  for (const d of old.keys())
    if (d >= changedFrom && !all.has(d)) out.push({ key: daySegmentKey(h.price_key, d), value: null });
  return out;
}

function decodeDays(x: unknown): [number, number][] {
  if (!Array.isArray(x)) throw invalid('days');
  let last = -Infinity;
  return x.map((e, i) => {
    if (!Array.isArray(e) || e.length !== 2) throw invalid(`days.${i}`);
    const [d, n] = e as unknown[];
    if (typeof d !== 'number' || !Number.isInteger(d) || d <= last) throw invalid(`days.${i}.day`);
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw invalid(`days.${i}.count`);
    last = d;
    return [d, n];
  });
}

function decodeHead(r: Record<string, unknown>, key: string): HistoryHead {
  const { price_key, horizon, start, state, revision, retracted } = decodeHistoryFields(r, key);
  return { price_key, horizon, start, state, days: decodeDays(r.days), revision, retracted };
}

/**
 * A value under a price key: a whole history (version 3, or 1/2 as a checkpoint), or a version-4 head
 * whose inputs are in its day segments (`assembleHistory`). Throws INVALID_PRICE_STATE otherwise.
 */
export function decodeKeyRecord(
  buf: Buffer | Uint8Array,
): { readonly history: KeyHistory } | { readonly head: HistoryHead } {
  const record = parseChangelogRecord(buf);
  if (record.v === HEAD_VERSION) return { head: decodeHead(record.fields, record.price_key) };
  return { history: decodeHistory(buf) };
}

/** A segment record's inputs; each must be of the key and day its record key names. */
export function decodeDaySegment(key: string, buf: Buffer | Uint8Array): KeyInput[] {
  const named = parseDaySegmentKey(key);
  if (!named) throw invalid(`${key} is not a day segment key`);
  let r: unknown;
  try {
    r = JSON.parse(Buffer.from(buf).toString('utf8'));
  } catch (err) {
    throw invalid(`${key}: not JSON`, err);
  }
  if (!isRecord(r) || r.v !== SEGMENT_VERSION || !Array.isArray(r.inputs))
    throw invalid(`${key}: not a day segment`);
  return r.inputs.map((x, i) => {
    const input = decodeInput(x, i, named.price_key);
    if (dayOf(input) !== named.day) throw invalid(`${key}: inputs.${i} lies on another day`);
    return input;
  });
}

/**
 * A version-4 history from its head and the segments of its days (`segmentOf(day)`: the inputs of the
 * day's segment, undefined if there is none). Throws INVALID_PRICE_STATE when a day is missing or holds
 * another count. The history is marked as written by day.
 */
export function assembleHistory(
  head: HistoryHead,
  segmentOf: (day: number) => readonly KeyInput[] | undefined,
): KeyHistory {
  const inputs: KeyInput[] = [];
  for (const [d, n] of head.days) {
    const xs = segmentOf(d);
    if (!xs) throw invalid(`${head.price_key}: day ${d} has no segment`);
    if (xs.length !== n) throw invalid(`${head.price_key}: day ${d} holds ${xs.length} inputs, not ${n}`);
    inputs.push(...xs);
  }
  const { days: _days, ...rest } = head;
  const history: KeyHistory = { ...rest, inputs };
  markWrittenByDay(history);
  return history;
}

/**
 * The snapshots a normalizer has placed (ValidTimeView.snapshots) live in the same changelog topic, one
 * record per snapshot, written in the transaction that placed it and never rewritten, so a restart
 * knows exactly the snapshots whose effects its key histories hold (reading the snapshot topic to its
 * end instead would take snapshots not yet consumed as known, and then drop them as duplicates).
 * Record key: `snapshot#<event_id>@<fetched_at>` (fetched_at in epoch milliseconds): one per position
 * (§4.1), and never a price key, which always holds two `|`. Value: UTF-8 JSON
 * `{"v":1,"backfill":0|1,"snapshot":"<base64 Avro CatalogSnapshot>"}`.
 */
export const SNAPSHOT_RECORD_PREFIX = 'snapshot#';

const SNAPSHOT_RECORD_VERSION = 1;

export function snapshotRecordKey(s: CatalogSnapshot): string {
  return `${SNAPSHOT_RECORD_PREFIX}${s.event_id}@${s.fetched_at}`;
}

export function isSnapshotRecordKey(key: string): boolean {
  return key.startsWith(SNAPSHOT_RECORD_PREFIX) && !key.includes('|');
}

export function encodeKnownSnapshot(k: KnownSnapshot): Buffer {
  return Buffer.from(
    JSON.stringify({
      v: SNAPSHOT_RECORD_VERSION,
      backfill: k.backfill ? 1 : 0,
      snapshot: encodeEvent('CatalogSnapshot', k.snapshot).toString('base64'),
    }),
    'utf8',
  );
}

function invalidSnapshot(why: string, cause?: unknown): NormalizeError {
  return new NormalizeError('INVALID_PRICE_STATE', `invalid known-snapshot record: ${why}`, cause);
}

/** Reads a snapshot record back; throws INVALID_PRICE_STATE on anything else, or a key that does not name it. */
export function decodeKnownSnapshot(key: string, buf: Buffer | Uint8Array): KnownSnapshot {
  let r: unknown;
  try {
    r = JSON.parse(Buffer.from(buf).toString('utf8'));
  } catch (err) {
    throw invalidSnapshot('not JSON', err);
  }
  if (!isRecord(r)) throw invalidSnapshot('not an object');
  if (r.v !== SNAPSHOT_RECORD_VERSION) throw invalidSnapshot(`unknown version ${JSON.stringify(r.v)}`);
  if (r.backfill !== 0 && r.backfill !== 1) throw invalidSnapshot('backfill');
  if (typeof r.snapshot !== 'string') throw invalidSnapshot('snapshot');
  let snapshot: CatalogSnapshot;
  try {
    snapshot = decodeEventAs('CatalogSnapshot', Buffer.from(r.snapshot, 'base64'));
  } catch (err) {
    throw invalidSnapshot('snapshot does not decode', err);
  }
  if (snapshotRecordKey(snapshot) !== key) throw invalidSnapshot(`key ${key} names another snapshot`);
  return { snapshot, backfill: r.backfill === 1 };
}
