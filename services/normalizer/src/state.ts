import { MONEY_FIELDS, type NormalizedPrice, type ObservationStatus } from '@llmpt/schemas';
import { NormalizeError } from './errors.ts';

/** The money columns of NormalizedPrice, in schema order: the dimensions prices are compared on. */
export const PRICE_DIMENSIONS = MONEY_FIELDS;
export type PriceDimension = (typeof PRICE_DIMENSIONS)[number];

/** Token dimensions are USD per 1M tokens; the others are USD per unit (request, image, web search). */
export const TOKEN_DIMENSIONS: readonly PriceDimension[] = [
  'prompt',
  'completion',
  'internal_reasoning',
  'input_cache_read',
  'input_cache_write',
];

export type PriceValues = Readonly<Record<PriceDimension, string | null>>;

/**
 * The last known price of one price key: the normalizer's whole state, one record per key, kept in the
 * compacted changelog topic. Only available prices are stored (an unavailable observation never
 * overwrites a known price), so a price that comes back after a gap is compared with its last value.
 */
export interface LastPrice {
  readonly price_key: string;
  readonly values: PriceValues;
  readonly status: ObservationStatus;
  /** Fetch time of the latest observation of these values: older observations are out-of-order replays. */
  readonly observed_at: number;
  /** The NormalizedPrice that last confirmed these values. */
  readonly event_id: string;
  readonly snapshot_date: string;
}

export function isPriceDimension(dimension: string): dimension is PriceDimension {
  return (PRICE_DIMENSIONS as readonly string[]).includes(dimension);
}

/** The money columns of a NormalizedPrice as a dimension → value record. */
export function valuesOf(np: NormalizedPrice): PriceValues {
  return {
    prompt: np.prompt,
    completion: np.completion,
    internal_reasoning: np.internal_reasoning,
    input_cache_read: np.input_cache_read,
    input_cache_write: np.input_cache_write,
    request: np.request,
    image: np.image,
    web_search: np.web_search,
  };
}

/** A stable string of the values, in dimension order, for deterministic event ids. */
export function canonicalValues(values: PriceValues | null): string {
  return JSON.stringify(values === null ? null : PRICE_DIMENSIONS.map((d) => values[d]));
}

/** The state entry a NormalizedPrice leaves behind. */
export function lastPriceOf(np: NormalizedPrice): LastPrice {
  return {
    price_key: np.price_key,
    values: valuesOf(np),
    status: np.status,
    observed_at: np.observed_at,
    event_id: np.event_id,
    snapshot_date: np.snapshot_date,
  };
}

// Bumped when the stored shape changes; decodeState upcasts older versions.
const STATE_VERSION = 1;

/** A state entry as the value of the compacted changelog topic (UTF-8 JSON, keyed by price_key). */
export function encodeState(last: LastPrice): Buffer {
  const values = Object.fromEntries(PRICE_DIMENSIONS.map((d) => [d, last.values[d]]));
  return Buffer.from(
    JSON.stringify({
      v: STATE_VERSION,
      price_key: last.price_key,
      values,
      status: last.status,
      observed_at: last.observed_at,
      event_id: last.event_id,
      snapshot_date: last.snapshot_date,
    }),
    'utf8',
  );
}

function invalid(why: string, cause?: unknown): NormalizeError {
  return new NormalizeError('INVALID_PRICE_STATE', `invalid price state record: ${why}`, cause);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Reads a changelog value back; throws INVALID_PRICE_STATE on anything encodeState did not write. */
export function decodeState(buf: Buffer | Uint8Array): LastPrice {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(buf).toString('utf8'));
  } catch (err) {
    throw invalid('not JSON', err);
  }
  if (!isRecord(parsed)) throw invalid('not an object');
  const { v, price_key, values, status, observed_at, event_id, snapshot_date } = parsed;
  if (v !== STATE_VERSION) throw invalid(`unknown version ${JSON.stringify(v)}`);
  if (typeof price_key !== 'string') throw invalid('price_key');
  if (status !== 'ok' && status !== 'unavailable') throw invalid('status');
  if (typeof observed_at !== 'number' || !Number.isFinite(observed_at)) throw invalid('observed_at');
  if (typeof event_id !== 'string') throw invalid('event_id');
  if (typeof snapshot_date !== 'string') throw invalid('snapshot_date');
  if (!isRecord(values)) throw invalid('values');
  const out: Record<string, string | null> = {};
  for (const d of PRICE_DIMENSIONS) {
    const value = values[d] ?? null;
    if (value !== null && typeof value !== 'string') throw invalid(`values.${d}`);
    out[d] = value;
  }
  return {
    price_key,
    values: out as Record<PriceDimension, string | null>,
    status,
    observed_at,
    event_id,
    snapshot_date,
  };
}
