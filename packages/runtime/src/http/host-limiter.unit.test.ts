import { describe, expect, it } from 'vitest';
import { createHostLimiter } from './host-limiter.ts';

describe('host limiter', () => {
  it('spaces request starts per host and caps concurrency, on a fake clock', async () => {
    let clock = 0;
    const sleeps: number[] = [];
    const limiter = createHostLimiter({
      concurrency: 1,
      minIntervalMs: 1000,
      now: () => clock,
      sleep: (ms) => {
        sleeps.push(ms);
        clock += ms;
        return Promise.resolve();
      },
    });
    const starts: [string, number][] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const job = (host: string) =>
      limiter.run(host, async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        starts.push([host, clock]);
        await Promise.resolve();
        inFlight--;
      });
    await Promise.all([job('a'), job('a'), job('a'), job('b')]);
    expect(maxInFlight).toBeLessThanOrEqual(2); // one per host
    const aStarts = starts.filter(([h]) => h === 'a').map(([, t]) => t);
    expect(aStarts[1]! - aStarts[0]!).toBeGreaterThanOrEqual(1000);
    expect(aStarts[2]! - aStarts[1]!).toBeGreaterThanOrEqual(1000);
  });
});
