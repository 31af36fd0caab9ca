import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createKafka, groupLag, runStage } from '@llmpt/runtime/kafka';
import type { KafkaSecurity } from '@llmpt/runtime';
import { migrate } from '@llmpt/runtime/ops';
import { topics, type Logger, sinkInputTopics } from '@llmpt/runtime';
import { createPostgresStore } from './postgres.ts';
import { tableChecksums } from './checksums.ts';
import { createSinkHandler, type SinkTotals } from './handler.ts';

export interface ReplayOptions {
  readonly brokers: readonly string[];
  /** TLS and SASL, as every client (createKafka). */
  readonly security: KafkaSecurity;
  readonly topicPrefix: string;
  /** The database to rebuild: migrated first; it should be empty (replay adds, never deletes). */
  readonly into: string;
  readonly migrationsDir: string;
  readonly logger: Logger;
  /** Progress lines (events/s, lag); default: none. */
  readonly progress?: (line: string) => void;
  readonly intervalMs?: number;
}

export interface ReplayResult {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly checksums: Record<string, { rows: number; md5: string }>;
}

/** The sink's input topics under a prefix. */
export function sinkTopics(prefix: string): string[] {
  return sinkInputTopics.map((t) => prefix + t);
}

/**
 * Rebuilds the sink's tables from the topics: a fresh consumer group from the earliest offsets, the
 * live sink's own handler and postgres store, until the group has no lag; then a content checksum
 * per table. The topics are the event store: the same events give the same rows.
 */
export async function replay(opts: ReplayOptions): Promise<ReplayResult> {
  await migrate({ databaseUrl: opts.into, dir: opts.migrationsDir, logger: opts.logger });
  const kafka = createKafka({
    brokers: opts.brokers,
    clientId: 'pricing-replay',
    logger: opts.logger,
    security: opts.security,
  });
  const store = createPostgresStore({
    databaseUrl: opts.into,
    logger: opts.logger,
    applicationName: 'pricing-replay',
  });
  const totals: SinkTotals = { batches: 0, events: 0, observations: 0, changes: 0, retractions: 0 };
  const groupId = `pricing-replay-${randomUUID()}`;
  const inputs = sinkTopics(opts.topicPrefix);
  const admin = kafka.admin();
  await admin.connect();
  const started = Date.now();
  const stage = await runStage({
    kafka,
    stage: 'replay',
    groupId,
    topics: inputs,
    deadLetterTopic: opts.topicPrefix + topics.deadLetter.name,
    handle: createSinkHandler(store, opts.logger, totals),
    fromBeginning: true,
    logger: opts.logger,
  });
  try {
    let last = { t: started, events: 0 };
    for (;;) {
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1000));
      const lag = await groupLag(admin, groupId, inputs);
      const now = Date.now();
      const rate = ((totals.events - last.events) * 1000) / Math.max(1, now - last.t);
      opts.progress?.(`replay: ${totals.events} events, ${Math.round(rate)} events/s, lag ${lag}`);
      last = { t: now, events: totals.events };
      if (lag === 0n && stage.isReady()) break;
    }
  } finally {
    await stage.stop();
    await admin.disconnect();
    await store.close();
  }
  const seconds = (Date.now() - started) / 1000;
  const db = new pg.Client({ connectionString: opts.into });
  await db.connect();
  try {
    const checksums = await tableChecksums(db);
    return { events: totals.events, seconds, eventsPerSecond: totals.events / seconds, checksums };
  } finally {
    await db.end();
  }
}
