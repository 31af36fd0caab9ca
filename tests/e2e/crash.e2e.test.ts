// Issue 4, "Crash": real service processes killed with SIGKILL at a moment the test makes sure of, then
// restarted. What they leave behind must equal what a run without any crash leaves behind, computed
// for real next to it: a second sink on the same topics (own group, own database), or a clean
// normalizer and sink on a byte-for-byte copy of the raw input (own topics, own database).
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleCatalog, startFixtureServer } from '@llmpt/fixture-server';
import { groupLag } from '@llmpt/runtime/kafka';
import { topics, sinkInputTopics } from '@llmpt/runtime';
import { SINK_TABLES, tableChecksums } from '@llmpt/sink';
import { EMPTY_IN_A_DAILY_RUN } from './checks.ts';
import {
  consumeAll,
  createTestTopics,
  deleteTestTopics,
  type ConsumedEvent,
  groupIds,
  runDiscoveryJob,
  startService,
  waitForDrain,
  waitForGroups,
  type PipelineSettings,
  type ServiceName,
  type ServiceProcess,
  uniquePrefix,
  waitFor,
} from '@llmpt/testkit';
import {
  backendsWaitingOn,
  copyTopics,
  killHard,
  lastStableOffsets,
  replaceService,
  service,
  sinkLag,
  watchUncommitted,
} from './faults.ts';
import { DIMENSIONS } from './expected.ts';
import { freshDatabase, startPipeline, type E2EPipeline, type FreshDatabase } from './harness.ts';

/** Days fed after the backlog while no SIGKILL has landed inside a transaction yet. */
const MAX_EXTRA_DAYS = 6;

const figures: Record<string, unknown>[] = [];
afterAll(() => {
  console.info('[e2e crash] figures', JSON.stringify(figures, null, 1));
});

async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}

/** Event ids of a table, sorted. */
async function tableIds(db: pg.ClientBase, table: 'price_observations' | 'price_changes'): Promise<string[]> {
  return (
    await db.query<{ event_id: string }>(`select event_id from public.${table} order by event_id`)
  ).rows.map((r) => r.event_id);
}

/** Every observation's money columns as text, by event id. */
async function moneyByEventId(db: pg.ClientBase): Promise<string[]> {
  const res = await db.query<{ row: string }>(
    `select event_id || ' ' || concat_ws(' ', ${DIMENSIONS.map((m) => `coalesce(${m}::text, '-')`).join(', ')}) as row
       from public.price_observations order by event_id`,
  );
  return res.rows.map((r) => r.row);
}

/** Catalog keys: providers, models, model/provider pairs, sorted. */
async function catalogKeys(db: pg.ClientBase): Promise<Record<string, string[]>> {
  const q = async (sql: string) => (await db.query<{ k: string }>(sql)).rows.map((r) => r.k);
  return {
    providers: await q('select slug k from public.providers order by 1'),
    models: await q('select model_id k from public.models_catalog order by 1'),
    modelProviders: await q(`select model_id || ' @ ' || provider k from public.model_providers order by 1`),
  };
}

const idsOf = (events: readonly ConsumedEvent[]): string[] => events.map((e) => e.event.event_id).sort();
const runAndId = (e: ConsumedEvent): string => {
  const ev = e.event as { run_id: string; event_id: string };
  return `${ev.run_id} ${ev.event_id}`;
};
const dupes = (ids: readonly string[]): string[] => ids.filter((id, i) => i > 0 && ids[i - 1] === id);

/**
 * Asserts the crashed pipeline's database equals the clean one: per-table content checksums (rows and
 * every column but write times), and, to say what differs if anything does, the event ids per fact
 * table against the topic (read committed), the money per event id and the catalog keys.
 */
