import type { Decimal } from 'decimal.js';
import {
  SourceTypeValues,
  eventId,
  type DimensionChange,
  type NormalizedPrice,
  type PriceChanged,
  type RawPriceObserved,
  type SourceType,
} from '@llmpt/schemas';
import { NormalizeError } from './errors.ts';
import { normalize } from './normalize.ts';
import {
  PRICE_DIMENSIONS,
  canonicalValues,
  lastPriceOf,
  valuesOf,
  type LastPrice,
  type PriceValues,
} from './state.ts';
import { Dec, toMoney } from './units.ts';

/** Default alert threshold: a move of 30 % or more either way. */
export const DEFAULT_ALERT_THRESHOLD = '0.30';

export interface DecideOptions {
  /** |relative change| at or above which a change alerts; a Decimal, or its string/number. Default 0.30. */
  readonly alertThreshold?: Decimal.Value;
}

export interface Decision {
  readonly changed: PriceChanged | null;
  /** The state entry after this observation: `=== last` when there is nothing new to persist. */
  readonly next: LastPrice | undefined;
}

function thresholdOf(opts: DecideOptions): { value: Decimal; text: string } {
  const value = new Dec(opts.alertThreshold ?? DEFAULT_ALERT_THRESHOLD);
  if (!value.isFinite() || value.isNegative()) {
    throw new TypeError(`alertThreshold must be a finite decimal >= 0, got ${value.toString()}`);
  }
  // "0.30" as in the schema's default, without losing digits of a finer threshold (0.125).
  return { value, text: value.toFixed(Math.max(2, value.decimalPlaces())) };
}

/** Money strings compared at the stored precision: scale 8, half-even. */
function atScale(value: string): Decimal {
  return new Dec(toMoney(new Dec(value)));
}

function compareDimension(
  dimension: string,
  previous: string | null,
  current: string | null,
  threshold: Decimal,
): { change: DimensionChange; alert: boolean } | null {
  if (previous === null && current === null) return null;
  if (previous === null || current === null) {
    // A dimension appearing or disappearing on a listed price is worth a look either way.
    return { change: { dimension, previous, current, relative_change: null }, alert: true };
  }
  const prev = atScale(previous);
  const cur = atScale(current);
  if (prev.eq(cur)) return null;
  const change = { dimension, previous: toMoney(prev), current: toMoney(cur) };
  if (prev.isZero()) return { change: { ...change, relative_change: null }, alert: true };
  // The alert is decided on the published (scale-8) relative change, so the two never disagree.
  const relative = toMoney(cur.minus(prev).div(prev));
  return {
    change: { ...change, relative_change: relative },
    alert: cur.isZero() || new Dec(relative).abs().gte(threshold),
  };
}

function diff(
  last: PriceValues,
  current: PriceValues,
  threshold: Decimal,
): { changes: DimensionChange[]; alert: boolean } {
  const changes: DimensionChange[] = [];
  let alert = false;
  for (const d of PRICE_DIMENSIONS) {
    const c = compareDimension(d, last[d], current[d], threshold);
    if (c) {
      changes.push(c.change);
      alert ||= c.alert;
    }
  }
  return { changes, alert };
}

function atScaleValues(values: PriceValues): PriceValues {
  const out: Record<string, string | null> = {};
  for (const d of PRICE_DIMENSIONS) {
    const v = values[d];
    out[d] = v === null ? null : toMoney(new Dec(v));
  }
  return out as PriceValues;
}

/**
 * Compares a NormalizedPrice with the last known price of its key. The first available price of a key
 * is `new`; a difference at scale 8 is `changed`, alerting when any |relative change| reaches the
 * threshold, a price turns free or paid, or a dimension appears or disappears. An unavailable price
 * changes nothing (the last known value stays, so a price back after a gap is compared with it), and
 * an observation older than the state is a replay: no event, state kept.
 */
