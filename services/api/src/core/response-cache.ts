// The API's answer cache (services/api/README.md, "Caching"): finished 200 answers of the public read
// endpoints, kept for a TTL, bounded in bytes, least recently used evicted first. Pure: the caller passes
// the time, so the rules are unit-tested without a clock.

/** One stored answer: the body as serialized (before ETag and compression) and the headers it carried. */
export interface CachedAnswer {
  readonly body: string | Buffer;
  readonly headers: Readonly<Record<string, string>>;
  /** When it was stored (ms since the epoch). */
  readonly storedAt: number;
}

export interface ResponseCacheOptions {
  /** How long an answer is served after it was stored; 0 turns the cache off. */
  readonly ttlMs: number;
  /** Sum of the bodies' sizes kept at most; an answer larger than a quarter of it is not kept. */
  readonly maxBytes: number;
}

export interface CacheLookup {
  readonly answer: CachedAnswer;
  /** false: older than the TTL but younger than twice it, served only while a replacement is computed. */
  readonly fresh: boolean;
}

export interface ResponseCache {
  readonly enabled: boolean;
  get(key: string, now: number): CacheLookup | undefined;
  set(key: string, answer: CachedAnswer): void;
  readonly size: number;
  readonly bytes: number;
}

const sizeOf = (a: CachedAnswer): number =>
  (typeof a.body === 'string' ? Buffer.byteLength(a.body) : a.body.length) +
  64 * Object.keys(a.headers).length;

/** The public read routes whose answers are the same for every client (never a key's own data). */
export function isCacheablePath(path: string): boolean {
  return path === '/openapi.json' || /^\/v1\/(models|catalog|changes|exports|cost)(\/|\.|$)/.test(path);
}

export function createResponseCache(opts: ResponseCacheOptions): ResponseCache {
  // A Map iterates in insertion order: deleting and inserting again on each hit keeps the least
  // recently used first.
  const entries = new Map<string, CachedAnswer & { readonly size: number }>();
  let bytes = 0;
  const drop = (key: string): void => {
    const e = entries.get(key);
    if (!e) return;
    bytes -= e.size;
    entries.delete(key);
  };
  return {
    enabled: opts.ttlMs > 0 && opts.maxBytes > 0,
    get(key, now) {
      const e = entries.get(key);
      if (!e) return undefined;
      if (now - e.storedAt >= 2 * opts.ttlMs || now < e.storedAt) {
        drop(key);
        return undefined;
      }
      entries.delete(key);
      entries.set(key, e);
      return { answer: e, fresh: now - e.storedAt < opts.ttlMs };
    },
    set(key, answer) {
      if (opts.ttlMs <= 0) return;
      const size = sizeOf(answer);
      drop(key);
      if (size > opts.maxBytes / 4) return;
      entries.set(key, { ...answer, size });
      bytes += size;
      for (const k of entries.keys()) {
        if (bytes <= opts.maxBytes) break;
        drop(k);
      }
    },
    get size() {
      return entries.size;
    },
    get bytes() {
      return bytes;
    },
  };
}