async function expectSameTables(
  crashed: pg.ClientBase,
  clean: pg.ClientBase,
  topicIds: { observations: string[]; changes: string[] },
  nonEmpty: readonly string[],
): Promise<Record<string, { rows: number; md5: string }>> {
  const obs = await tableIds(crashed, 'price_observations');
  const chg = await tableIds(crashed, 'price_changes');
  expect(obs, 'price_observations event ids = NormalizedPrice on the topic').toEqual([
    ...new Set(topicIds.observations),
  ]);
  expect(chg, 'price_changes event ids = PriceChanged on the topic').toEqual([...new Set(topicIds.changes)]);
  expect(await tableIds(clean, 'price_observations')).toEqual(obs);
  expect(await tableIds(clean, 'price_changes')).toEqual(chg);
  expect(await moneyByEventId(crashed)).toEqual(await moneyByEventId(clean));
  expect(await catalogKeys(crashed)).toEqual(await catalogKeys(clean));
  const sums = await tableChecksums(crashed);
  expect(sums, 'content checksums, crashed run vs clean run').toEqual(await tableChecksums(clean));
  for (const t of nonEmpty) expect(sums[t]?.rows, `${t} has rows`).toBeGreaterThan(0);
  return sums;
}

describe('crash: kill -9 and restart, then the same result as a run without crashes', () => {
  it.concurrent('the sink killed inside its database transaction, then restarted', async () => {
    const server = await startFixtureServer(sampleCatalog());
    const p = await startPipeline({ name: 'crash-sink', store: 'postgres', openRouterBaseUrl: server.url });
    const cleanDb = await freshDatabase('crash-sink-clean');
    // The run without crashes: a second sink on the same topics, its own group and database.
    const cleanGroup = `${p.prefix}pricing-sink-clean`;
    const cleanSink = startService(
      'sink',
      { ...p.settings, databaseUrl: cleanDb.url, logDir: path.join(p.settings.logDir, 'clean') },
      { GROUP_ID: cleanGroup },
    );
    const kills: Record<string, unknown>[] = [];
    const runDay = async (i: number, runId: string) => {
      server.setDay(i);
      const res = await runDiscoveryJob(p.settings, runId);
      expect(res.code, res.stderr).toBe(0);
    };
    try {
      // Kill 1: inside the transaction of a batch of facts, waiting to insert into price_observations.
      kills.push(
        await killSinkBlockedOn(p, 'public.price_observations', () => runDay(0, 'e2e-crash-sink-day1')),
      );
      // Kill 2: inside a batch of catalog upserts (providers written, model_providers waiting), which
      // the restarted sink applies a second time over what an earlier batch left.
      kills.push(
        await killSinkBlockedOn(p, 'public.model_providers', () => runDay(1, 'e2e-crash-sink-day2')),
      );

      await waitForGroups(p.kafka, [[cleanGroup, sinkInputTopics.map((t) => p.prefix + t)]], {
        services: [cleanSink],
      });
      const clean = await connect(cleanDb.url);
      try {
        const sums = await expectSameTables(
          p.db,
          clean,
          {
            observations: idsOf(await consumeAll(p.kafka, p.topics.normalizedPrice)),
            changes: idsOf(await consumeAll(p.kafka, p.topics.priceChanged)),
          },
          // An in-order run retracts nothing (docs/price-model.md §4.2) and the daily runs here start
          // no verifier (services/verifier): those tables stay empty.
          Object.keys(SINK_TABLES).filter((t) => !EMPTY_IN_A_DAILY_RUN.has(t)),
        );
        figures.push({
          test: 'sink',
          kills,
          rows: Object.fromEntries(Object.entries(sums).map(([t, c]) => [t, c.rows])),
        });
      } finally {
        await clean.end();
      }
    } finally {
      await cleanSink.stop('SIGKILL');
      await p.stop();
      await cleanDb.drop();
      await server.close();
    }
  });

  it.concurrent('the normalizer killed inside its Kafka transaction, then restarted', async () => {
    const server = await startFixtureServer({ models: { series: true } });
    const p = await startPipeline({
      name: 'crash-normalizer',
      store: 'postgres',
      openRouterBaseUrl: server.url,
      scraperEnv: { SCRAPE_ENDPOINTS: 'false' },
    });
    const groups = groupIds(p.prefix);
    const cleanPrefix = uniquePrefix('e2e-crash-normalizer-clean');
    let cleanDb: FreshDatabase | undefined;
    const clean: ServiceProcess[] = [];
    let day = 0;
    const scraperDrained = () =>
      waitForGroups(p.kafka, [[groups.scraper, [p.topics.modelDiscovered]]], {
        services: [service(p, 'scraper')],
      });
    const runNextDay = async () => {
      server.setDay(day);
      const res = await runDiscoveryJob(p.settings, `e2e-crash-normalizer-${server.days[day]}-${day}`);
      expect(res.code, res.stderr).toBe(0);
      day++;
      await scraperDrained();
    };
    const admin = p.kafka.admin();
    await admin.connect();
    const watcher = await watchUncommitted(p.kafka, p.topics.normalizedPrice);
    try {
      // A backlog: the normalizer stopped while three days of raw prices pile up.
      await service(p, 'normalizer').stop('SIGTERM');
      for (let i = 0; i < 3; i++) await runNextDay();
      const backlog = await groupLag(admin, groups.normalizer, [p.topics.rawPriceObserved]);

      // Started again: each time its output appears, freeze it (SIGSTOP) and look whether it is inside a
      // transaction: records past the last stable offset that stay there while it cannot send anything.
      // Then SIGKILL; otherwise SIGCONT and look again at its next output.
      replaceService(p, startService('normalizer', p.settings));
      let stops = 0;
      let failure: unknown;
      let hit: { partition: number; lso: bigint; maxOffset: bigint } | undefined;
      const hitOrIdle = new Promise<void>((resolve) => {
        watcher.onBatch(async () => {
          if (hit || failure) return;
          const n = service(p, 'normalizer');
          stops++;
          n.child.kill('SIGSTOP');
          try {
            // A commit the broker already received completes on its own: the LSO must hold still.
            let lso = await lastStableOffsets(admin, p.topics.normalizedPrice);
            for (let still = 0; still < 3;) {
              await new Promise((r) => setTimeout(r, 150));
              const again = await lastStableOffsets(admin, p.topics.normalizedPrice);
              still = [...again].every(([q, o]) => lso.get(q) === o) ? still + 1 : 0;
              lso = again;
            }
            const open = [...watcher.maxOffset].find(([q, max]) => max >= (lso.get(q) ?? 0n));
            if (!open) {
              n.child.kill('SIGCONT');
              return;
            }
            await killHard(n);
            hit = { partition: open[0], lso: lso.get(open[0]) ?? 0n, maxOffset: open[1] };
            resolve();
          } catch (err) {
            n.child.kill('SIGCONT');
            failure = err;
            resolve();
          }
        });
      });
      // More days while no kill has landed (bounded): each brings new transactions to try.
      const feeding = (async () => {
        for (let extra = 0; ; extra++) {
          await Promise.race([
            hitOrIdle,
            waitFor(
              async () =>
                hit !== undefined ||
                failure !== undefined ||
                (await groupLag(admin, groups.normalizer, [p.topics.rawPriceObserved])) === 0n,
              { timeoutMs: 240_000, message: 'the normalizer through its backlog' },
            ),
          ]);
          if (hit || failure !== undefined || extra >= MAX_EXTRA_DAYS) return;
          await runNextDay();
        }
      })();
      await Promise.race([hitOrIdle, feeding]);
      await feeding.catch(() => undefined);
      watcher.onBatch(null);
      expect(
        hit,
        `no SIGKILL landed inside a transaction after ${stops} SIGSTOPs over ${day} days`,
      ).toBeDefined();
      const seenOpen = hit!.maxOffset + 1n - hit!.lso;
      // Dead, and its transaction still open: the LSO has not moved past its records.
      const lsoAfterKill = await lastStableOffsets(admin, p.topics.normalizedPrice);
      expect(lsoAfterKill.get(hit!.partition)).toBe(hit!.lso);

      // Restart; meanwhile the run without crashes: the same raw input, copied, through a clean normalizer.
      const restarted = Date.now();
      replaceService(p, startService('normalizer', p.settings));
      // The restarted producer fences the dead one: its open transaction is aborted, the LSO moves on.
      const aborting = waitFor(
        async () =>
          ((await lastStableOffsets(admin, p.topics.normalizedPrice)).get(hit!.partition) ?? 0n) > hit!.lso,
        { timeoutMs: 240_000, intervalMs: 50, message: 'the open transaction aborted' },
      ).then(
        () => Date.now() - restarted,
        (err: unknown) => err,
      );
      const recovery = waitForDrain(p.kafka, p.prefix, { services: p.services, timeoutMs: 240_000 }).then(
        () => Date.now() - restarted,
        (err: unknown) => err,
      );
      await scraperDrained();
      const cleanTopics = await createTestTopics(cleanPrefix, { kafka: p.kafka });
      const copied = await copyTopics(p.kafka, p.prefix, cleanPrefix, [
        topics.modelDiscovered.name,
        topics.providerDiscovered.name,
        topics.rawPriceObserved.name,
        topics.catalogSnapshot.name,
      ]);
      cleanDb = await freshDatabase('crash-normalizer-clean');
      const cleanSettings: PipelineSettings = {
        ...p.settings,
        topicPrefix: cleanPrefix,
        databaseUrl: cleanDb.url,
        logDir: path.join(p.settings.logDir, 'clean'),
      };
      clean.push(startService('normalizer', cleanSettings), startService('sink', cleanSettings));
      const cleanGroups = groupIds(cleanPrefix);
      await waitForGroups(
        p.kafka,
        [
          [cleanGroups.normalizer, [cleanTopics.rawPriceObserved, cleanTopics.catalogSnapshot]],
          [cleanGroups.sink, sinkInputTopics.map((t) => cleanPrefix + t)],
        ],
        { services: clean },
      );
      const recoveryMs = await recovery;
      if (typeof recoveryMs !== 'number') throw recoveryMs;
      const abortedAfterMs = await aborting;
      if (typeof abortedAfterMs !== 'number') throw abortedAfterMs;

      const committed = await consumeAll(p.kafka, p.topics.normalizedPrice);
      const uncommitted = await consumeAll(p.kafka, p.topics.normalizedPrice, { readUncommitted: true });
      const changes = await consumeAll(p.kafka, p.topics.priceChanged);
      const changesUncommitted = await consumeAll(p.kafka, p.topics.priceChanged, { readUncommitted: true });
      const cleanNormalized = await consumeAll(p.kafka, cleanTopics.normalizedPrice);
      const cleanChanges = await consumeAll(p.kafka, cleanTopics.priceChanged);

      // The kill left records that only a read_uncommitted reader sees: the aborted transaction.
      const committedAt = new Set(committed.map((e) => `${e.partition}:${e.offset}`));
      const aborted = uncommitted.filter((e) => !committedAt.has(`${e.partition}:${e.offset}`));
      // Every record the watcher saw past the LSO when the process died was aborted, none committed.
      const orphaned = uncommitted.filter(
        (e) =>
          e.partition === hit!.partition &&
          BigInt(e.offset) >= hit!.lso &&
          BigInt(e.offset) <= hit!.maxOffset,
      );
      expect(orphaned.length, 'records of the open transaction at the kill').toBe(Number(seenOpen));
      for (const e of orphaned) expect(committedAt.has(`${e.partition}:${e.offset}`)).toBe(false);
      expect(aborted.length, 'aborted NormalizedPrice records').toBeGreaterThanOrEqual(orphaned.length);
      // Redone after the restart with the same ids (deterministic), each committed exactly once. A
      // NormalizedPrice id names a price on a snapshot date, so runs on one date repeat it: count per run.
      const normalizedIds = idsOf(committed);
      const perRun = committed.map(runAndId).sort();
      expect(dupes(perRun), 'NormalizedPrice committed twice in one run').toEqual([]);
      const committedPerRun = new Set(perRun);
      const abortedPerRun = [...new Set(aborted.map(runAndId))];
      expect(
        abortedPerRun.filter((k) => !committedPerRun.has(k)),
        'aborted and never redone',
      ).toEqual([]);
      expect(normalizedIds, 'NormalizedPrice (read committed) = the clean run').toEqual(
        idsOf(cleanNormalized),
      );
      const changeIds = idsOf(changes);
      expect(dupes(changeIds), 'duplicate PriceChanged ids (read committed)').toEqual([]);
      expect(changeIds, 'PriceChanged (read committed) = the clean run').toEqual(idsOf(cleanChanges));
      expect(changeIds.length).toBeGreaterThan(0);

      const cleanClient = await connect(cleanDb.url);
      try {
        const sums = await expectSameTables(
          p.db,
          cleanClient,
          {
            observations: normalizedIds,
            changes: changeIds,
          },
          ['models_catalog', 'price_observations', 'price_changes'],
        ); // no endpoints scraped: no providers
        figures.push({
          test: 'normalizer',
          days: day,
          backlogRawEvents: Number(backlog),
          copiedForCleanRun: copied,
          sigstops: stops,
          openTransactionRecordsSeenAtKill: Number(seenOpen),
          abortedNormalizedPriceRecords: aborted.length,
          uncommittedRecords: uncommitted.length,
          abortedPriceChangedRecords: changesUncommitted.length - changes.length,
          committedNormalizedPrice: committed.length,
          priceChanged: changeIds.length,
          openTransactionAbortedAfterRestartMs: abortedAfterMs,
          recoverMs: recoveryMs,
          rows: Object.fromEntries(Object.entries(sums).map(([t, c]) => [t, c.rows])),
        });
      } finally {
        await cleanClient.end();
      }
    } finally {
      watcher.onBatch(null);
      await watcher.stop();
      await admin.disconnect();
      await Promise.allSettled(clean.map((s) => s.stop('SIGKILL')));
      // A process left frozen by a failed run would not stop on SIGTERM.
      service(p, 'normalizer').child.kill('SIGCONT');
      await p.stop();
      await cleanDb?.drop();
      await deleteTestTopics(cleanPrefix, { kafka: p.kafka });
      await server.close();
    }
  });
});

