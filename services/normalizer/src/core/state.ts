import { isRecord } from '@llmpt/core';
import { DIMENSION_NAMES, isDimension, type Dimension, type NormalizedPrice } from '@llmpt/schemas';
import { NormalizeError } from '../errors.ts';

/**
 * One slot of a price key (docs/price-model.md §3): the base price or one tier, and one dimension.
 * Only known values are kept: an absence never overwrites the last known value, so a value that comes
 * back is compared with it.
 */
export interface SlotState {
  /** Tier label (canonical), null for the base price. */
  readonly tier: string | null;
  readonly dimension: Dimension;
  /** Last known value, scale 8; never null. */
  readonly value: string;
  /** Consecutive observations of the key that did not carry this slot. */
  readonly absences: number;
  /** Published as removed; a value seen again is a return. */
  readonly removed: boolean;
}

/**
 * What the normalizer knows of one price key: its whole state, one record per key, kept in the
 * compacted changelog topic.
 */
export interface PriceState {
  readonly price_key: string;
  /** Every slot ever seen, in the order first seen (base first). */
  readonly slots: readonly SlotState[];
  /** The key was removed by the model lifecycle (its model left the catalog). */
  readonly removed: boolean;
  /** Consecutive complete catalog snapshots without the key's model. */
  readonly absent_snapshots: number;
  /** The snapshot last counted for this key: the same snapshot seen again counts nothing. */
  readonly last_snapshot_id: string | null;
  /** The model's expiration date last announced (on the routed key only); a withdrawal is silent and keeps it. */
  readonly expiration_date: string | null;
  /** The id of the last `expiring` event of the key: the next one chains from it, so each is unique. */
  readonly expiring_event_id: string | null;
  /** Fetch time of the last observation applied: older observations are replays. null: none yet. */
  readonly observed_at: number | null;
  /** The NormalizedPrice last applied. */
  readonly event_id: string | null;
  /** Its content id (normalize.ts contentIdOf): the same content later the same day keeps its id. */
  readonly content_id: string | null;
  readonly snapshot_date: string | null;
}

/** A key nothing was observed of yet (e.g. a routed key that only got an expiration date). */
export function emptyState(price_key: string): PriceState {
  return {
    price_key,
    slots: [],
    removed: false,
    absent_snapshots: 0,
    last_snapshot_id: null,
    expiration_date: null,
    expiring_event_id: null,
    observed_at: null,
    event_id: null,
    content_id: null,
    snapshot_date: null,
  };
}

/** The identity of a slot within its key. */
export function slotId(tier: string | null, dimension: string): string {
  return JSON.stringify([tier, dimension]);
}

/** A slot as a NormalizedPrice publishes it. */
export interface SlotValue {
  readonly tier: string | null;
  readonly dimension: Dimension;
  readonly value: string;
}

function registered(dimension: string, where: string): Dimension {
  if (!isDimension(dimension))
    throw new NormalizeError(
      'INVALID_PRICE_STATE',
      `${where}: ${JSON.stringify(dimension)} is not a dimension`,
    );
  return dimension;
}

/**
 * The slots a NormalizedPrice carries: its base and every tier's prices. A v1 event (written before
 * base and tiers existed) carries its prices in the columns only: they are its base.
 */
export function slotsOf(np: NormalizedPrice): SlotValue[] {
  if (np.status !== 'ok') return [];
  const base = np.base ?? [];
  const tiers = np.tiers ?? [];
  if (base.length === 0 && tiers.length === 0) {
    return DIMENSION_NAMES.flatMap((d) => {
      const value = np[d];
      return value === null ? [] : [{ tier: null, dimension: d, value }];
    });
  }
  return [
    ...base.map((p) => ({ tier: null, dimension: registered(p.dimension, 'base'), value: p.amount })),
    ...tiers.flatMap((t) =>
      t.prices.map((p) => ({ tier: t.label, dimension: registered(p.dimension, t.label), value: p.amount })),
    ),
  ];
}

// Bumped when the stored shape changes; decodeState upcasts older versions.
const STATE_VERSION = 2;

/**
 * The JSON text of a state record, once per state object: states are immutable (a change makes a new
 * one), and a history's record and the valid-time convergence test read the same state many times.
 */
const stateTexts = new WeakMap<PriceState, string>();

export function stateText(s: PriceState): string {
  let text = stateTexts.get(s);
  if (text === undefined) {
    text = stateJsonText(s);
    stateTexts.set(s, text);
  }
  return text;
}

/** A state entry as the value of the compacted changelog topic (UTF-8 JSON, keyed by price_key). */
export function encodeState(s: PriceState): Buffer {
  return Buffer.from(stateText(s), 'utf8');
}

