// DESIGN.md §4: the topics are the event store. Run the pipeline over the sample catalog's two days
// (models, providers, endpoints: every table gets rows), then rebuild an empty database from the
// topics with the replay command, exactly as an operator runs it: the content checksums per table match.
import { spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCatalog, startFixtureServer, type FixtureServer } from '@llmpt/fixture-server';
import { tableChecksums } from '../../../../services/sink/src/checksums.ts';
import { stackEnv } from '../env.ts';
import { repoRoot } from '../paths.ts';
import { freshDatabase, startPipeline, type E2EPipeline, type FreshDatabase } from './harness.ts';

describe('replay', () => {
  let server: FixtureServer;
  let p: E2EPipeline;
  let target: FreshDatabase | undefined;

  beforeAll(async () => {
    server = await startFixtureServer(sampleCatalog());
    p = await startPipeline({ name: 'replay', store: 'postgres', openRouterBaseUrl: server.url });
  });
  afterAll(async () => {
    await p?.stop();
    await server?.close();
    await target?.drop();
  });

  it('rebuilds every table from the topics with the same content', async () => {
    server.setDay(0);
    expect((await p.runDay('e2e-replay-day1')).code).toBe(0);
    server.setDay(1);
    expect((await p.runDay('e2e-replay-day2')).code).toBe(0);
    const original = await tableChecksums(p.db);
    for (const c of Object.values(original)) expect(c.rows).toBeGreaterThan(0);

    target = await freshDatabase('replay-target');
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'services/sink/src/cli/replay.ts', '--into', target!.url],
        {
          cwd: repoRoot,
          env: {
            PATH: process.env.PATH ?? '',
            KAFKA_BROKERS: stackEnv().kafkaBrokers.join(','),
            TOPIC_PREFIX: p.prefix,
          },
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
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
  });
});