export function decide(last: LastPrice | undefined, np: NormalizedPrice, opts: DecideOptions = {}): Decision {
  const threshold = thresholdOf(opts);
  const current = valuesOf(np);
  if (np.status !== 'ok' || PRICE_DIMENSIONS.every((d) => current[d] === null))
    return { changed: null, next: last };
  if (last && np.observed_at < last.observed_at) return { changed: null, next: last };

  const next = lastPriceOf(np);
  const common = {
    run_id: np.run_id,
    caused_by: np.event_id,
    occurred_at: np.occurred_at,
    price_key: np.price_key,
    model_id: np.model_id,
    provider: np.provider,
    source_type: np.source_type,
    current_observed_at: np.observed_at,
    snapshot_date: np.snapshot_date,
    alert_threshold: threshold.text,
  };

  if (!last) {
    const changes = PRICE_DIMENSIONS.filter((d) => current[d] !== null).map((d) => ({
      dimension: d,
      previous: null,
      current: current[d],
      relative_change: null,
    }));
    const id = eventId(
      'PriceChanged',
      np.price_key,
      'new',
      canonicalValues(null),
      canonicalValues(current),
      np.event_id,
    );
    return {
      changed: { ...common, event_id: id, kind: 'new', changes, previous_observed_at: null, alert: false },
      next,
    };
  }

  const { changes, alert } = diff(last.values, current, threshold.value);
  if (changes.length === 0) {
    const same = last.observed_at === next.observed_at && last.event_id === next.event_id;
    return { changed: null, next: same ? last : next };
  }
  const id = eventId(
    'PriceChanged',
    np.price_key,
    'changed',
    canonicalValues(atScaleValues(last.values)),
    canonicalValues(current),
    np.event_id,
  );
  return {
    changed: {
      ...common,
      event_id: id,
      kind: 'changed',
      changes,
      previous_observed_at: last.observed_at,
      alert,
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

export interface RemovalContext {
  readonly run_id: string;
  /** When the removal was established (e.g. the end of the discovery run that no longer lists the key). */
  readonly occurred_at: number;
  /** The UTC day of the run that no longer lists the key. */
  readonly snapshot_date: string;
  readonly caused_by?: string | null;
  readonly alertThreshold?: Decimal.Value;
}

/**
 * A `removed` PriceChanged for a key a run no longer lists: every known dimension goes to null. It does
 * not alert (a listing went away, no price moved) and the caller keeps `last` as state, so a key that
 * comes back is compared with its last known price rather than reported as new.
 */
export function removed(last: LastPrice, ctx: RemovalContext): PriceChanged {
  const { model_id, provider, source_type } = parsePriceKey(last.price_key);
  const values = atScaleValues(last.values);
  const changes = PRICE_DIMENSIONS.filter((d) => values[d] !== null).map((d) => ({
    dimension: d,
    previous: values[d],
    current: null,
    relative_change: null,
  }));
  return {
    event_id: eventId(
      'PriceChanged',
      last.price_key,
      'removed',
      canonicalValues(values),
      canonicalValues(null),
      last.event_id,
      ctx.snapshot_date,
    ),
    run_id: ctx.run_id,
    caused_by: ctx.caused_by ?? null,
    occurred_at: ctx.occurred_at,
    price_key: last.price_key,
    model_id,
    provider,
    source_type,
    kind: 'removed',
    changes,
    previous_observed_at: last.observed_at,
    current_observed_at: null,
    snapshot_date: ctx.snapshot_date,
    alert: false,
    alert_threshold: thresholdOf({ alertThreshold: ctx.alertThreshold }).text,
  };
}

export interface NormalizeAndDecideResult {
  readonly normalized: NormalizedPrice;
  readonly changed: PriceChanged | null;
  /** The state entry for `normalized.price_key` after this observation (undefined: still nothing known). */
  readonly next: LastPrice | undefined;
}

/**
 * The identity of an observation within a day. Its base id (key, UTC day, content) makes a re-run of
 * the day a no-op; but a price that moves within one day (A, then B, then A again) must not fold the
 * second A into the first, or the day's latest row would still say B. So, against the key's last
 * price of the same day: the same values keep the last observation's id (a re-run adds nothing), and
 * different values get an id chained to the last one (a new fact, a new row).
 */
export function identifyWithinDay(last: LastPrice | undefined, np: NormalizedPrice): NormalizedPrice {
  if (
    !last ||
    np.status !== 'ok' ||
    last.snapshot_date !== np.snapshot_date ||
    np.observed_at < last.observed_at
  )
    return np;
  const current = valuesOf(np);
  if (PRICE_DIMENSIONS.every((d) => current[d] === null)) return np;
  const same = canonicalValues(atScaleValues(last.values)) === canonicalValues(current);
  const event_id = same ? last.event_id : eventId('NormalizedPrice', np.event_id, 'after', last.event_id);
  return event_id === np.event_id ? np : { ...np, event_id };
}

/** The whole stage for one raw observation: normalize, then decide against the key's last price. Mutates nothing. */
export function normalizeAndDecide(
  state: ReadonlyMap<string, LastPrice>,
  raw: RawPriceObserved,
  opts: DecideOptions = {},
): NormalizeAndDecideResult {
  const base = normalize(raw);
  const last = state.get(base.price_key);
  const normalized = identifyWithinDay(last, base);
  const { changed, next } = decide(last, normalized, opts);
  return { normalized, changed, next };
}
