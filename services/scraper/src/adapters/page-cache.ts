// One fetch per page per run: every model of a provider shares the page, and concurrent callers await
// the same promise instead of fetching again. Create one cache per discovery run.

export interface PageCache<T> {
  get(key: string, load: () => Promise<T>): Promise<T>;
  readonly size: number;
  clear(): void;
}

export function createPageCache<T>(): PageCache<T> {
  const entries = new Map<string, Promise<T>>();
  return {
    get(key, load) {
      let p = entries.get(key);
      if (!p) {
        p = load();
        entries.set(key, p);
        // A thrown load (a bug, not a fetch failure: those are results) is not cached.
        p.catch(() => entries.delete(key));
      }
      return p;
    },
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
    },
  };
}
