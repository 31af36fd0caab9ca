// `npm run rebuild-changes` (services/normalizer/src/cli/rebuild-changes.ts) as an operator runs it, a
// process of its own, over topics holding BENCH_REBUILD_EVENTS NormalizedPrice events (default 1M): the
// bench history's observations, cloned model by model (catalog.ts) until there are that many. The first
// run, `--repair` over an empty PriceChanged topic, publishes every rebuilt version; each following run
// is the plain check, which then finds the topic equal to the rebuild (exit 0). Wall time from spawn to
// exit, events/s and the process's peak RSS (VmHWM, polled from /proc while it runs).
import { spawn } from 'node:child_process';
import { topics } from '@llmpt/runtime';
import type { NormalizedPrice } from '@llmpt/schemas';
import { createTestTopics, repoRoot } from '@llmpt/testkit';
import { cloneNormalized } from '../catalog.ts';
import { cfg, skip } from '../config.ts';
import type { Bench } from '../bench.ts';
import { load, median, peakRssKb, produceStream } from '../infra.ts';
import { fmt, say } from '../report.ts';

/** The first `total` observations of the base history's clones 0, 1, 2, … in log order. */
function* clonedObservations(base: readonly NormalizedPrice[], total: number): Generator<NormalizedPrice> {
  let n = 0;
  for (let i = 0; n < total; i++)
    for (const e of base) {
      if (n++ >= total) return;
      yield cloneNormalized(e, i);
    }
}

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
  const t = Date.now();
  const sent = await produceStream(
    b.kafka,
    (function* () {
      for (const event of clonedObservations(b.history.normalized, total))
        yield { topic, key: event.price_key, name: 'NormalizedPrice' as const, event };
    })(),
    cfg.partitions * 600_000,
  );
  const produceMs = Date.now() - t;
  say(
    `rebuild: produced ${sent.messages} NormalizedPrice (${fmt(sent.bytes / 2 ** 20)} MiB) to ${topic} in ${produceMs} ms ` +
      `(${fmt(sent.messages / (produceMs / 1000))} events/s)`,
  );
  if (sent.messages !== total) throw new Error(`rebuild: produced ${sent.messages} of ${total} events`);

  const check = (r: CliRun, label: string, ok: RegExp): void => {
    if (r.code !== 0 || !ok.test(r.stdout))
      throw new Error(
        `rebuild-changes ${label} exited ${r.code}: ${r.stdout.slice(-1500)} ${r.stderr.slice(-1500)}`,
      );
    say(
      `rebuild-changes ${label}: ${r.wallMs} ms, peak RSS ${fmt(r.peakRssKb / 1024)} MiB; ${r.stdout.trim().split('\n')[0]}`,
    );
  };
  const repair = await runCli(b, prefix, ['--repair']);
  check(repair, '--repair', /repaired: published \d+ PriceChanged/);
  const runs: CliRun[] = [];
  for (let i = 0; i < cfg.runs; i++) {
    const r = await runCli(b, prefix, []);
    check(r, `check ${i}`, /the topic equals the rebuild/);
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
      `${rebuilt?.[2] ?? '?'} price keys, topic equal to the rebuild every run`,
  });
  b.report.record({
    section: 'rebuild',
    figure: `rebuild-changes --repair over ${fmt(total)} NormalizedPrice, empty PriceChanged topic`,
    value: repair.wallMs / 1000,
    unit: 's',
    runs: [repair.wallMs / 1000],
    note: `peak RSS ${fmt(repair.peakRssKb / 1024)} MiB; publishes every rebuilt version; producing the input took ${fmt(produceMs / 1000)} s`,
  });
  b.result.rebuild = {
    events: total,
    produceMs,
    producedBytes: sent.bytes,
    repair: { wallMs: repair.wallMs, peakRssKb: repair.peakRssKb },
    checks: runs.map((r) => ({ wallMs: r.wallMs, peakRssKb: r.peakRssKb })),
    stdout: runs[0]!.stdout,
  };
}
