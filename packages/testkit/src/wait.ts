export interface WaitForOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** What was awaited, for the timeout error. */
  readonly message?: string;
}

/**
 * Polls until `cond` returns a truthy value (returned) or the timeout passes. A throwing condition counts
 * as "not yet"; its last error is in the timeout message. Tests wait on conditions, never on sleeps.
 */
export async function waitFor<T>(
  cond: () => T | Promise<T>,
  { timeoutMs = 30_000, intervalMs = 100, message = 'condition' }: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${message}${why}`, { cause: lastError });
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

let counter = 0;

/**
 * A prefix unique to this test run for topic names and consumer group ids, e.g. `t.kafka-int.1a2b3c.7.`
 * (topic names allow [a-zA-Z0-9._-]).
 */
export function uniquePrefix(name: string): string {
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'test';
  const run = `${Date.now().toString(36)}${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
  counter += 1;
  return `t.${slug}.${run}.${counter}.`;
}
