// `npm run rebuild-changes`: the normalizer's change detection from scratch over the NormalizedPrice and
// CatalogSnapshot topics, in valid time (docs/price-model.md §4.1: every input in position order,
// whatever order the logs hold them in). It checks the versions in force (PriceChanged minus
// PriceChangeRetracted, §4.4) against the rebuild, by event id and digest, and exits 1 on any
// difference. Options (README, Replay):
//   --repair               publish the missing versions, retract the extra ones (the live topics)
//   --write-state          write the key histories (changelog record v3) to the normalizer's state topic
//   --write-state-topic T  the same, to topic T
//   --write-topic T        write the rebuilt versions topic T lacks (a lost topic; not the live one)
//   --key K                only price key K (repeatable)
// Stop the normalizer before --repair or --write-state: both continue what it writes.
// Reads KAFKA_BROKERS, TOPIC_PREFIX, ALERT_THRESHOLD and REMOVAL_AFTER_RUNS like the normalizer.
import { parseArgs } from 'node:util';
import { createLogger, topics } from '@llmpt/runtime';
import {
  createKafka,
  createProducer,
  checkKafkaAccessOrExit,
  kafkaSecurityFromConfig,
  MAX_SEND_BYTES,
  sendsIn,
  setUpWire,
  toKafkaMessage,
  type EventMessage,
  type Kafka,
  type Producer,
} from '@llmpt/runtime/kafka';
import type { EventName, EventTypes, PriceChanged } from '@llmpt/schemas';
import { readEvents } from '../adapters/event-log.ts';
import { loadRebuildChangesConfig } from '../config.ts';
import { encodeHistory } from '../core/key-history.ts';
import {
  compareChanges,
  isSameInForce,
  isSameSet,
  knownSnapshotRecords,
  planRepair,
  rebuildChanges,
  rebuildHistories,
  type ChangesComparison,
  type TopicChanges,
  type Version,
} from '../core/rebuild.ts';
import { encodeState } from '../core/state.ts';
import { changeDigest, versionOf } from '../core/valid-time.ts';

const config = loadRebuildChangesConfig();
const { values } = parseArgs({
  options: {
    repair: { type: 'boolean', default: false },
    'write-state': { type: 'boolean', default: false },
    'write-state-topic': { type: 'string' },
    'write-topic': { type: 'string' },
    key: { type: 'string', multiple: true },
  },
});
const logger = createLogger({
  service: 'rebuild-changes',
  level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL,
});
const out = (line: string) => process.stdout.write(`${line}\n`);
await setUpWire(config);
const security = kafkaSecurityFromConfig(config);
const kafka = createKafka({
  brokers: config.KAFKA_BROKERS,
  clientId: 'pricing-rebuild-changes',
  logger,
  security,
});
await checkKafkaAccessOrExit(kafka, security, { logger, name: 'rebuild-changes' });
const opts = { alertThreshold: config.ALERT_THRESHOLD, removalAfterRuns: config.REMOVAL_AFTER_RUNS };

const topicOf = (t: { name: string }) => config.TOPIC_PREFIX + t.name;
const normalizedTopic = topicOf(topics.normalizedPrice);
const snapshotTopic = topicOf(topics.catalogSnapshot);
const changedTopic = topicOf(topics.priceChanged);
const retractedTopic = topicOf(topics.priceChangeRetracted);
const writeTopic = values['write-topic'];
const stateTopic =
  values['write-state-topic'] ?? (values['write-state'] ? topicOf(topics.normalizerState) : null);
const onlyKeys = values.key ? new Set(values.key) : null;
const inScope = (key: string) => !onlyKeys || onlyKeys.has(key);

if (writeTopic === changedTopic) {
  out(
    `rebuild-changes: --write-topic ${writeTopic} is the live topic; use --repair, which also retracts ` +
      'what is no longer due',
  );
  process.exit(2);
}

/** Every event of one type on a topic, read committed, in log order per partition. */
async function read<N extends EventName>(k: Kafka, topic: string, name: N): Promise<EventTypes[N][]> {
  const { events, skipped } = await readEvents(k, topic, name, 'pricing-rebuild-changes');
  if (skipped) out(`  ${topic}: ${skipped} records skipped (not a ${name})`);
  return events;
}

