// docs/design.md, group commit: a group closes on its size bound, its time bound or a flush; closed
// groups run one at a time, in order; after a failure nothing runs or joins again.
import { describe, expect, it, vi } from 'vitest';
import { createGroupCommitter, type Joined } from './stage-group.ts';

const member = (topic: string, partition: number, lastOffset: string): Joined<string> => ({
  member: {
    batch: { topic, partition, messages: [], lastOffset },
    decoded: { messages: [], rejected: [] },
  },
  payload: `${topic}/${partition}@${lastOffset}`,
});

function recorder(o: { maxEvents?: number; maxWaitMs?: number; fail?: number } = {}) {
  const runs: string[][] = [];
  const failures: unknown[] = [];
  const committer = createGroupCommitter<string>({
    maxEvents: o.maxEvents ?? 10,
    maxWaitMs: o.maxWaitMs ?? 100,
    run: async (members) => {
      await Promise.resolve();
      if (runs.length === o.fail) {
        runs.push(['failed']);
        throw new Error('boom');
      }
      runs.push(members.map((m) => m.payload));
    },
    onFailure: (err) => failures.push(err),
  });
  return { committer, runs, failures };
}

describe('group committer', () => {
  it('closes a group at its size bound, whole batches only, and runs it once', async () => {
    const { committer, runs } = recorder({ maxEvents: 10, maxWaitMs: 60_000 });
    void committer.join(member('a', 0, '5'), 6);
    void committer.join(member('a', 1, '7'), 6); // 12 >= 10: closed with both
    void committer.join(member('a', 2, '1'), 2); // the next group, open
    await committer.room();
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    expect(runs).toEqual([['a/0@5', 'a/1@7']]);
    await committer.flush();
    expect(runs).toEqual([['a/0@5', 'a/1@7'], ['a/2@1']]);
  });

  it('closes a group at its time bound', async () => {
    vi.useFakeTimers();
    try {
      const { committer, runs } = recorder({ maxEvents: 1000, maxWaitMs: 100 });
      void committer.join(member('a', 0, '1'), 1);
      await vi.advanceTimersByTimeAsync(99);
      expect(runs).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(runs).toEqual([['a/0@1']]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a batch waits for the group before its own; groups run in order', async () => {
    const { committer, runs } = recorder({ maxEvents: 1 });
    const first = committer.join(member('a', 0, '1'), 1);
    const second = committer.join(member('a', 0, '2'), 1);
    await first; // nothing before the first group
    await second; // the first group has finished
    expect(runs[0]).toEqual(['a/0@1']);
    await committer.flush();
    expect(runs).toEqual([['a/0@1'], ['a/0@2']]);
  });

  it('after a failed group, the groups behind it never run and nothing joins again', async () => {
    const { committer, runs, failures } = recorder({ maxEvents: 1, fail: 0 });
    void committer.join(member('a', 0, '1'), 1);
    void committer.join(member('a', 0, '2'), 1);
    await committer.flush();
    expect(runs).toEqual([['failed']]);
    expect(failures).toHaveLength(1);
    expect(committer.join(member('a', 0, '3'), 1)).toBeUndefined();
  });

  it('flush closes the open group at once, without its time bound', async () => {
    const { committer, runs } = recorder({ maxEvents: 1000, maxWaitMs: 60_000 });
    void committer.join(member('a', 0, '1'), 1);
    void committer.join(member('b', 3, '9'), 1);
    await committer.flush();
    expect(runs).toEqual([['a/0@1', 'b/3@9']]);
  });
});
