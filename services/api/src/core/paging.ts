// Paging of /v1/changes (services/api/README.md "Changes"): a limit in 1-500 and an opaque cursor that
// carries the position (at, event_id) of a page's last item and the order it was issued for.

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 500;

export interface Position {
  readonly at: Date;
  readonly eventId: string;
}

/** `limit` as given in the query → a whole number in 1..MAX_LIMIT, or null when it is not one. */
export function parseLimit(text: string | undefined): number | null {
  if (text === undefined) return DEFAULT_LIMIT;
  if (!/^\d{1,4}$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= MAX_LIMIT ? n : null;
}

/** `oldest`: ascending (at, event_id), the default; `newest`: descending. */
export type ChangesOrder = 'oldest' | 'newest';

export interface Cursor {
  readonly position: Position;
  readonly order: ChangesOrder;
}

// An oldest-first cursor is [at, event_id], as before `order` existed (those cursors stay valid); a
// newest-first one carries a third element, so a cursor cannot silently walk the other way.
export function encodeCursor(p: Position, order: ChangesOrder = 'oldest'): string {
  const value = [p.at.toISOString(), p.eventId, ...(order === 'newest' ? ['newest'] : [])];
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** A cursor back to its position and order, or null when it is not one we issued. */
export function decodeCursor(text: string): Cursor | null {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(text)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || (value.length !== 2 && !(value.length === 3 && value[2] === 'newest')))
    return null;
  const [at, eventId] = value as unknown[];
  if (typeof at !== 'string' || typeof eventId !== 'string' || eventId === '') return null;
  const d = new Date(at);
  if (Number.isNaN(d.getTime()) || d.toISOString() !== at) return null;
  return { position: { at: d, eventId }, order: value.length === 3 ? 'newest' : 'oldest' };
}