/** The topics this run reads must exist: a deployment without the retraction topic gets a clear answer. */
async function requireTopics(names: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const held = new Set(await admin.listTopics());
    const absent = names.filter((t) => !held.has(t));
    if (absent.length > 0) {
      out(
        `rebuild-changes: topic ${absent.join(', ')} does not exist; create the pipeline's topics first ` +
          '(packages/runtime create-topics, or the topics Job)',
      );
      process.exit(2);
    }
  } finally {
    await admin.disconnect();
  }
}

function report(c: ChangesComparison): void {
  out(
    `  ${changedTopic}: ${c.existing} events; same ${c.same}, missing ${c.missing.length}, ` +
      `extra ${c.extra.length}, differing ${c.differing.length}, duplicate ids ${c.duplicates.length}`,
  );
  out(`  ${retractedTopic}: ${c.retractions} records; ${c.inForce} versions in force, ${c.rebuilt} rebuilt`);
  const version = (v: Version) => `${v.change.event_id} ${v.digest.slice(0, 12)} (${v.change.price_key})`;
  for (const [label, items] of [
    ['missing', c.missing.map(version)],
    ['extra', c.extra.map(version)],
    ['differing', c.differing],
    ['duplicate', c.duplicates],
  ] as const)
    for (const item of items.slice(0, 5)) out(`  ${label}: ${item}`);
}

type KafkaRecord = ReturnType<typeof toKafkaMessage>;

/**
 * Sends records in requests of at most MAX_SEND_BYTES, the stage publisher's split (the broker's
 * default request limit is 1 MB): a repair or a --write-topic of a year's versions is tens of MB, which
 * one request cannot carry (MESSAGE_TOO_LARGE, seen by the bench at 22,695 versions). The records are
 * read one send at a time.
 */
async function sendChunked(
  producer: Producer,
  topic: string,
  messages: Iterable<KafkaRecord>,
): Promise<void> {
  for (const send of sendsIn([{ topic, messages }], MAX_SEND_BYTES))
    await producer.sendBatch({ topicMessages: send, acks: -1 });
}

/** Events, encoded one at a time (type header and event time as every producer of the project sets them). */
function* encoded(items: Iterable<EventMessage>): Generator<KafkaRecord> {
  for (const item of items) yield toKafkaMessage(item);
}

const changeMessage = (event: PriceChanged) => ({
  key: event.price_key,
  name: 'PriceChanged' as const,
  event,
});

await requireTopics([normalizedTopic, snapshotTopic, changedTopic, retractedTopic]);
const started = Date.now();
const observations = (await read(kafka, normalizedTopic, 'NormalizedPrice')).filter((np) =>
  inScope(np.price_key),
);
const snapshots = await read(kafka, snapshotTopic, 'CatalogSnapshot');
const readSeconds = (Date.now() - started) / 1000;
const all = rebuildChanges(observations, opts, snapshots);
// With --key, the other keys the snapshots reach (routed keys given an expiration date) are left out.
const rebuilt = onlyKeys ? all.changes.filter((c) => inScope(c.price_key)) : all.changes;
const events = observations.length + snapshots.length;
out(
  `rebuild-changes: ${observations.length} NormalizedPrice and ${snapshots.length} CatalogSnapshot read in ` +
    `${readSeconds.toFixed(1)} s (${Math.round(events / Math.max(readSeconds, 0.001))} events/s) → ` +
    `${rebuilt.length} PriceChanged, ${[...all.state.keys()].filter(inScope).length} price keys` +
    (onlyKeys ? ` (keys: ${[...onlyKeys].join(', ')})` : ''),
);

const topic: TopicChanges = {
  published: (await read(kafka, changedTopic, 'PriceChanged')).filter((c) => inScope(c.price_key)),
  retractions: (await read(kafka, retractedTopic, 'PriceChangeRetracted')).filter((r) =>
    inScope(r.price_key),
  ),
};
const cmp = compareChanges(rebuilt, topic.published, topic.retractions);
report(cmp);

