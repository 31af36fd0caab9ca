// The sink's input on topics, and replaying it: n sink processes in one fresh consumer group until the
// group has no lag, then the rows counted in the database it wrote to. The normalizer's input likewise,
// and one normalizer process run over it.
import { topics, sinkInputTopics } from '@llmpt/runtime';
import { type EventMessage, type Kafka } from '@llmpt/runtime/kafka';
import type { RawPriceObserved } from '@llmpt/schemas';
import {
  createTestTopics,
  startService,
  withClient,
  type PipelineSettings,
  type ServiceName,
  type ServiceProcess,
  type StackEnv,
} from '@llmpt/testkit';
import { cfg, logDir, profileDir } from './config.ts';
import type { History } from './history.ts';
import type { CpuUse } from './cpu.ts';
import { produceAll, startProfiled, waitGroupDrained, type DrainTiming } from './infra.ts';

export type Item = EventMessage & { topic: string };

/** The events the sink reads, in production order per day, as messages to the prefixed topics. */
export function sinkItems(h: History, prefix: string): Item[] {
  const t = (k: keyof typeof topics) => prefix + topics[k].name;
  return [
    ...h.modelDiscovered.map((e) => ({
      topic: t('modelDiscovered'),
      key: e.model_id,
      name: 'ModelDiscovered' as const,
      event: e,
    })),
    ...h.raw.map((e) => ({
      topic: t('rawPriceObserved'),
      key: `${e.model_id}|${e.provider ?? ''}|${e.source_type}`,
      name: 'RawPriceObserved' as const,
      event: e,
    })),
    ...h.normalized.map((e) => ({
      topic: t('normalizedPrice'),
      key: e.price_key,
      name: 'NormalizedPrice' as const,
      event: e,
    })),
    ...h.changed.map((e) => ({
      topic: t('priceChanged'),
      key: e.price_key,
      name: 'PriceChanged' as const,
      event: e,
    })),
  ];
}

/** Raw observations as messages to the prefixed raw topic, keyed as the scraper keys them. */
export const rawItems = (raw: readonly RawPriceObserved[], prefix: string): Item[] =>
  raw.map((e) => ({
    topic: prefix + topics.rawPriceObserved.name,
    key: `${e.model_id}|${e.provider ?? ''}|${e.source_type}`,
    name: 'RawPriceObserved' as const,
    event: e,
  }));

/**
 * Fresh topics under `prefix`, `raw` produced to them, then one normalizer process from its spawn until
 * its group has no lag on the raw topic (its state lives in the topics: a new prefix every run).
 */
export async function normalizerDrain(
  stack: { readonly env: StackEnv; readonly kafka: Kafka },
  prefix: string,
  raw: readonly RawPriceObserved[],
): Promise<DrainTiming> {
  await createTestTopics(prefix, { kafka: stack.kafka, partitions: cfg.partitions });
  await produceAll(stack.kafka, rawItems(raw, prefix));
  const t0 = Date.now();
  const proc = start('normalizer', settingsFor(stack.env, prefix, 'postgres'), { LOG_LEVEL: 'warn' });
  try {
    return await waitGroupDrained(
      stack.kafka,
      `${prefix}pricing-normalizer`,
      [prefix + topics.rawPriceObserved.name],
      [proc],
      t0,
    );
  } finally {
    await proc.stop();
  }
}

export const sinkTopics = (prefix: string): string[] => sinkInputTopics.map((t) => prefix + t);

export function settingsFor(
  env: StackEnv,
  prefix: string,
  store: 'postgres' | 'supabase',
  databaseUrl?: string,
): PipelineSettings {
  return {
    kafkaBrokers: env.kafkaBrokers.join(','),
    ...(databaseUrl ? { databaseUrl } : {}),
    supabaseUrl: env.supabaseUrl,
    supabaseServiceRoleKey: env.supabaseServiceRoleKey,
    store,
    topicPrefix: prefix,
    openRouterBaseUrl: 'http://127.0.0.1:9',
    scrapeProviderSites: false,
    logDir,
    logLevel: 'warn',
  };
}

/** startService, profiled when BENCH_CPU_PROF is set. */
export const start = (
  service: ServiceName,
  s: PipelineSettings,
  extra: Record<string, string>,
): ServiceProcess =>
  profileDir ? startProfiled(service, s, extra, profileDir) : startService(service, s, extra);

export interface ReplayRun {
  readonly wallMs: number;
  readonly steadyMs: number;
  readonly peakRssKb: number;
  readonly cpu: CpuUse;
  readonly observations: number;
  readonly changes: number;
}

/** Runs `n` sink processes in one fresh group over the prefix's topics until the group has no lag. */
export async function replay(
  stack: { readonly env: StackEnv; readonly kafka: Kafka },
  prefix: string,
  n: number,
  store: 'postgres' | 'supabase',
  databaseUrl: string | undefined,
  label: string,
  count: () => Promise<{ observations: number; changes: number }>,
): Promise<ReplayRun> {
  const group = `${prefix}bench-sink-${label}`;
  const s = settingsFor(stack.env, prefix, store, databaseUrl);
  const t0 = Date.now();
  const procs: ServiceProcess[] = Array.from({ length: n }, () =>
    start('sink', s, { GROUP_ID: group, LOG_LEVEL: 'warn' }),
  );
  try {
    const timing = await waitGroupDrained(stack.kafka, group, sinkTopics(prefix), procs, t0);
    return { ...timing, ...(await count()) };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

/**
 * Observation and change rows in the database at `url`; throws on a duplicate observation id or change
 * version (a change id may have several versions, docs/price-model.md §4.3), and counts those in force.
 */
export const countIn = (url: string) => async () =>
  withClient(url, async (c) => {
    const r = await c.query<{ o: string; od: string; c: string; cd: string; f: string }>(
      `select (select count(*) from price_observations)::text o, (select count(distinct event_id) from price_observations)::text od,
              (select count(*) from price_changes)::text c, (select count(distinct (event_id, digest)) from price_changes)::text cd,
              (select count(*) from price_changes_in_force)::text f`,
    );
    const row = r.rows[0]!;
    if (row.o !== row.od || row.c !== row.cd) throw new Error(`duplicate rows: ${JSON.stringify(row)}`);
    return { observations: Number(row.o), changes: Number(row.c), inForce: Number(row.f) };
  });
