// `npm run rebuild-changes`: the normalizer's change detection from scratch over the NormalizedPrice
// and CatalogSnapshot topics. It checks the PriceChanged topic against the rebuild (same ids, same bytes, no duplicate) and
// exits 1 on any difference; with --write-topic it writes the rebuilt events to a topic (e.g. one that
// was lost), with --write-state-topic the normalizer's state (its compacted changelog).
// Reads KAFKA_BROKERS, TOPIC_PREFIX, ALERT_THRESHOLD and REMOVAL_AFTER_RUNS like the normalizer.
import { parseArgs } from 'node:util';
import { createLogger, topics } from '@llmpt/runtime';
import { createKafka, createProducer, produceEvents, type Kafka } from '@llmpt/runtime/kafka';
import type { EventName, EventTypes } from '@llmpt/schemas';
import { readEvents } from '../adapters/event-log.ts';
import { loadRebuildChangesConfig } from '../config.ts';
import { encodeState } from '../core/state.ts';
import { compareChanges, isSameSet, rebuildChanges } from '../core/rebuild.ts';

const config = loadRebuildChangesConfig();
const { values } = parseArgs({
  options: { 'write-topic': { type: 'string' }, 'write-state-topic': { type: 'string' } },
});
const logger = createLogger({
  service: 'rebuild-changes',
  level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL,
});
const out = (line: string) => process.stdout.write(`${line}\n`);
const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'pricing-rebuild-changes', logger });

/** Every event of one type on a topic, read committed, in log order per partition. */
async function read<N extends EventName>(k: Kafka, topic: string, name: N): Promise<EventTypes[N][]> {
  const { events, skipped } = await readEvents(k, topic, name, 'pricing-rebuild-changes');
  if (skipped) out(`  ${topic}: ${skipped} records skipped (not a ${name})`);
  return events;
}

const started = Date.now();
const normalizedTopic = config.TOPIC_PREFIX + topics.normalizedPrice.name;
const changedTopic = config.TOPIC_PREFIX + topics.priceChanged.name;
const observations = await read(kafka, normalizedTopic, 'NormalizedPrice');
const snapshots = await read(kafka, config.TOPIC_PREFIX + topics.catalogSnapshot.name, 'CatalogSnapshot');
const readSeconds = (Date.now() - started) / 1000;
const rebuilt = rebuildChanges(
  observations,
  { alertThreshold: config.ALERT_THRESHOLD, removalAfterRuns: config.REMOVAL_AFTER_RUNS },
  snapshots,
);
const events = observations.length + snapshots.length;
out(
  `rebuild-changes: ${observations.length} NormalizedPrice and ${snapshots.length} CatalogSnapshot read in ` +
    `${readSeconds.toFixed(1)} s (${Math.round(events / Math.max(readSeconds, 0.001))} events/s) → ` +
    `${rebuilt.changes.length} PriceChanged, ${rebuilt.state.size} price keys`,
);

const existing = await read(kafka, changedTopic, 'PriceChanged');
const cmp = compareChanges(rebuilt.changes, existing);
out(
  `  ${changedTopic}: ${cmp.existing} events; same ${cmp.same}, missing ${cmp.missing.length}, ` +
    `extra ${cmp.extra.length}, differing ${cmp.differing.length}, duplicate ids ${cmp.duplicates.length}`,
);
for (const [label, ids] of [
  ['missing', cmp.missing],
  ['extra', cmp.extra],
  ['differing', cmp.differing],
  ['duplicate', cmp.duplicates],
] as const)
  for (const id of ids.slice(0, 5)) out(`  ${label}: ${id}`);

const writeTopic = values['write-topic'];
const stateTopic = values['write-state-topic'];
if (writeTopic || stateTopic) {
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    if (writeTopic) {
      // Only what the topic lacks: repairing the live topic adds no duplicate, an empty one gets all.
      const held = new Set(
        (writeTopic === changedTopic ? existing : await read(kafka, writeTopic, 'PriceChanged')).map(
          (e) => e.event_id,
        ),
      );
      const todo = rebuilt.changes.filter((e) => !held.has(e.event_id));
      await produceEvents(
        producer,
        writeTopic,
        todo.map((event) => ({ key: event.price_key, name: 'PriceChanged' as const, event })),
      );
      out(`  wrote ${todo.length} PriceChanged to ${writeTopic} (${held.size} already there)`);
    }
    if (stateTopic) {
      await producer.send({
        topic: stateTopic,
        acks: -1,
        messages: [...rebuilt.state].map(([key, v]) => ({ key, value: encodeState(v) })),
      });
      out(`  wrote ${rebuilt.state.size} states to ${stateTopic}`);
    }
  } finally {
    await producer.disconnect();
  }
}
const same = isSameSet(cmp);
out(`rebuild-changes: ${same ? 'the topic equals the rebuild' : 'the topic DIFFERS from the rebuild'}`);
// A check fails on any difference; a repair (--write-topic) succeeded when it wrote.
process.exit(same || writeTopic ? 0 : 1);