/**
 * Holds an ACCESS EXCLUSIVE lock on `table` while `feed` runs, waits until pg_stat_activity shows the
 * sink inside its batch transaction waiting for that lock, SIGKILLs it, releases the lock, restarts
 * it and times restart → drained.
 */
async function killSinkBlockedOn(
  p: E2EPipeline,
  table: string,
  feed: () => Promise<void>,
): Promise<Record<string, unknown>> {
  const locker = new pg.Client({ connectionString: p.settings.databaseUrl });
  await locker.connect();
  try {
    await locker.query('begin');
    await locker.query(`lock table ${table} in access exclusive mode`);
    await feed();
    const [blocked] = await waitFor(
      async () => {
        const b = await backendsWaitingOn(p.db, 'pricing-sink', table);
        return b.length > 0 ? b : null;
      },
      { timeoutMs: 120_000, message: `the sink waiting for ${table} inside its transaction` },
    );
    // Mid-batch: active, waiting for the lock, in a transaction begun before this statement.
    expect(blocked!.state).toBe('active');
    expect(blocked!.wait_event_type).toBe('Lock');
    expect(blocked!.began_before_statement).toBe(true);
    expect(blocked!.query).toContain(`insert into ${table}`);
    const pending = await sinkLag(p);
    await killHard(service(p, 'sink'));
    await locker.query('rollback');
    return {
      kill: `sink inside its transaction, waiting for ${table}`,
      uncommittedEvents: pending,
      transactionHadWritten: blocked!.backend_xid !== null,
      ...(await restartAndDrain(p, 'sink')),
    };
  } finally {
    await locker.end();
  }
}

/** Starts the service again in place of the dead one and times restart → pipeline drained. */
async function restartAndDrain(p: E2EPipeline, name: ServiceName): Promise<{ recoverMs: number }> {
  const t0 = Date.now();
  replaceService(p, startService(name, p.settings));
  await waitForDrain(p.kafka, p.prefix, { services: p.services, timeoutMs: 240_000 });
  return { recoverMs: Date.now() - t0 };
}
