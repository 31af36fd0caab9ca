// What `tail` prints: one JSON line per event, as decoded from Avro. Money stays decimal strings (the
// events carry it that way); bytes, if a schema ever carries any, print as base64.
import Decimal from 'decimal.js';
import type { DecodedMessage, EventMessage } from '@llmpt/runtime/kafka';
import type { DimensionChange, PriceChanged, PriceChangeRetracted } from '@llmpt/schemas';

export interface TailFilters {
  /** Keep events whose model_id is one of these (empty: all). */
  readonly models?: readonly string[];
  /** Keep events whose provider is one of these (empty: all). Events without a provider never match. */
  readonly providers?: readonly string[];
  /** Keep only events with alert = true (PriceChanged past its threshold). */
  readonly alertsOnly?: boolean;
}

export interface TailLine {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string;
  readonly type: string;
  readonly event: unknown;
  /**
   * One human line: a PriceChanged with each change's tier and kind (describePriceChanged), a
   * PriceChangeRetracted with the version it takes back or reinstates (describePriceChangeRetracted).
   */
  readonly summary?: string;
}

function field(event: unknown, name: string): unknown {
  return event !== null && typeof event === 'object' ? (event as Record<string, unknown>)[name] : undefined;
}

/**
 * model_id and provider of an event: its own fields, or, for an event that has none but a price key
 * (a PriceChangeRetracted), the key's parts (`model|provider|source`, provider empty for the routed price).
 */
function modelAndProvider(event: unknown): { model: unknown; provider: unknown } {
  const key = field(event, 'price_key');
  if (field(event, 'model_id') === undefined && typeof key === 'string') {
    const [model, provider] = key.split('|');
    return { model, provider: provider ? provider : null };
  }
  return { model: field(event, 'model_id'), provider: field(event, 'provider') };
}

/** Whether a decoded event passes the filters (pure). Retractions carry no alert: --alerts-only drops them. */
export function matchesFilters(m: Pick<DecodedMessage, 'event'>, f: TailFilters): boolean {
  const { model, provider } = modelAndProvider(m.event);
  if (f.models?.length && !f.models.includes(String(model))) return false;
  if (f.providers?.length) {
    if (typeof provider !== 'string' || !f.providers.includes(provider)) return false;
  }
  if (f.alertsOnly && field(m.event, 'alert') !== true) return false;
  return true;
}

/** One JSON line (no trailing newline). Buffers become base64 strings. */
export function formatLine(line: TailLine): string {
  return JSON.stringify(line, function (this: Record<string, unknown>, key: string, value: unknown) {
    // JSON.stringify has already called Buffer#toJSON on `value`; the holder still has the Buffer.
    const raw = this[key];
    return Buffer.isBuffer(raw) ? raw.toString('base64') : value;
  });
}

function percent(relative: string | null): string {
  if (relative === null) return '';
  const p = new Decimal(relative).times(100);
  return ` (${p.isNegative() ? '' : '+'}${p.toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toFixed()} %)`;
}

/** One change: `dimension [tier] kind previous → current (±x %)`; v1 events have no tier or kind. */
export function describeChange(c: DimensionChange): string {
  const where = c.tier === null ? c.dimension : `${c.dimension} [${c.tier}]`;
  const kind = c.change === null ? '' : ` ${c.change}`;
  return `${where}${kind} ${c.previous ?? '-'} → ${c.current ?? '-'}${percent(c.relative_change)}`;
}

/**
 * A PriceChanged as one line for people: the event kind (new, changed, removed, returned, expiring),
 * the price key, each change with its tier and kind, the expiration date, and ALERT when it alerts.
 */
export function describePriceChanged(e: PriceChanged): string {
  const parts = [`${e.kind} ${e.price_key}`];
  if (e.expiration_date !== null) parts.push(`expires ${e.expiration_date}`);
  if (e.changes.length > 0) parts.push(e.changes.map(describeChange).join('; '));
  return `${parts.join(': ')}${e.alert ? ' ALERT' : ''}`;
}

/**
 * A PriceChangeRetracted as one line for people (docs/price-model.md §4.4): `retracted` (the version is
 * no longer in force) or `reinstated` (in force again), the price key, the change's event id, the first
 * 12 hex of the version's digest and the record's revision.
 */
export function describePriceChangeRetracted(r: PriceChangeRetracted): string {
  const what = r.retracted ? 'retracted' : 'reinstated';
  return `${what} ${r.price_key}: change ${r.retracted_event_id} version ${r.retracted_digest.slice(0, 12)} (revision ${r.revision})`;
}

/** The summary `tail` prints beside an event, for the types that have one. */
export function summaryOf(m: EventMessage): string | undefined {
  if (m.name === 'PriceChanged') return describePriceChanged(m.event);
  if (m.name === 'PriceChangeRetracted') return describePriceChangeRetracted(m.event);
  return undefined;
}
