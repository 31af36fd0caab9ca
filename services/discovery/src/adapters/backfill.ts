// The backfill command's shell (docs/design.md "Backfill"): validate the whole source, then publish
// file after file in capture-time order through the project's idempotent producer.
import type { Producer } from 'kafkajs';
import { priceKey } from '@llmpt/schemas';
import { topicOfEvent, topics, type Logger } from '@llmpt/runtime';
import { toKafkaMessage } from '@llmpt/runtime/kafka';
import {
  backfillEvents,
  backfillTotals,
  eventCount,
  planBackfill,
  type BackfillPlan,
  type BackfillTotals,
  type FileEvents,
  type PlannedFile,
} from '../core/backfill.ts';
import type { Blocklist } from '../core/blocklist.ts';
import type { BackfillSource } from './backfill-source.ts';

export interface BackfillOptions {
  readonly source: BackfillSource;
  readonly sourceUrl: string;
  readonly blocklist: Blocklist;
  /** null for a dry run: validate and count, publish nothing. */
  readonly producer: Pick<Producer, 'send'> | null;
  readonly topicPrefix: string;
  readonly now: number;
  readonly logger: Logger;
  /** One line per file (the command prints them). */
  readonly progress: (line: string) => void;
  /**
   * Ids of the CatalogSnapshot events already in the topic: a file whose snapshot is there was
   * published whole by an earlier run (the snapshot goes last) and is skipped.
   */
  readonly publishedSnapshots?: ReadonlySet<string>;
  /**
   * Waits until the stages have consumed what was published so far: after a file's ModelDiscovered
   * (the scraper, then the normalizer on the routed observations) and after its snapshot (the
   * normalizer). The normalizer reads observations and snapshots from two topics with no order
   * between them; a live day leaves hours between runs, a backfill must wait for it explicitly.
   */
  readonly settle?: (after: 'observations' | 'snapshot') => Promise<void>;
  /**
   * Publish the newest capture first (the recent days' prices are then answered soonest). The
   * normalizer places each input by its observation time (docs/price-model.md §4), so the history it
   * ends with is the same in either order; only what is published on the way differs (late inputs
   * correct the changes published before them, with retractions).
   */
  readonly newestFirst?: boolean;
}

export interface BackfillOutcome {
  readonly plan: BackfillPlan;
  readonly totals: BackfillTotals;
  /** false when a file was refused: nothing was published. */
  readonly published: boolean;
  /** Files skipped because an earlier run published them whole. */
  readonly skipped: number;
}

const CHUNK = 500;

export async function runBackfill(opts: BackfillOptions): Promise<BackfillOutcome> {
  const plan = planBackfill(opts.source.files, opts.source.manifest, opts.now);
  const perFile: { file: PlannedFile; events: FileEvents }[] = plan.files.map((file) => ({
    file,
    events: backfillEvents(file, { sourceUrl: opts.sourceUrl, blocklist: opts.blocklist }),
  }));
  const totals = backfillTotals(perFile, plan.refused.length);
  if (plan.refused.length) {
    for (const r of plan.refused) opts.progress(`refused ${r.path}: ${r.reason}`);
    return { plan, totals, published: false, skipped: 0 };
  }
  let i = 0;
  let skipped = 0;
  for (const { file, events } of opts.newestFirst ? [...perFile].reverse() : perFile) {
    i++;
    if (events.snapshot && opts.publishedSnapshots?.has(events.snapshot.event_id)) {
      skipped++;
      opts.progress(
        `[${i}/${perFile.length}] ${file.path} already published (its CatalogSnapshot is in the topic): skipped`,
      );
      continue;
    }
    if (opts.producer) await publishFile(opts.producer, opts.topicPrefix, events, opts.settle);
    opts.progress(
      `[${i}/${perFile.length}] ${file.path} captured ${new Date(file.capturedAt).toISOString()} run=${events.runId} models=${events.discovered.length} endpoints=${file.endpoints.length - events.unmatched.length} providers=${file.providers.length} snapshot=${events.snapshot ? 'yes' : 'no'} rejected=${events.deadLetters.length} events=${eventCount(events)}`,
    );
    if (!events.snapshot)
      opts.logger.warn({ file: file.path }, 'not the whole catalog: no CatalogSnapshot for this file');
    if (events.unmatched.length)
      opts.logger.warn(
        { file: file.path, endpoints: events.unmatched },
        '/endpoints captures of models this run did not discover (blocklisted or rejected): not published',
      );
  }
  return { plan, totals, published: opts.producer !== null, skipped };
}

/**
 * As a live run: the providers, every ModelDiscovered and the per-provider observations (what the
 * scraper would publish from the endpoints it fetched) acknowledged before the snapshot, then the
 * dead letters.
 */
async function publishFile(
  producer: Pick<Producer, 'send'>,
  prefix: string,
  events: FileEvents,
  settle?: BackfillOptions['settle'],
): Promise<void> {
  const send = async (topic: string, messages: ReturnType<typeof toKafkaMessage>[]) => {
    for (let i = 0; i < messages.length; i += CHUNK)
      await producer.send({ topic: prefix + topic, messages: messages.slice(i, i + CHUNK), acks: -1 });
  };
  await send(
    topicOfEvent.ProviderDiscovered,
    events.providers.map((e) => toKafkaMessage({ key: e.slug, name: 'ProviderDiscovered', event: e })),
  );
  await send(
    topicOfEvent.ModelDiscovered,
    events.discovered.map((e) => toKafkaMessage({ key: e.model_id, name: 'ModelDiscovered', event: e })),
  );
  await send(
    topicOfEvent.RawPriceObserved,
    events.observations.map((o) =>
      toKafkaMessage({
        key: priceKey(o.model_id, o.provider, o.source_type),
        name: 'RawPriceObserved',
        event: o,
      }),
    ),
  );
  await settle?.('observations');
  if (events.snapshot) {
    const s = events.snapshot;
    await producer.send({
      topic: prefix + topicOfEvent.CatalogSnapshot,
      messages: [toKafkaMessage({ key: s.source_url, name: 'CatalogSnapshot', event: s })],
      acks: -1,
    });
    await settle?.('snapshot');
  }
  if (events.deadLetters.length)
    await producer.send({
      topic: prefix + topics.deadLetter.name,
      messages: events.deadLetters.map((d) =>
        toKafkaMessage({ key: d.event_id, name: 'DeadLetter', event: d }),
      ),
      acks: -1,
    });
}
