import type { GroupMember } from './stage-plan.ts';

/** How a stage groups partition batches into one commit (docs/design.md, group commit). */
export interface GroupOptions {
  /** Records (of whole batches) at which a group closes. */
  readonly maxEvents: number;
  /** Milliseconds after its first batch joined at which a group closes. */
  readonly maxWaitMs: number;
  /** Partition batches fetched and decoded at once (kafkajs partitionsConsumedConcurrently). Default 16. */
  readonly concurrency?: number;
}

/** A batch in a group, with what the driver needs of it once the group has committed. */
export interface Joined<P> {
  readonly member: GroupMember;
  /** The driver's handle on the batch (kafkajs's payload: isStale). */
  readonly payload: P;
}

export interface GroupCommitterOptions<P> {
  readonly maxEvents: number;
  readonly maxWaitMs: number;
  /** Runs one closed group: handler, publication, offsets. Never called twice at once. */
  readonly run: (members: readonly Joined<P>[]) => Promise<void>;
  /** A group's run failed: it and every group behind it are dropped, uncommitted, and no batch joins again. */
  readonly onFailure: (err: unknown) => void;
}

export interface GroupCommitter<P> {
  /**
   * Adds a batch to the open group (opening one), closes the group when it reaches the size bound,
   * and resolves when the group before the batch's own has finished: the caller may then let its
   * consumer fetch again (at most one group in flight and one accumulating). Undefined when the
   * committer failed and the batch joined nothing.
   */
  join(joined: Joined<P>, records: number): Promise<void> | undefined;
  /**
   * Resolves when at most one closed group is unfinished (the one in flight): a batch waits here
   * before it is decoded, so that a large fetch is not decoded all at once, ahead of the writes.
   */
  room(): Promise<void>;
  /** Closes the open group now and resolves when every closed group has finished. */
  flush(): Promise<void>;
}

interface Group<P> {
  readonly members: Joined<P>[];
  records: number;
  readonly timer: NodeJS.Timeout;
  /** Settles when the group closed before this one has finished (committed, or failed). */
  readonly previous: Promise<void>;
}

/**
 * The accumulator of a consuming stage with group commit (docs/design.md, group commit, rules 1, 3,
 * 5 and 7): batches join the open group; a group closes on its size bound, its time bound or a flush;
 * closed groups run one after the other, each only after the previous one has finished. After a
 * failure nothing runs or joins again: the driver replaces its consumer, which reads again from the
 * committed offsets.
 */
export function createGroupCommitter<P>(o: GroupCommitterOptions<P>): GroupCommitter<P> {
  let open: Group<P> | undefined;
  let tail: Promise<void> = Promise.resolve();
  let failed = false;
  // Closed groups not finished yet, in the order they run.
  const unfinished: Promise<void>[] = [];

  const close = (g: Group<P>) => {
    if (open !== g) return;
    open = undefined;
    clearTimeout(g.timer);
    tail = g.previous.then(async () => {
      if (failed) return;
      try {
        await o.run(g.members);
      } catch (err) {
        failed = true;
        if (open) clearTimeout(open.timer);
        open = undefined;
        o.onFailure(err);
      }
    });
    const done = tail;
    unfinished.push(done);
    void done.then(() => unfinished.splice(unfinished.indexOf(done), 1));
  };

  return {
    join: (joined, records) => {
      if (failed) return undefined;
      let g = open;
      if (!g) {
        const group: Group<P> = {
          members: [],
          records: 0,
          timer: setTimeout(() => close(group), o.maxWaitMs),
          previous: tail,
        };
        open = g = group;
      }
      g.members.push(joined);
      g.records += records;
      if (g.records >= o.maxEvents) close(g);
      return g.previous;
    },
    room: async () => {
      while (unfinished.length > 1) await unfinished[unfinished.length - 2];
    },
    flush: async () => {
      if (open) close(open);
      await tail;
    },
  };
}
