// The daily run (daily.ts) on BENCH_DAILY_SCALE (4) times the recorded catalog: the 356 models of
// 2026-05-18 and their endpoints cloned with distinct ids (catalog.ts), written to .cache/bench and
// served by the fixture server, through discovery, the scraper, the normalizer and the sink. With the
// production politeness config (the scraper's defaults: 100 ms between request starts to one host,
// concurrency 4) and with no interval: total wall time, the computed politeness floor
// ((requests - 1) x 100 ms) and the measured share (the time the interval adds, over the total).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { endpointsFromDerivedMap, startFixtureServer } from '@llmpt/fixture-server';
import { cloneCatalog } from '../catalog.ts';
import { benchDir, cfg, endpointsFile, modelsFile, skip } from '../config.ts';
import type { Bench } from '../bench.ts';
import { load, median } from '../infra.ts';
import { fmt } from '../report.ts';
import { dailyRun } from './daily.ts';

const INTERVAL_MS = 100;

/** Writes the cloned catalog as a `/models` file and a sample-catalog endpoints file; returns both paths. */
function writeCatalog(factor: number): {
  models: string;
  endpoints: string;
  count: number;
  endpointCount: number;
} {
  const body = JSON.parse(readFileSync(modelsFile, 'utf8')) as {
    data: ({ id: string } & Record<string, unknown>)[];
  };
  const catalog = cloneCatalog(
    {
      models: body.data,
      endpoints: endpointsFromDerivedMap(JSON.parse(readFileSync(endpointsFile, 'utf8'))),
    },
    factor,
  );
  const dir = path.join(benchDir, `catalog-x${factor}`);
  mkdirSync(dir, { recursive: true });
  const models = path.join(dir, 'models.json');
  const endpoints = path.join(dir, 'endpoints.json');
  writeFileSync(models, JSON.stringify({ ...body, data: catalog.models }));
  writeFileSync(endpoints, JSON.stringify(Object.fromEntries(catalog.endpoints)));
  const endpointCount = [...catalog.endpoints.values()].reduce((n, list) => n + list.length, 0);
  return { models, endpoints, count: catalog.models.length, endpointCount };
}

export async function dailyScaleSection(b: Bench): Promise<void> {
  if (skip('daily-scale')) return;
  const factor = cfg.dailyScale;
  const files = writeCatalog(factor);
  const server = await startFixtureServer({ models: files.models, endpoints: files.endpoints });
  const medians: Record<string, number> = {};
  try {
    for (const [label, extra] of [
      ['polite', {}],
      ['no interval', { OPENROUTER_MIN_INTERVAL_MS: '0' }],
    ] as const) {
      const times: number[] = [];
      const before = server.requests().length;
      for (let i = 0; i < cfg.dailyScaleRuns; i++)
        times.push(await dailyRun(b, server.url, extra, `x${factor}${label === 'polite' ? 'p' : 'n'}${i}`));
      const requests = (server.requests().length - before) / cfg.dailyScaleRuns;
      b.report.loads.push(`daily-scale ${label}: ${load()}`);
      medians[label] = median(times);
      const floor = ((requests - 1) * INTERVAL_MS) / 1000;
      b.report.record({
        section: 'daily-scale',
        figure:
          label === 'polite'
            ? `daily run, ${factor}x catalog, production politeness config (100 ms interval, concurrency 4)`
            : `daily run, ${factor}x catalog, no interval (OPENROUTER_MIN_INTERVAL_MS=0)`,
        value: median(times) / 1000,
        unit: 's',
        runs: times.map((x) => x / 1000),
        note:
          `${files.count} models, ${files.endpointCount} endpoints; ${requests} HTTP requests per run` +
          (label === 'polite'
            ? `; politeness floor (${requests} - 1) x 100 ms = ${fmt(floor)} s = ${((floor / (median(times) / 1000)) * 100).toFixed(0)} % of the run`
            : ''),
      });
    }
    const polite = medians.polite!;
    const none = medians['no interval']!;
    b.report.record({
      section: 'daily-scale',
      figure: `daily run, ${factor}x catalog: share spent waiting on politeness (measured)`,
      value: ((polite - none) / polite) * 100,
      unit: '%',
      runs: [((polite - none) / polite) * 100],
      note: `(polite - no interval) / polite = (${fmt(polite / 1000)} - ${fmt(none / 1000)}) / ${fmt(polite / 1000)} s`,
    });
  } finally {
    await server.close();
  }
}
