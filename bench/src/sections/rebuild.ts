// `npm run rebuild-changes` (services/normalizer/src/cli/rebuild-changes.ts) as an operator runs it, a
// process of its own, over topics holding BENCH_REBUILD_EVENTS NormalizedPrice events (default 1M): the
// bench history's observations, cloned model by model (catalog.ts) until there are that many, and the
// PriceChanged topic holding what the normalizer published for them (each clone's versions computed
// here with the normalizer's own pure rebuildChanges at its default settings). Each run is the plain
// check, which finds the topic equal to the rebuild (exit 0). Wall time from spawn to exit, events/s and
// the process's peak RSS (VmHWM, polled from /proc while it runs). The topic is not filled with
// `--repair`: it sends every missing version in one produce request, which the broker refuses above
// 1 MB per partition (MESSAGE_TOO_LARGE at 22,695 versions).
import { spawn } from 'node:child_process';
import { topics } from '@llmpt/runtime';
import { normalizerEnvSchema, rebuildChanges } from '@llmpt/normalizer';
import { createTestTopics, repoRoot } from '@llmpt/testkit';
import { clonedObservations } from '../catalog.ts';
import { cfg, skip } from '../config.ts';
import type { Bench } from '../bench.ts';
import { load, median, peakRssKb, produceStream } from '../infra.ts';
import { fmt, say } from '../report.ts';

/** The decision settings rebuild-changes reads, at their defaults (the bench sets neither). */
const decideDefaults = {
  alertThreshold: normalizerEnvSchema.shape.ALERT_THRESHOLD.parse(undefined),
  removalAfterRuns: normalizerEnvSchema.shape.REMOVAL_AFTER_RUNS.parse(undefined),
};

interface CliRun {
  readonly code: number | null;
  readonly wallMs: number;
  readonly peakRssKb: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI to its end, polling its peak RSS. */
function runCli(b: Bench, prefix: string, args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'services/normalizer/src/cli/rebuild-changes.ts', ...args],
      {
        cwd: repoRoot,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          KAFKA_BROKERS: b.env.kafkaBrokers.join(','),
          TOPIC_PREFIX: prefix,
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    let peak = 0;
    const poll = setInterval(() => (peak = Math.max(peak, peakRssKb(child.pid))), 100);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', (err) => {
      clearInterval(poll);
      reject(err);
    });
    child.once('exit', (code) => {
      clearInterval(poll);
      resolve({ code, wallMs: Date.now() - t0, peakRssKb: peak, stdout, stderr });
    });
  });
}

export async function rebuildSection(b: Bench): Promise<void> {
  if (skip('rebuild')) return;
  const total = cfg.rebuildEvents;
  const prefix = b.newPrefix('rebuild');
  await createTestTopics(prefix, { kafka: b.kafka, partitions: cfg.partitions });
  const topic = prefix + topics.normalizedPrice.name;
  const changedTopic = prefix + topics.priceChanged.name;
  const t = Date.now();
  let changes = 0;
  const sent = await produceStream(
    b.kafka,
    (function* () {
      for (const clone of clonedObservations(b.history.normalized, total)) {
        for (const event of clone)
          yield { topic, key: event.price_key, name: 'NormalizedPrice' as const, event };
        for (const event of rebuildChanges(clone, decideDefaults).changes) {
          changes++;
          yield { topic: changedTopic, key: event.price_key, name: 'PriceChanged' as const, event };
        }
      }
    })(),
    cfg.partitions * 600_000,
  );
  const produceMs = Date.now() - t;
  say(
    `rebuild: produced ${sent.messages - changes} NormalizedPrice and ${changes} PriceChanged (${fmt(sent.bytes / 2 ** 20)} MiB) ` +
      `to ${prefix}* in ${produceMs} ms (${fmt(sent.messages / (produceMs / 1000))} events/s, the changes computed on the way)`,
  );
  if (sent.messages - changes !== total)
    throw new Error(`rebuild: produced ${sent.messages - changes} of ${total} events`);

  const runs: CliRun[] = [];
  for (let i = 0; i < cfg.runs; i++) {
    const r = await runCli(b, prefix, []);
    say(
      `rebuild-changes check ${i}: exit ${r.code}, ${r.wallMs} ms, peak RSS ${fmt(r.peakRssKb / 1024)} MiB`,
    );
    if (r.code !== 0 || !/the topic equals the rebuild/.test(r.stdout)) {
      // Recorded, not thrown: a command that cannot hold this many events (heap) is the figure.
      const why = `${r.stdout.trim().split('\n').slice(-3).join(' / ')} ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`;
      b.report.record({
        section: 'rebuild',
        figure: `rebuild-changes check over ${fmt(total)} NormalizedPrice (CLI process): FAILED`,
        value: r.wallMs / 1000,
        unit: 's',
        runs: [r.wallMs / 1000],
        note: `exit ${r.code} after ${fmt(r.wallMs / 1000)} s, peak RSS ${fmt(r.peakRssKb / 1024)} MiB: ${why.slice(0, 400)}`,
      });
      b.result.rebuild = {
        events: total,
        failed: { code: r.code, wallMs: r.wallMs, peakRssKb: r.peakRssKb, why },
      };
      return;
    }
    runs.push(r);
  }
  b.report.loads.push(`rebuild-changes: ${load()}`);
  const rebuilt = /→ (\d+) PriceChanged, (\d+) price keys/.exec(runs[0]!.stdout);
  const eps = runs.map((r) => total / (r.wallMs / 1000));
  const rss = median(runs.map((r) => r.peakRssKb / 1024));
  b.report.record({
    section: 'rebuild',
    figure: `rebuild-changes check over ${fmt(total)} NormalizedPrice (CLI process)`,
    value: median(runs.map((r) => r.wallMs)) / 1000,
    unit: 's',
    runs: runs.map((r) => r.wallMs / 1000),
    note:
      `${fmt(median(eps))} events/s (spawn to exit); peak RSS ${fmt(rss)} MiB; ${rebuilt?.[1] ?? '?'} PriceChanged over ` +
      `${rebuilt?.[2] ?? '?'} price keys, topic equal to the rebuild every run; input produced in ${fmt(produceMs / 1000)} s`,
  });
  b.result.rebuild = {
    events: total,
    produceMs,
    producedBytes: sent.bytes,
    changes,
    checks: runs.map((r) => ({ wallMs: r.wallMs, peakRssKb: r.peakRssKb })),
    stdout: runs[0]!.stdout,
  };
}