let after = topic;
let afterCmp = cmp;
const producer = values.repair || stateTopic || writeTopic ? createProducer(kafka) : null;
await producer?.connect();
try {
  if (producer && values.repair && !isSameInForce(cmp)) {
    const plan = planRepair(cmp, topic, all.newest);
    // The versions first, then the records: a repair cut short never leaves fewer versions in force than
    // it found, and running it again finishes it (every id is deterministic).
    await sendChunked(producer, changedTopic, encoded(plan.publish.map(changeMessage)));
    await sendChunked(
      producer,
      retractedTopic,
      encoded(
        plan.retractions.map((event) => ({
          key: event.price_key,
          name: 'PriceChangeRetracted' as const,
          event,
        })),
      ),
    );
    const reinstated = plan.retractions.filter((r) => !r.retracted).length;
    out(
      `  repaired: published ${plan.publish.length} PriceChanged (${plan.publish.length - reinstated} new ` +
        `versions, backfilled), ${plan.retractions.length - reinstated} retracted, ${reinstated} reinstated`,
    );
    after = {
      published: [...topic.published, ...plan.publish],
      retractions: [...topic.retractions, ...plan.retractions],
    };
    afterCmp = compareChanges(rebuilt, after.published, after.retractions);
  }

  if (producer && writeTopic) {
    // Only what the topic lacks, by version: an empty topic gets them all, a second run nothing.
    const held = new Set(
      (await read(kafka, writeTopic, 'PriceChanged')).map((e) => versionOf(e.event_id, changeDigest(e))),
    );
    const todo = rebuilt.filter((e) => !held.has(versionOf(e.event_id, changeDigest(e))));
    await sendChunked(producer, writeTopic, encoded(todo.map(changeMessage)));
    out(`  wrote ${todo.length} PriceChanged to ${writeTopic} (${held.size} already there)`);
  }

  if (producer && stateTopic) {
    // The histories continue the versions in force: written over a topic that differs, the normalizer's
    // later retractions would start from versions that are not the ones in force.
    if (!isSameInForce(afterCmp)) {
      out(
        `rebuild-changes: not writing state to ${stateTopic}: the versions in force differ from the ` +
          'rebuild; add --repair',
      );
      process.exit(1);
    }
    // The snapshots the histories hold, as the normalizer restores them. With --key only that key's
    // history is rewritten: the others hold only the snapshots the normalizer placed, so marking every
    // snapshot on the topic known would make it drop those it has not consumed yet as duplicates.
    const known = onlyKeys ? [] : knownSnapshotRecords(snapshots);
    let keys = 0;
    let bytes = 0;
    // One key at a time: a year of every key's inputs at once, beside its encoding, would not fit.
    function* records() {
      for (const h of rebuildHistories(observations, snapshots, after.retractions, opts, inScope)) {
        // The history's own run and the rebuild's must agree (both are the in-order rules): a bug otherwise.
        const expected = all.state.get(h.price_key);
        const same =
          h.state === expected || (h.state && expected && encodeState(h.state).equals(encodeState(expected)));
        if (!same)
          throw new Error(
            `rebuild-changes: the history of ${h.price_key} ends in another state than the rebuild`,
          );
        const value = encodeHistory(h);
        keys++;
        bytes += value.length;
        yield { key: h.price_key, value };
      }
      yield* known;
    }
    await sendChunked(producer, stateTopic, records());
    out(
      `  wrote ${keys} key histories (v3, ${(bytes / 1024).toFixed(0)} KiB) and ${known.length} snapshot ` +
        `records to ${stateTopic}`,
    );
  }
} finally {
  await producer?.disconnect();
}

const same = isSameSet(afterCmp);
out(
  `rebuild-changes: ${
    same
      ? 'the topic equals the rebuild'
      : isSameInForce(afterCmp)
        ? 'the versions in force equal the rebuild, but the topic holds a version twice'
        : 'the topic DIFFERS from the rebuild'
  }`,
);
// A check fails on any difference; a repair succeeded when the versions in force equal the rebuild
// (a duplicate record cannot be taken back: the topics are append-only); --write-topic when it wrote.
process.exit(same || (values.repair && isSameInForce(afterCmp)) || writeTopic ? 0 : 1);
