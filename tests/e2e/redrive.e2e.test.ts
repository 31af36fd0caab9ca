// Re-drive after a fix, for real: the sink's database refuses some rows (a check constraint added for
// the test, standing in for any bug or schema problem), so the sink dead-letters those events with the
// database's reason and goes on. The fix (dropping the constraint), then `npm run dead-letters --
// redrive --stage sink` as an operator runs it: the rows land, and the database equals a clean build
// from the topics (replay into an empty database, same per-table checksums). A second re-drive
// publishes nothing; a forced one (--again) publishes copies that change nothing (ids are keys).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCatalog, startFixtureServer, type FixtureServer } from '@llmpt/fixture-server';
import { highWatermarks } from '@llmpt/runtime/kafka';
import { REDRIVEN_FROM_HEADER } from '@llmpt/runtime/ops';
import { tableChecksums } from '@llmpt/sink';
import { stackEnv, consumeAll, waitFor, runProcess, waitForDrain } from '@llmpt/testkit';
import { count, eventsOf, runEvents } from './checks.ts';
import { deadLettersCli, listDeadLetters } from './dead-letters-cli.ts';
import { freshDatabase, startPipeline, type E2EPipeline, type FreshDatabase } from './harness.ts';

const REFUSED = 'openai/gpt-4o';
const CONSTRAINT = 'e2e_refuse_gpt4o';
const RUN = 'e2e-redrive-day1';

