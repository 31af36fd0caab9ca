import { createHash } from 'node:crypto';

/**
 * Deterministic event id: the same fact always gets the same id, so a re-run or a replay of it is a
 * no-op downstream (the sink keys rows by event id). 128 bits of sha256 over the identifying parts,
 * hex-encoded. Parts are JSON-encoded so ("a|b", "c") and ("a", "b|c") never collide.
 */
export function eventId(kind: string, ...parts: readonly (string | number | boolean | null)[]): string {
  return createHash('sha256')
    .update(JSON.stringify([kind, ...parts]))
    .digest('hex')
    .slice(0, 32);
}

/** sha256 hex of bytes or text: the content hash every observation keeps. */
export function contentHash(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The key of a price series: model|provider|source (provider empty for OpenRouter's routed price). */
export function priceKey(modelId: string, provider: string | null, sourceType: string): string {
  return `${modelId}|${provider ?? ''}|${sourceType}`;
}
