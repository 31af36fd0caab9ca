// Oracle: docs/metrics.md "Discovery runs" (a run begins at its first live event; the latest run is the
// one fetched last; its models are distinct ids; backfilled events are not runs).
import { describe, expect, it } from 'vitest';
import type { ModelDiscovered } from '@llmpt/schemas';
import { emptyRuns, RUNS_REMEMBERED, trackRuns } from './runs.ts';

const md = (run_id: string, model_id: string, fetched_at: number, backfill = false) =>
  ({ run_id, model_id, fetched_at, backfill }) as ModelDiscovered;

describe('trackRuns', () => {
  it('counts each run once across batches, and the latest run by fetch time', () => {
    const a = trackRuns(emptyRuns, [md('r1', 'a/x', 1000), md('r1', 'a/y', 1000)]);
    expect(a.begun).toBe(1);
    const b = trackRuns(a.state, [md('r1', 'a/z', 1000), md('r1', 'a/x', 1000), md('r2', 'a/x', 5000)]);
    expect(b.begun).toBe(1);
    expect(b.state.latest?.runId).toBe('r2');
    expect([...b.state.latest!.models]).toEqual(['a/x']);
    // An older run's late events change neither the latest run nor its count.
    const c = trackRuns(b.state, [md('r1', 'a/w', 1000), md('r2', 'a/y', 5000), md('r2', 'a/y', 5000)]);
    expect(c.begun).toBe(0);
    expect([c.state.latest?.runId, c.state.latest?.models.size]).toEqual(['r2', 2]);
  });
  it('ignores backfilled events', () => {
    const s = trackRuns(emptyRuns, [md('backfill-2026-01-01', 'a/x', 10, true)]);
    expect(s).toEqual({ state: emptyRuns, begun: 0 });
  });
  it(`remembers the last ${RUNS_REMEMBERED} runs`, () => {
    const many = Array.from({ length: RUNS_REMEMBERED + 1 }, (_, i) => md(`r${i}`, 'a/x', i));
    const s = trackRuns(emptyRuns, many);
    expect([s.begun, s.state.seen.length, s.state.seen[0]]).toEqual([
      RUNS_REMEMBERED + 1,
      RUNS_REMEMBERED,
      'r1',
    ]);
    expect(trackRuns(s.state, [md('r0', 'a/x', 0)]).begun).toBe(1);
  });
});
