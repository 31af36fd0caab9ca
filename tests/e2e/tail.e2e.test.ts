// tail over a real two-day run of the pipeline (sample catalog, 2026-08-01 → 2026-08-19): the CLI,
// run as a process, prints exactly the PriceChanged events on the topic, and its filters select
// exactly what the test selects from the events read independently (consumeAll).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCatalog, startFixtureServer, type FixtureServer } from '@llmpt/fixture-server';
import type { PriceChanged } from '@llmpt/schemas';
import { consumeAll, repoRoot, type ConsumedEvent } from '@llmpt/testkit';
import { startPipeline, type E2EPipeline } from './harness.ts';
import { describePriceChanged } from '@llmpt/consumer';

let server: FixtureServer;
let p: E2EPipeline;
let changes: ConsumedEvent[];

function tail(
  args: string[],
): Promise<{ code: number | null; lines: Record<string, unknown>[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'packages/consumer/src/cli/tail.ts'), '--exit-at-end', ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, KAFKA_BROKERS: p.settings.kafkaBrokers, TOPIC_PREFIX: p.prefix },
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      resolve({
        code,
        stderr: err,
        lines: out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      }),
    );
  });
}

const ids = (events: readonly { event_id: string }[]) => events.map((e) => e.event_id).sort();
const printed = (lines: Record<string, unknown>[]) => lines.map((l) => l.event as PriceChanged);
const changeEvents = () => changes.map((c) => c.event as PriceChanged);

beforeAll(async () => {
  const catalog = sampleCatalog();
  server = await startFixtureServer(catalog);
  p = await startPipeline({ name: 'consumer-tail', store: 'postgres', openRouterBaseUrl: server.url });
  server.setDay(0);
  await p.runDay('tail-day-1');
  server.setDay(1);
  await p.runDay('tail-day-2');
  changes = await consumeAll(p.kafka, p.topics.priceChanged);
});

afterAll(async () => {
  await p?.stop();
  await server?.close();
});

describe('tail', () => {
  it('prints exactly the PriceChanged events of the two days, decoded, money as strings', async () => {
    const { code, lines, stderr } = await tail(['--topic', 'price-changed', '--from', 'earliest']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(changes.length).toBeGreaterThan(0);
    expect(new Set(changes.map((c) => (c.event as PriceChanged).run_id))).toEqual(
      new Set(['tail-day-1', 'tail-day-2']),
    );
    expect(lines.length).toBe(changes.length);
    expect(ids(printed(lines))).toEqual(ids(changeEvents()));
    // Every event exactly as decoded independently, with its topic, key and type.
    const byId = new Map(changes.map((c) => [(c.event as PriceChanged).event_id, c]));
    for (const l of lines) {
      const c = byId.get((l.event as PriceChanged).event_id)!;
      expect(l).toEqual({
        topic: p.topics.priceChanged,
        partition: c.partition,
        offset: c.offset,
        key: c.key,
        type: 'PriceChanged',
        event: c.event,
        summary: describePriceChanged(c.event as PriceChanged),
      });
    }
    const dims = printed(lines).flatMap((e) => e.changes);
    expect(dims.length).toBeGreaterThan(0);
    for (const d of dims) if (d.current !== null) expect(d.current).toMatch(/^\d+\.\d{8}$/);
  });

  it('filters by model, provider and alerts', async () => {
    const all = changeEvents();
    const withProvider = all.find((e) => e.provider !== null)!;
    const model = withProvider.model_id;
    const byModel = await tail(['--from', 'earliest', '--model', model]);
    expect(ids(printed(byModel.lines))).toEqual(ids(all.filter((e) => e.model_id === model)));

    const byProvider = await tail(['--from', 'earliest', '--provider', withProvider.provider!]);
    expect(ids(printed(byProvider.lines))).toEqual(
      ids(all.filter((e) => e.provider === withProvider.provider)),
    );

    const alerts = await tail(['--from', 'earliest', '--alerts-only']);
    const expectedAlerts = all.filter((e) => e.alert);
    expect(expectedAlerts.length).toBeGreaterThan(0);
    expect(ids(printed(alerts.lines))).toEqual(ids(expectedAlerts));

    const both = await tail(['--from', 'earliest', '--model', model, '--provider', withProvider.provider!]);
    expect(ids(printed(both.lines))).toEqual(
      ids(all.filter((e) => e.model_id === model && e.provider === withProvider.provider)),
    );
  });

  it('--from a time starts at the first message at or after it; latest prints nothing already there', async () => {
    const day2 = changes.filter((c) => (c.event as PriceChanged).run_id === 'tail-day-2');
    const from = Math.min(...day2.map((c) => Number(c.timestamp)));
    const fromTime = await tail(['--from', new Date(from).toISOString()]);
    expect(ids(printed(fromTime.lines))).toEqual(
      ids(changes.filter((c) => Number(c.timestamp) >= from).map((c) => c.event as PriceChanged)),
    );
    const latest = await tail(['--from', 'latest']);
    expect(latest.code).toBe(0);
    expect(latest.lines).toEqual([]);
  });

  it('follows other topics too (NormalizedPrice by full name)', async () => {
    const normalized = await consumeAll(p.kafka, p.topics.normalizedPrice);
    const res = await tail(['--topic', 'pricing.normalized-price.v1', '--from', 'earliest']);
    expect(res.lines.length).toBe(normalized.length);
    expect(new Set(res.lines.map((l) => l.type))).toEqual(new Set(['NormalizedPrice']));
  });
});
