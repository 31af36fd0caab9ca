// What `tail` prints: one JSON line per event, as decoded from Avro. Money stays decimal strings (the
// events carry it that way); bytes, if a schema ever carries any, print as base64.
import type { DecodedMessage } from '@llmpt/runtime';

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
