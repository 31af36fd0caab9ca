// A daily run on the fixture server: the full recorded catalog and every endpoint through discovery,
// the scraper, the normalizer and the sink, with the production politeness and without it. dailyRun is
// shared with daily-scale.ts (the same run on a cloned catalog).
import { startFixtureServer } from '@llmpt/fixture-server';
import {
  createTestTopics,
  runDiscoveryJob,
  startService,
  waitForDrain,
  type PipelineSettings,
} from '@llmpt/testkit';
import { cfg, endpointsFile, modelsFile, skip } from '../config.ts';
import type { Bench } from '../bench.ts';
import { freshDatabase, load, median, waitGroupsJoined } from '../infra.ts';
import { say } from '../report.ts';
import { countIn, settingsFor } from '../sink-replay.ts';

export async function dailySection(b: Bench): Promise<void> {
  if (skip('daily')) return;
  const server = await startFixtureServer({ models: modelsFile, endpoints: endpointsFile });
  try {
    for (const [label, extra] of [
      ['politeness defaults (100 ms interval, concurrency 4)', {}],
      ['no interval (OPENROUTER_MIN_INTERVAL_MS=0)', { OPENROUTER_MIN_INTERVAL_MS: '0' }],
    ] as const) {
      const times: number[] = [];
      const before = server.requests().length;
      for (let i = 0; i < cfg.dailyRuns; i++) times.push(await dailyRun(b, server.url, extra, `${i}`));
      const requests = (server.requests().length - before) / cfg.dailyRuns;
      b.report.loads.push(`daily ${label}: ${load()}`);
      b.report.record({
        section: 'daily',
        figure: `daily run, ${label}`,
        value: median(times) / 1000,
        unit: 's',
        runs: times.map((x) => x / 1000),
        note: `356 models, 832 endpoints (2026-05-18); ${requests} HTTP requests per run`,
      });
      // The limiter spaces request starts to one host by the interval whatever the concurrency, so
      // the politeness floor of a run is (requests to openrouter.ai - 1) x interval.
      if (!('OPENROUTER_MIN_INTERVAL_MS' in extra))
        b.report.record({
          section: 'daily',
          figure: 'daily run, politeness floor ((requests - 1) x 100 ms, one host)',
          value: ((requests - 1) * 100) / 1000,
          unit: 's',
          runs: [((requests - 1) * 100) / 1000],
          note: 'what the production interval costs: requests to one host at least this far apart',
        });
    }
  } finally {
    await server.close();
  }
}

export async function dailyRun(
  b: Bench,
  baseUrl: string,
  scraperEnv: Record<string, string>,
  label: string,
): Promise<number> {
  const { kafka } = b;
  const dp = b.newPrefix(`daily${label}`);
  await createTestTopics(dp, { kafka });
  const db = await freshDatabase('daily');
  const s: PipelineSettings = { ...settingsFor(b.env, dp, 'postgres', db.url), openRouterBaseUrl: baseUrl };
  const services = [
    startService('scraper', s, { LOG_LEVEL: 'warn', ...scraperEnv }),
    startService('normalizer', s, { LOG_LEVEL: 'warn' }),
    startService('sink', s, { LOG_LEVEL: 'warn' }),
  ];
  try {
    // Wait until the consumers are up, so the figure is the run, not the services' start.
    await waitGroupsJoined(kafka, [`${dp}pricing-scraper`, `${dp}pricing-normalizer`, `${dp}pricing-sink`]);
    const t0 = Date.now();
    const res = await runDiscoveryJob(s, `bench-daily-${label}`);
    if (res.code !== 0) throw new Error(`discovery exited with ${res.code}: ${res.stderr.slice(-500)}`);
    await waitForDrain(kafka, dp, { services, timeoutMs: 600_000, intervalMs: 200 });
    const ms = Date.now() - t0;
    const n = await countIn(db.url)();
    if (n.observations === 0) throw new Error('daily run wrote no observations');
    say(`daily run ${label}: ${ms} ms, ${n.observations} observations, ${n.changes} changes written`);
    return ms;
  } finally {
    await Promise.all(services.map((p) => p.stop()));
    await db.drop();
  }
}
