// Per-host politeness: at most N requests in flight to a host, and consecutive request starts to the
// same host at least `minIntervalMs` apart. Hosts do not wait for each other.

export interface HostLimiter {
  run<T>(host: string, fn: () => Promise<T>): Promise<T>;
}

interface HostState {
  active: number;
  nextStart: number;
  readonly waiting: (() => void)[];
}

export function createHostLimiter(opts: {
  concurrency: number;
  minIntervalMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}): HostLimiter {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const hosts = new Map<string, HostState>();

  async function acquire(host: string): Promise<HostState> {
    let s = hosts.get(host);
    if (!s) {
      s = { active: 0, nextStart: 0, waiting: [] };
      hosts.set(host, s);
    }
    const state = s;
    if (state.active >= opts.concurrency) await new Promise<void>((resolve) => state.waiting.push(resolve));
    else state.active++;
    // Reserve the next start slot before sleeping so concurrent callers queue behind it.
    const t = now();
    const start = Math.max(t, state.nextStart);
    state.nextStart = start + opts.minIntervalMs;
    if (start > t) await sleep(start - t);
    return state;
  }

  function release(state: HostState): void {
    const next = state.waiting.shift();
    // The slot passes straight to the next waiter; `active` stays the same.
    if (next) next();
    else state.active--;
  }

  return {
    async run<T>(host: string, fn: () => Promise<T>): Promise<T> {
      const state = await acquire(host);
      try {
        return await fn();
      } finally {
        release(state);
      }
    },
  };
}
