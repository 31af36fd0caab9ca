// Issue 4, "SIGTERM: finish the batch, commit, exit 0 within a bounded time; a second signal forces
// exit". The sink is caught inside its database transaction (the test holds a lock on the table it
// writes, and sees it waiting in pg_stat_activity) when the signal comes: the first SIGTERM waits for
// that batch, commits it and exits 0; a second signal exits at once, and the batch is simply redone.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { sinkInputTopics } from '@llmpt/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCatalog, startFixtureServer, type FixtureServer } from '@llmpt/fixture-server';
import {
  groupIds,
  runDiscoveryJob,
  startService,
  waitForDrain,
  type ServiceProcess,
  uniquePrefix,
  waitFor,
} from '@llmpt/testkit';
import { count } from './checks.ts';
import { backendsWaitingOn, replaceService, service } from './faults.ts';
import { startPipeline, type E2EPipeline } from './harness.ts';

/** How long the batch in flight stays blocked after the first SIGTERM. */
const HOLD_AFTER_SIGNAL_MS = 3_000;

describe('SIGTERM while the sink is inside a batch', () => {
  let server: FixtureServer;
  let p: E2EPipeline;
  const run = uniquePrefix('shutdown').slice(2, -1);
  const figures: Record<string, unknown>[] = [];

  beforeAll(async () => {
    server = await startFixtureServer(sampleCatalog());
    p = await startPipeline({ name: 'shutdown', store: 'postgres', openRouterBaseUrl: server.url });
  });
  afterAll(async () => {
    await p?.stop();
    await server?.close();
    console.info('[e2e shutdown] figures', figures);
  });

  const sinkLog = () => readFileSync(path.join(p.settings.logDir, 'sink.log'), 'utf8');

  /** The sum of the sink group's committed offsets: it moves only when a batch is committed. */
  async function sinkCommitted(): Promise<bigint> {
    const admin = p.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchOffsets({
        groupId: groupIds(p.prefix).sink,
        topics: sinkInputTopics.map((t) => p.prefix + t),
      });
      return offsets
        .flatMap((t) => t.partitions)
        .reduce((sum, part) => sum + (BigInt(part.offset) > 0n ? BigInt(part.offset) : 0n), 0n);
    } finally {
      await admin.disconnect();
    }
  }

  /** SIGTERM, then wait for the sink's own "shutting down" line written after it (two signals sent
   *  back to back would merge into one: POSIX does not queue them). */
  async function terminate(sink: ServiceProcess): Promise<void> {
    const from = sinkLog().length;
    sink.child.kill('SIGTERM');
    await waitFor(() => sinkLog().slice(from).includes('"msg":"shutting down"'), {
      timeoutMs: 30_000,
      message: 'the sink to start shutting down',
    });
  }

  /** A sink at info level (its shutdown lines are the test's evidence), in place of the running one. */
  async function freshSink(): Promise<ServiceProcess> {
    // The one it replaces may still be starting (no signal handler yet): how it ends does not matter.
    await service(p, 'sink').stop();
    const next = startService('sink', { ...p.settings, logLevel: 'info' });
    replaceService(p, next);
    return next;
  }

  /**
   * Runs discovery for `day` while the test holds `price_observations`, waits until the sink is
   * inside its transaction waiting for it, then calls `act` with the lock still held.
   */
  async function withSinkBlocked(day: number, act: (locker: pg.Client) => Promise<void>): Promise<void> {
    const locker = new pg.Client({ connectionString: p.settings.databaseUrl });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table price_observations in access exclusive mode');
      server.setDay(day);
      const res = await runDiscoveryJob(p.settings, `e2e-${run}-day${day + 1}`);
      expect(res.code, res.stderr).toBe(0);
      const [blocked] = await waitFor(
        async () => {
          const b = await backendsWaitingOn(p.db, 'pricing-sink', 'price_observations');
          return b.length > 0 ? b : null;
        },
        { timeoutMs: 120_000, message: 'the sink waiting inside its transaction' },
      );
      expect(blocked!.began_before_statement).toBe(true);
      await act(locker);
    } finally {
      await locker.query('rollback').catch(() => undefined);
      await locker.end();
    }
  }

  it('the first SIGTERM finishes the batch in flight, commits it and exits 0', async () => {
    const sink = await freshSink();
    let committedAtSignal = 0n;
    let releasedAt = 0;
    let signalledAt = 0;
    await withSinkBlocked(0, async (locker) => {
      committedAtSignal = await sinkCommitted();
      signalledAt = Date.now();
      await terminate(sink);
      // Keep the batch waiting a while after the signal (the fault itself, not a wait for something).
      await sleep(HOLD_AFTER_SIGNAL_MS);
      // It cannot exit while its batch waits for the lock: it is finishing that batch, not dropping it.
      expect(sink.child.exitCode).toBeNull();
      expect(await backendsWaitingOn(p.db, 'pricing-sink', 'price_observations')).toHaveLength(1);
      releasedAt = Date.now();
      await locker.query('rollback');
    });
    expect(await sink.exited).toBe(0);
    const exitMs = Date.now() - releasedAt;
    // The batch was written and its offsets committed (nothing else ran meanwhile: the sink was
    // stopping), the rows are there, and no "batch failed" was ever logged.
    const committedAfter = await sinkCommitted();
    expect(committedAfter).toBeGreaterThan(committedAtSignal);
    expect(await count(p.db, 'select count(*) n from price_observations')).toBeGreaterThan(0);
    expect(sinkLog()).toContain('"msg":"shutdown complete"');
    expect(sinkLog()).not.toContain('batch failed');

    const t0 = Date.now();
    replaceService(p, startService('sink', p.settings));
    await waitForDrain(p.kafka, p.prefix, { services: p.services, timeoutMs: 240_000 });
    // Day 1 of the sample catalog, exactly (two-days.e2e.test.ts): 33 routed + 83 endpoint prices.
    expect(await count(p.db, 'select count(*) n from price_observations')).toBe(116);
    expect(await count(p.db, 'select count(*) n from price_changes')).toBe(116);
    figures.push({
      signal: 'SIGTERM inside a batch',
      heldMs: releasedAt - signalledAt,
      exitAfterReleaseMs: exitMs,
      offsetsCommittedByTheFinishedBatch: Number(committedAfter - committedAtSignal),
      restartToDrainedMs: Date.now() - t0,
    });
  });

  it('a second signal forces the exit at once; the batch is redone after the restart', async () => {
    const before = await count(p.db, 'select count(*) n from price_observations');
    const sink = await freshSink();
    let forcedMs = 0;
    await withSinkBlocked(1, async () => {
      await terminate(sink);
      const t0 = Date.now();
      sink.child.kill('SIGTERM');
      // With the lock still held: the process does not wait for its batch any more.
      expect(await sink.exited).toBe(130);
      forcedMs = Date.now() - t0;
    });
    expect(sinkLog()).toContain('second signal, forcing exit');
    expect(await count(p.db, 'select count(*) n from price_observations')).toBe(before);

    const t0 = Date.now();
    replaceService(p, startService('sink', p.settings));
    await waitForDrain(p.kafka, p.prefix, { services: p.services, timeoutMs: 240_000 });
    // Day 2 of the sample catalog on the same UTC day: 48 new rows, 47 changes (outages.e2e.test.ts).
    expect(await count(p.db, 'select count(*) n from price_observations')).toBe(116 + 48);
    expect(await count(p.db, 'select count(*) n from price_changes')).toBe(116 + 47);
    expect(await count(p.db, 'select count(*) - count(distinct event_id) n from price_observations')).toBe(0);
    figures.push({
      signal: 'second SIGTERM inside a batch',
      exitAfterSecondSignalMs: forcedMs,
      restartToDrainedMs: Date.now() - t0,
    });
  });
});
