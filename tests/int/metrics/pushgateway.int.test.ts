// docs/metrics.md "Jobs": discovery, a run-to-completion job, pushes its run's figures to a real
// Pushgateway (Debian's, extracted by scripts/setup.sh) when PUSHGATEWAY_URL is set; a Pushgateway that
// is not there costs a warning, never the run.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCatalog, startFixtureServer, type FixtureServer } from '@llmpt/fixture-server';
import {
  consumeAll,
  createTestTopics,
  deleteTestTopics,
  freePort,
  parseMetrics,
  repoRoot,
  runDiscoveryJob,
  stackEnv,
  testKafka,
  uniquePrefix,
  waitFor,
  type PipelineSettings,
  type TopicKey,
} from '@llmpt/testkit';

function pushgatewayBinary(): string {
  const onPath = spawnSync('sh', ['-c', 'command -v prometheus-pushgateway'], {
    encoding: 'utf8',
  }).stdout.trim();
  if (onPath) return onPath;
  const cached = path.join(repoRoot, '.cache', 'pushgateway', 'usr', 'bin', 'prometheus-pushgateway');
  if (existsSync(cached)) return cached;
  throw new Error('prometheus-pushgateway not found: run bash scripts/setup.sh');
}

const kafka = testKafka('pushgateway-int');
const prefix = uniquePrefix('pushgateway');
const catalog = sampleCatalog();
let names: Record<TopicKey, string>;
let server: FixtureServer;
let gateway: ChildProcess;
let port: number;
let settings: PipelineSettings;

beforeAll(async () => {
  names = await createTestTopics(prefix, { kafka, partitions: 1 });
  server = await startFixtureServer(catalog);
  port = await freePort();
  gateway = spawn(pushgatewayBinary(), [`--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${port}/-/ready`).catch(() => null))?.ok === true,
    {
      timeoutMs: 20_000,
      message: 'the Pushgateway to be ready',
    },
  );
  settings = {
    kafkaBrokers: stackEnv().kafkaBrokers.join(','),
    store: 'postgres',
    topicPrefix: prefix,
    openRouterBaseUrl: server.url,
    scrapeProviderSites: false,
    logDir: path.join(repoRoot, '.stack', 'logs', 'pushgateway'),
    logLevel: 'warn',
  };
});

afterAll(async () => {
  gateway?.kill('SIGTERM');
  await server?.close();
  await deleteTestTopics(prefix, { kafka });
});

describe('discovery pushes its run figures to the Pushgateway', () => {
  it('the figures of the run it made, under job llmpt-discovery', async () => {
    const t0 = Date.now();
    const res = await runDiscoveryJob(settings, `${prefix}run-1`, {
      PUSHGATEWAY_URL: `http://127.0.0.1:${port}`,
    });
    expect(res.code, res.stderr).toBe(0);
    const samples = parseMetrics(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).filter(
      (s) => s.labels.job === 'llmpt-discovery',
    );
    const figure = (f: string) =>
      samples.find((s) => s.name === 'llmpt_job_last_run_figures' && s.labels.figure === f)?.value;
    // Oracle: the day-1 file's entries and what reached the topic.
    const entries = (JSON.parse(readFileSync(catalog.models[0], 'utf8')) as { data: unknown[] }).data.length;
    const discovered = await consumeAll(kafka, names.modelDiscovered);
    expect([figure('models'), figure('sent')]).toEqual([entries, discovered.length]);
    expect(figure('rejected')).toBe(entries - discovered.length);
    const at = samples.find((s) => s.name === 'llmpt_job_last_success_timestamp_seconds')?.value ?? 0;
    expect(at * 1000).toBeGreaterThanOrEqual(t0 - 1000);
    expect(at * 1000).toBeLessThanOrEqual(Date.now());
    // Its own small registry: no process metrics of the job's pod.
    expect(
      samples.filter(
        (s) =>
          !s.name.startsWith('llmpt_job_') &&
          s.name !== 'push_time_seconds' &&
          s.name !== 'push_failure_time_seconds',
      ),
    ).toEqual([]);
  });

  it('a Pushgateway that is not there: a warning, and the run still succeeds', async () => {
    const closed = await freePort();
    const res = await runDiscoveryJob(settings, `${prefix}run-2`, {
      PUSHGATEWAY_URL: `http://127.0.0.1:${closed}`,
      LOG_LEVEL: 'warn',
    });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/run figures not pushed to the Pushgateway/);
  });
});