describe('re-drive dead letters after a fix', () => {
  let server: FixtureServer;
  let p: E2EPipeline;
  let target: FreshDatabase | undefined;

  beforeAll(async () => {
    server = await startFixtureServer(sampleCatalog());
    p = await startPipeline({ name: 'redrive', store: 'postgres', openRouterBaseUrl: server.url });
  });
  afterAll(async () => {
    await p?.stop();
    await server?.close();
    await target?.drop();
  });

  const marks = async (topic: string): Promise<bigint> => {
    const admin = p.kafka.admin();
    await admin.connect();
    try {
      return await highWatermarks(admin, [topic]);
    } finally {
      await admin.disconnect();
    }
  };
  const refusedRows = () =>
    count(p.db, 'select count(*) as n from price_observations where model_id = $1', [REFUSED]);

  it('dead-letters refused rows, re-drives them once fixed, and ends equal to a clean build', async () => {
    await p.db.query(
      `alter table price_observations add constraint ${CONSTRAINT} check (model_id <> '${REFUSED}')`,
    );
    const t0 = Date.now();
    server.setDay(0);
    await p.runDay(RUN);
    const runMs = Date.now() - t0;

    // What the normalizer published, and what the sink refused: every NormalizedPrice of the model.
    const prices = await runEvents(p, 'NormalizedPrice', RUN);
    const refused = prices.filter((e) => e.model_id === REFUSED);
    expect(refused.length).toBeGreaterThanOrEqual(2); // the routed price and its providers' endpoints
    expect(await refusedRows()).toBe(0);
    expect(await count(p.db, 'select count(*) as n from price_observations')).toBe(
      prices.length - refused.length,
    );

    const fromSink = (await eventsOf(p, 'DeadLetter')).filter((d) => d.stage === 'sink');
    expect(fromSink.map((d) => d.caused_by).sort()).toEqual(refused.map((e) => e.event_id).sort());
    const npMessages = await consumeAll(p.kafka, p.topics.normalizedPrice);
    for (const d of fromSink) {
      expect(d).toMatchObject({
        error_code: 'SINK_CONSTRAINT_VIOLATION',
        source_topic: p.topics.normalizedPrice,
        run_id: RUN,
        retriable: false,
      });
      expect(d.error_message).toContain(`violates check constraint "${CONSTRAINT}"`);
      // The coordinates point at the refused event itself, and the payload is its bytes.
      const at = npMessages.find((m) => m.partition === d.source_partition && m.offset === d.source_offset);
      expect(at?.event.event_id).toBe(d.caused_by);
      expect(d.key?.toString()).toBe(at?.key);
    }

    // The tool lists them, with a summary by stage and code.
    const listed = await listDeadLetters(p.prefix, ['--stage', 'sink']);
    expect(listed.selected).toBe(refused.length);
    expect(listed.summary).toEqual([
      { stage: 'sink', code: 'SINK_CONSTRAINT_VIOLATION', count: refused.length },
    ]);
    const text = await deadLettersCli(p.prefix, [
      'list',
      '--stage',
      'sink',
      '--code',
      'SINK_CONSTRAINT_VIOLATION',
    ]);
    expect(text.code, text.stderr).toBe(0);
    for (const d of fromSink)
      expect(text.stdout).toContain(
        `${d.event_id}  sink  SINK_CONSTRAINT_VIOLATION  ${p.topics.normalizedPrice}/${d.source_partition}@${d.source_offset}  run=${RUN}  postgres store:`,
      );
    expect(text.stdout).toContain(`${refused.length} dead letters selected of`);

    // A dry run publishes nothing.
    const npTopic = p.topics.normalizedPrice;
    const before = await marks(npTopic);
    const dry = await deadLettersCli(p.prefix, ['redrive', '--stage', 'sink', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout.match(/^would re-drive /gm)).toHaveLength(refused.length);
    expect(dry.stdout).toContain(`${refused.length} messages to re-publish`);
    expect(await marks(npTopic)).toBe(before);

    // The fix, then the re-drive.
    await p.db.query(`alter table price_observations drop constraint ${CONSTRAINT}`);
    const t1 = Date.now();
    const first = await deadLettersCli(p.prefix, ['redrive', '--stage', 'sink']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(
      `${refused.length} messages re-published (for ${refused.length} dead letters), 0 skipped`,
    );
    expect(await marks(npTopic)).toBe(before + BigInt(refused.length));
    await waitFor(async () => (await refusedRows()) === refused.length, {
      timeoutMs: 120_000,
      message: `${refused.length} ${REFUSED} rows after the re-drive`,
    });
    const recoverMs = Date.now() - t1;
    await waitForDrain(p.kafka, p.prefix, { services: p.services, timeoutMs: 240_000 });

    // The copies carry the header naming their dead letter, and land on the original partition.
    const copies = (await consumeAll(p.kafka, npTopic)).filter((m) => m.headers[REDRIVEN_FROM_HEADER]);
    expect(copies).toHaveLength(refused.length);
    for (const c of copies) {
      const dl = fromSink.find((d) => d.event_id === c.headers[REDRIVEN_FROM_HEADER]);
      expect(dl?.caused_by).toBe(c.event.event_id);
      expect(c.partition).toBe(dl?.source_partition);
    }

    // Every NormalizedPrice is a row now, once; nothing new was dead-lettered.
    const ids = await p.db.query<{ event_id: string }>('select event_id from price_observations');
    expect(ids.rows.map((r) => r.event_id).sort()).toEqual(prices.map((e) => e.event_id).sort());
    expect((await eventsOf(p, 'DeadLetter')).length).toBe(listed.total);

    // Equal to a clean run: the sink over the same topics into an empty database, without the refusal.
    const live = await tableChecksums(p.db);
    target = await freshDatabase('redrive-clean');
    const replay = await runProcess(
      process.execPath,
      ['--import', 'tsx', 'services/sink/src/cli/replay.ts', '--into', target.url],
      { KAFKA_BROKERS: stackEnv().kafkaBrokers.join(','), TOPIC_PREFIX: p.prefix },
    );
    expect(replay.code, replay.stderr.slice(-2000)).toBe(0);
    const clean = new pg.Client({ connectionString: target.url });
    await clean.connect();
    try {
      expect(await tableChecksums(clean)).toEqual(live);
    } finally {
      await clean.end();
    }

    // Re-driving twice adds nothing: the second run publishes nothing...
    const second = await deadLettersCli(p.prefix, ['redrive', '--stage', 'sink']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(
      `0 messages re-published (for 0 dead letters), ${refused.length} skipped`,
    );
    expect(second.stdout.match(/already re-driven/g)).toHaveLength(refused.length);
    expect(await marks(npTopic)).toBe(before + BigInt(refused.length));
    // ...and copies forced through anyway change nothing downstream (the event id is the key).
    const forced = await deadLettersCli(p.prefix, ['redrive', '--stage', 'sink', '--again']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await marks(npTopic)).toBe(before + BigInt(2 * refused.length));
    await waitForDrain(p.kafka, p.prefix, { services: p.services, timeoutMs: 240_000 });
    expect(await tableChecksums(p.db)).toEqual(live);
    expect((await eventsOf(p, 'DeadLetter')).length).toBe(listed.total);

    console.info('[e2e redrive]', {
      dayRunMs: runMs,
      normalizedPrices: prices.length,
      deadLettered: refused.length,
      redriveToRowsMs: recoverMs,
      rows: Object.fromEntries(Object.entries(live).map(([t, c]) => [t, c.rows])),
    });
  });
});
