// docs/design.md §5: the topics are the event store. Run the pipeline over three recorded days (the sample
// catalog's two days with providers and endpoints, so every table gets rows, then a real capture of
// the skissue series), then rebuild an empty database from the topics with the replay command, exactly
// as an operator runs it: the content checksums per table match. And the normalizer's change detection
// rebuilt from NormalizedPrice alone yields the PriceChanged topic: same ids, same bytes.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCatalog, seriesDays, startFixtureServer, type FixtureServer } from '@llmpt/fixture-server';
import { tableChecksums } from '@llmpt/sink';
import { stackEnv, consumeAll, runProcess, type ProcessRun } from '@llmpt/testkit';
import { EMPTY_IN_A_DAILY_RUN, eventsOf } from './checks.ts';
import { freshDatabase, startPipeline, type E2EPipeline, type FreshDatabase } from './harness.ts';

/** Runs one of the project's CLIs as an operator would, against the pipeline's topics. */
function runCli(script: string, args: readonly string[], env: Record<string, string>): Promise<ProcessRun> {
  return runProcess(process.execPath, ['--import', 'tsx', script, ...args], {
    KAFKA_BROKERS: stackEnv().kafkaBrokers.join(','),
    ...env,
  });
}

describe('replay', () => {
  let server: FixtureServer;
  let p: E2EPipeline;
  let target: FreshDatabase | undefined;

  beforeAll(async () => {
    const sample = sampleCatalog();
    const capture = seriesDays().at(-1);
    if (!capture) throw new Error('the skissue series has no capture');
    server = await startFixtureServer({ ...sample, models: [...sample.models, capture.file] });
    p = await startPipeline({ name: 'replay', store: 'postgres', openRouterBaseUrl: server.url });
  });
  afterAll(async () => {
    await p?.stop();
    await server?.close();
    await target?.drop();
  });

  it('rebuilds every table from the topics with the same content', async () => {
    for (const day of [0, 1, 2]) {
      server.setDay(day);
      expect((await p.runDay(`e2e-replay-day${day + 1}`)).code).toBe(0);
    }
    const original = await tableChecksums(p.db);
    // Every table has rows but those a daily run leaves empty (checks.ts EMPTY_IN_A_DAILY_RUN).
    for (const [t, c] of Object.entries(original))
      if (!EMPTY_IN_A_DAILY_RUN.has(t)) expect(c.rows, t).toBeGreaterThan(0);

    target = await freshDatabase('replay-target');
    const out = await runCli('services/sink/src/cli/replay.ts', ['--into', target.url], {
      TOPIC_PREFIX: p.prefix,
    });
    expect(out.code, out.stderr.slice(-2000)).toBe(0);
    expect(out.stdout).toMatch(
      /replay into postgres:\/\/postgres:\*\*\*@.*: \d+ events in [\d.]+ s \(\d+ events\/s\)/,
    );
    const db = new pg.Client({ connectionString: target.url });
    await db.connect();
    try {
      expect(await tableChecksums(db)).toEqual(original);
    } finally {
      await db.end();
    }
    for (const c of Object.values(original)) expect(out.stdout).toContain(`md5 ${c.md5}`);
    console.info(
      '[e2e replay]',
      out.stdout
        .split('\n')
        .filter((l) => !l.startsWith('replay: '))
        .join('\n'),
    );
  });

  it('rebuilds PriceChanged from NormalizedPrice: the same event ids, and none twice', async () => {
    const changes = await eventsOf(p, 'PriceChanged');
    const ids = new Set(changes.map((c) => c.event_id));
    expect(ids.size, 'no PriceChanged id twice on the topic (read committed)').toBe(changes.length);
    expect(changes.filter((c) => c.kind === 'changed').length).toBeGreaterThan(0);

    const check = await runCli('services/normalizer/src/cli/rebuild-changes.ts', [], {
      TOPIC_PREFIX: p.prefix,
    });
    expect(check.code, check.stdout + check.stderr.slice(-2000)).toBe(0);
    console.info('[e2e replay]', check.stdout);
    expect(check.stdout).toContain(
      `${p.topics.priceChanged}: ${changes.length} events; same ${changes.length}, missing 0, extra 0, differing 0, duplicate ids 0`,
    );

    // Rebuilt into an empty topic, from scratch: exactly the ids of the live topic.
    const repaired = `${p.prefix}rebuilt-price-changed`;
    const admin = p.kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: repaired, numPartitions: 3 }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
    const write = await runCli(
      'services/normalizer/src/cli/rebuild-changes.ts',
      ['--write-topic', repaired],
      {
        TOPIC_PREFIX: p.prefix,
      },
    );
    expect(write.code, write.stderr.slice(-2000)).toBe(0);
    expect(write.stdout).toContain(`wrote ${changes.length} PriceChanged to ${repaired} (0 already there)`);
    const rebuilt = await consumeAll(p.kafka, repaired);
    expect(new Set(rebuilt.map((m) => m.event.event_id))).toEqual(ids);
    expect(rebuilt).toHaveLength(changes.length);
  });
});