function stateJsonText(s: PriceState): string {
  return JSON.stringify({
    v: STATE_VERSION,
    price_key: s.price_key,
    slots: s.slots.map((x) => [x.tier, x.dimension, x.value, x.absences, x.removed]),
    removed: s.removed,
    absent_snapshots: s.absent_snapshots,
    last_snapshot_id: s.last_snapshot_id,
    expiration_date: s.expiration_date,
    expiring_event_id: s.expiring_event_id,
    observed_at: s.observed_at,
    event_id: s.event_id,
    content_id: s.content_id,
    snapshot_date: s.snapshot_date,
  });
}

function invalid(why: string, cause?: unknown): NormalizeError {
  return new NormalizeError('INVALID_PRICE_STATE', `invalid price state record: ${why}`, cause);
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
const isTime = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function stringOrNull(r: Record<string, unknown>, field: string): string | null {
  const value = r[field] ?? null;
  if (value !== null && typeof value !== 'string') throw invalid(field);
  return value;
}

function decodeSlot(x: unknown, i: number): SlotState {
  if (!Array.isArray(x) || x.length !== 5) throw invalid(`slots.${i}`);
  const [tier, dimension, value, absences, removed] = x as unknown[];
  if (tier !== null && typeof tier !== 'string') throw invalid(`slots.${i}.tier`);
  if (typeof dimension !== 'string' || !isDimension(dimension)) throw invalid(`slots.${i}.dimension`);
  if (typeof value !== 'string') throw invalid(`slots.${i}.value`);
  if (!isCount(absences)) throw invalid(`slots.${i}.absences`);
  if (typeof removed !== 'boolean') throw invalid(`slots.${i}.removed`);
  return { tier, dimension, value, absences, removed };
}

function decodeV2(r: Record<string, unknown>, price_key: string): PriceState {
  const { slots, removed, absent_snapshots, observed_at } = r;
  if (!Array.isArray(slots)) throw invalid('slots');
  if (typeof removed !== 'boolean') throw invalid('removed');
  if (!isCount(absent_snapshots)) throw invalid('absent_snapshots');
  if (observed_at !== null && !isTime(observed_at)) throw invalid('observed_at');
  return {
    price_key,
    slots: slots.map(decodeSlot),
    removed,
    absent_snapshots,
    last_snapshot_id: stringOrNull(r, 'last_snapshot_id'),
    expiration_date: stringOrNull(r, 'expiration_date'),
    // Absent from states written before it existed: those chain from nothing.
    expiring_event_id: stringOrNull(r, 'expiring_event_id'),
    observed_at,
    event_id: stringOrNull(r, 'event_id'),
    content_id: stringOrNull(r, 'content_id'),
    snapshot_date: stringOrNull(r, 'snapshot_date'),
  };
}

/**
 * A v1 record (the last price per key as the 8 columns, before tiers existed) read as v2: its values
 * are the base slots, so a deployment restarted on its old changelog compares with what it knew.
 */
function upcastV1(r: Record<string, unknown>, price_key: string): PriceState {
  const { values, status, observed_at, event_id, snapshot_date } = r;
  if (status !== 'ok' && status !== 'unavailable') throw invalid('status');
  if (!isTime(observed_at)) throw invalid('observed_at');
  if (typeof event_id !== 'string') throw invalid('event_id');
  if (typeof snapshot_date !== 'string') throw invalid('snapshot_date');
  if (!isRecord(values)) throw invalid('values');
  const slots: SlotState[] = [];
  for (const d of DIMENSION_NAMES) {
    const value = values[d] ?? null;
    if (value !== null && typeof value !== 'string') throw invalid(`values.${d}`);
    if (value !== null) slots.push({ tier: null, dimension: d, value, absences: 0, removed: false });
  }
  return { ...emptyState(price_key), slots, observed_at, event_id, snapshot_date };
}

/** A changelog value as JSON: its fields, version and price key; throws INVALID_PRICE_STATE otherwise. */
export interface ChangelogRecord {
  readonly fields: Record<string, unknown>;
  readonly v: unknown;
  readonly price_key: string;
}

export function parseChangelogRecord(buf: Buffer | Uint8Array): ChangelogRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(buf).toString('utf8'));
  } catch (err) {
    throw invalid('not JSON', err);
  }
  if (!isRecord(parsed)) throw invalid('not an object');
  const { v, price_key } = parsed;
  if (typeof price_key !== 'string') throw invalid('price_key');
  return { fields: parsed, v, price_key };
}

/** A parsed state record (v2, or v1 upcast); throws INVALID_PRICE_STATE on any other version. */
export function stateOfRecord({ fields, v, price_key }: ChangelogRecord): PriceState {
  if (v === 1) return upcastV1(fields, price_key);
  if (v === STATE_VERSION) return decodeV2(fields, price_key);
  throw invalid(`unknown version ${JSON.stringify(v)}`);
}

/** Reads a changelog value back (v2, or v1 upcast); throws INVALID_PRICE_STATE on anything else. */
export function decodeState(buf: Buffer | Uint8Array): PriceState {
  return stateOfRecord(parseChangelogRecord(buf));
}
