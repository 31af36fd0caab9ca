// The example gateway consumer over a real two-day run (sample catalog): model_pricing ends equal to
// what this test computes from the recorded snapshots, and a consumer killed (SIGKILL) between
// applying an event and committing it, then restarted, ends in the same table; replaying the whole
// topic again from scratch changes nothing either.
import { spawn } from 'node:child_process';
import path from 'node:path';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCatalog, startFixtureServer, type FixtureServer } from '@llmpt/fixture-server';
import { groupLag } from '@llmpt/runtime/kafka';
import type { PriceChanged } from '@llmpt/schemas';
import { consumeAll, repoRoot, waitFor } from '@llmpt/testkit';
import { expectedRoutedDay, readModels, slotLabel } from './expected.ts';
import { startPipeline, type E2EPipeline } from './harness.ts';
import { columnOfDimension, pricingColumns } from '@llmpt/consumer';

let server: FixtureServer;
let p: E2EPipeline;
let changes: PriceChanged[];
const catalog = sampleCatalog();

function runSync(groupId: string, aliases: Record<string, string>, extra: Record<string, string> = {}) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'packages/consumer/src/cli/gateway-sync.ts')],
    {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        KAFKA_BROKERS: p.settings.kafkaBrokers,
        DATABASE_URL: p.settings.databaseUrl!,
        TOPIC_PREFIX: p.prefix,
        GROUP_ID: groupId,
        MODEL_ALIASES: JSON.stringify(aliases),
        LOG_LEVEL: 'warn',
        ...extra,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited };
}

async function lagOf(groupId: string): Promise<bigint> {
  const admin = p.kafka.admin();
  await admin.connect();
  try {
    return await groupLag(admin, groupId, [p.topics.priceChanged]);
  } finally {
    await admin.disconnect();
  }
}

async function table(): Promise<Record<string, unknown>[]> {
  const cols = pricingColumns.map((c) => `${c}::text as ${c}`).join(', ');
  const { rows } = await p.db.query(
    `select model_name, model_id, ${cols}, listed from public.model_pricing order by model_name`,
  );
  return byName(rows as Record<string, unknown>[]);
}

const byName = (rows: Record<string, unknown>[]) =>
  rows.sort((a, b) => (String(a.model_name) < String(b.model_name) ? -1 : 1));

/**
 * The table the test expects, from the two recorded /models files alone: per routed key the last known
 * BASE value of each mirrored dimension (docs/price-model.md §3: a blink keeps the last known value; a
 * flat table charges the base, tiers are left to costOfCall). No model leaves the catalog for the
 * removal policy's two runs in two days, so every row stays listed.
 */
function expectedTable(aliases: Record<string, string>): Record<string, unknown>[] {
  const last = new Map<string, Map<string, string>>();
  for (const file of catalog.models)
    for (const [key, obs] of expectedRoutedDay(readModels(file))) {
      if (obs.status !== 'ok') continue;
      const known = last.get(key) ?? new Map<string, string>();
      for (const d of Object.keys(columnOfDimension)) {
        const v = obs.slots[slotLabel(null, d)];
        if (v !== undefined) known.set(d, v);
      }
      last.set(key, known);
    }
  const rows: Record<string, unknown>[] = [];
  for (const [key, known] of last) {
    const modelId = key.slice(0, -'||openrouter_api'.length);
    const row: Record<string, unknown> = { model_id: modelId, listed: true };
    for (const [d, target] of Object.entries(columnOfDimension)) {
      const v = known.get(d) ?? null;
      // per 1M → per 1K: divide by 1000 (scale 8 → 11); per-unit prices as they are.
      row[target.column] = v === null ? null : target.per1k ? new Decimal(v).div(1000).toFixed(11) : v;
    }
    for (const name of [modelId, ...Object.keys(aliases).filter((a) => aliases[a] === modelId)])
      rows.push({ model_name: name, ...row });
  }
  return byName(rows);
}

beforeAll(async () => {
  server = await startFixtureServer(catalog);
  p = await startPipeline({ name: 'consumer-gateway', store: 'postgres', openRouterBaseUrl: server.url });
  server.setDay(0);
  await p.runDay('gateway-day-1');
  server.setDay(1);
  await p.runDay('gateway-day-2');
  changes = (await consumeAll(p.kafka, p.topics.priceChanged)).map((c) => c.event as PriceChanged);
});

afterAll(async () => {
  await p?.stop();
  await server?.close();
});

describe('gateway model_pricing from PriceChanged', () => {
  it('killed mid-stream and restarted, ends equal to the table computed from the snapshots', async () => {
    expect(changes.filter((e) => e.kind === 'removed')).toEqual([]);
    const routed = changes.filter((e) => e.source_type === 'openrouter_api');
    const changedTwice = routed.find((e) => e.kind === 'changed')!;
    expect(changedTwice).toBeDefined();
    // Custom names a gateway's users send, mapped to real models (one of them changed on day 2).
    const aliases = { 'my-default-model': changedTwice.model_id, 'cheap-model': routed[0]!.model_id };
    const group = `${p.prefix}gateway`;

    const crashAt = Math.floor(changes.length / 2);
    const first = runSync(group, aliases, { CRASH_AFTER: String(crashAt) });
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const partial = await table();
    expect(partial.length).toBeGreaterThan(0);
    expect(await lagOf(group)).toBeGreaterThan(0n);

    const second = runSync(group, aliases);
    await waitFor(async () => (await lagOf(group)) === 0n, {
      timeoutMs: 120_000,
      message: 'gateway caught up',
    });
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);

    const final = await table();
    expect(final).toEqual(expectedTable(aliases));
    // The aliases mirror their model, the day-2 price included.
    const named = new Map(final.map((r) => [r.model_name, r]));
    const { model_name: _a, ...aliasRow } = named.get('my-default-model')!;
    const { model_name: _m, ...modelRow } = named.get(changedTwice.model_id)!;
    expect(aliasRow).toEqual(modelRow);

    // Replaying the whole history in a new group (new dedupe scope) changes nothing.
    const replayGroup = `${p.prefix}gateway-replay`;
    const replay = runSync(replayGroup, aliases);
    await waitFor(async () => (await lagOf(replayGroup)) === 0n, {
      timeoutMs: 120_000,
      message: 'replay caught up',
    });
    replay.child.kill('SIGTERM');
    await replay.exited;
    expect(await table()).toEqual(final);
  });
});
