// What `tail` prints: one JSON line per event, as decoded from Avro. Money stays decimal strings (the
// events carry it that way); bytes, if a schema ever carries any, print as base64.
import Decimal from 'decimal.js';
import type { DecodedMessage } from '@llmpt/runtime/kafka';
import type { DimensionChange, PriceChanged } from '@llmpt/schemas';

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
  /** PriceChanged only: one human line, each change with its tier and its kind (describePriceChanged). */
  readonly summary?: string;
}

function field(event: unknown, name: string): unknown {
  return event !== null && typeof event === 'object' ? (event as Record<string, unknown>)[name] : undefined;
}

/** Whether a decoded event passes the filters (pure). */
export function matchesFilters(m: Pick<DecodedMessage, 'event'>, f: TailFilters): boolean {
  if (f.models?.length && !f.models.includes(String(field(m.event, 'model_id')))) return false;
  if (f.providers?.length) {
    const p = field(m.event, 'provider');
    if (typeof p !== 'string' || !f.providers.includes(p)) return false;
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
