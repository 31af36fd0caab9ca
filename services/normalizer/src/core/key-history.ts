import { isRecord } from '@llmpt/core';
import { decodeEvent, decodeEventAs, encodeEvent, type CatalogSnapshot } from '@llmpt/schemas';
import { NormalizeError } from '../errors.ts';
import { decodeState, encodeState, parseChangelogRecord, stateOfRecord, type PriceState } from './state.ts';
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
  return s === undefined ? null : (JSON.parse(encodeState(s).toString('utf8')) as unknown);
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

function decodeV3(r: Record<string, unknown>, key: string): KeyHistory {
  const { inputs, revision, retracted } = r;
  if (!Array.isArray(inputs)) throw invalid('inputs');
  if (typeof revision !== 'number' || !Number.isInteger(revision) || revision < 0) throw invalid('revision');
  if (!Array.isArray(retracted) || !retracted.every((v) => typeof v === 'string')) throw invalid('retracted');
  return {
    price_key: key,
    horizon: decodeHorizon(r.horizon ?? null),
    start: decodeNestedState(r.start ?? null, key, 'start'),
    state: decodeNestedState(r.state ?? null, key, 'state'),
    inputs: inputs.map((x, i) => decodeInput(x, i, key)),
    revision,
    retracted,
  };
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
